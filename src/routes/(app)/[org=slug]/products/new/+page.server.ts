import { fail, redirect } from '@sveltejs/kit';
import { superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { resolve } from '$app/paths';
import * as orgs from '$lib/server/orgs';
import * as products from '$lib/server/products';
import { productSchema } from '$lib/schemas/products';
import { failProduct } from '../respond.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async () => ({
	form: await superValidate({ currency: 'EUR' }, zod4(productSchema), { errors: false })
});

export const actions: Actions = {
	default: async (event) => {
		const form = await superValidate(event.request, zod4(productSchema));
		if (!form.valid) return fail(400, { form });
		try {
			await orgs.withOrg(event, (trx, org) => products.create(trx, org.id, form.data));
		} catch (e) {
			return failProduct(form, e);
		}
		const list = resolve('/(app)/[org=slug]/products', { org: event.params.org });
		redirect(303, `${list}?added=${encodeURIComponent(form.data.name)}`);
	}
};
