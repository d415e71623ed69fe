import { fail, redirect } from '@sveltejs/kit';
import { superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { resolve } from '$app/paths';
import * as brands from '$lib/server/brands';
import { failFromDb } from '$lib/server/db';
import * as orgs from '$lib/server/orgs';
import { brandSchema } from '$lib/schemas/brands';
import type { Actions, PageServerLoad } from './$types';

const TAKEN = { name: 'There is already a brand with this name.' };

export const load: PageServerLoad = async () => ({
	form: await superValidate(zod4(brandSchema))
});

export const actions: Actions = {
	default: async (event) => {
		const form = await superValidate(event.request, zod4(brandSchema));
		if (!form.valid) return fail(400, { form });
		try {
			await orgs.withOrg(event, (trx, org) => brands.create(trx, org.id, form.data));
		} catch (e) {
			return failFromDb(form, e, TAKEN);
		}
		redirect(303, resolve('/(app)/[org=slug]/settings/brands', { org: event.params.org }));
	}
};
