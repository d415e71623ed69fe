import { error, fail } from '@sveltejs/kit';
import { message, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { z } from 'zod';
import * as orgs from '$lib/server/orgs';
import * as products from '$lib/server/products';
import { failFromDb, refused } from '$lib/server/db';
import { productSchema } from '$lib/schemas/products';
import { failProduct } from '../respond.server';
import type { Actions, PageServerLoad } from './$types';

const archiveSchema = z.object({ archived: z.enum(['true', 'false']) });

export const load: PageServerLoad = async ({ locals, parent, params }) => {
	const { org } = await parent();
	const product = await locals.db((trx) => products.get(trx, org.id, params.id));
	if (!product) error(404, 'Page not found');
	return {
		product,
		form: await superValidate(
			{ ...product, imagePath: product.imagePath ?? '' },
			zod4(productSchema),
			{
				id: 'product',
				errors: false
			}
		),
		archiveForm: await superValidate(
			{ archived: product.archivedAt ? 'false' : 'true' },
			zod4(archiveSchema),
			{ id: 'archive' }
		)
	};
};

export const actions: Actions = {
	update: async (event) => {
		const form = await superValidate(event.request, zod4(productSchema), { id: 'product' });
		if (!form.valid) return fail(400, { form });
		try {
			const saved = await orgs.withOrg(event, (trx, org) =>
				products.update(trx, org.id, event.params.id, form.data)
			);
			if (!saved) return refused(form, 'You cannot change this product.');
		} catch (e) {
			return failProduct(form, e);
		}
		return message(form, { tone: 'success', text: 'The product has been saved.' });
	},

	archive: async (event) => {
		const form = await superValidate(event.request, zod4(archiveSchema), { id: 'archive' });
		if (!form.valid) return fail(400, { form });
		const archived = form.data.archived === 'true';
		try {
			const saved = await orgs.withOrg(event, (trx, org) =>
				products.setArchived(trx, org.id, event.params.id, archived)
			);
			if (!saved) return refused(form, 'You cannot archive this product.');
		} catch (e) {
			return failFromDb(form, e);
		}
		form.data.archived = archived ? 'false' : 'true';
		return message(form, {
			tone: 'success',
			text: archived
				? 'The product is archived: it is no longer offered for new campaigns.'
				: 'The product is back in the catalogue.'
		});
	}
};
