import { error, fail, redirect } from '@sveltejs/kit';
import { message, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { z } from 'zod';
import { resolve } from '$app/paths';
import * as brands from '$lib/server/brands';
import { failFromDb, refused } from '$lib/server/db';
import * as orgs from '$lib/server/orgs';
import { brandSchema } from '$lib/schemas/brands';
import type { Actions, PageServerLoad } from './$types';

const TAKEN = { name: 'There is already a brand with this name.' };
const deleteSchema = z.object({});

export const load: PageServerLoad = async ({ locals, parent, params }) => {
	const { org } = await parent();
	const brand = await locals.db((trx) => brands.get(trx, org.id, params.id));
	if (!brand) error(404, 'Page not found');
	return {
		brand,
		form: await superValidate(brand, zod4(brandSchema), { id: 'brand', errors: false }),
		deleteForm: await superValidate(zod4(deleteSchema), { id: 'delete' })
	};
};

export const actions: Actions = {
	update: async (event) => {
		const form = await superValidate(event.request, zod4(brandSchema), { id: 'brand' });
		if (!form.valid) return fail(400, { form });
		try {
			const saved = await orgs.withOrg(event, (trx, org) =>
				brands.update(trx, org.id, event.params.id, form.data)
			);
			if (!saved) return refused(form, 'You cannot change this brand (or it was deleted).');
		} catch (e) {
			return failFromDb(form, e, TAKEN);
		}
		return message(form, { tone: 'success', text: 'The brand has been saved.' });
	},

	delete: async (event) => {
		const form = await superValidate(event.request, zod4(deleteSchema), { id: 'delete' });
		let name: string | null;
		try {
			name = await orgs.withOrg(event, async (trx, org) => {
				const brand = await brands.get(trx, org.id, event.params.id);
				return brand && (await brands.remove(trx, org.id, event.params.id)) ? brand.name : null;
			});
		} catch (e) {
			return failFromDb(form, e);
		}
		if (!name) return refused(form, 'You cannot delete this brand (or it was deleted already).');
		const list = resolve('/(app)/[org=slug]/settings/brands', { org: event.params.org });
		redirect(303, `${list}?deleted=${encodeURIComponent(name)}`);
	}
};
