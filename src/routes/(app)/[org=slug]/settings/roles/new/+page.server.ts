import { fail, redirect } from '@sveltejs/kit';
import { superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { resolve } from '$app/paths';
import { failFromDb } from '$lib/server/db';
import * as orgs from '$lib/server/orgs';
import * as roles from '$lib/server/roles';
import { customRoleSchema } from '$lib/schemas/members';
import type { Actions, PageServerLoad } from './$types';

const TAKEN = { name: 'There is already a role with this name.' };

export const load: PageServerLoad = async ({ locals }) => ({
	catalog: await locals.db((trx) => roles.catalog(trx)),
	form: await superValidate(zod4(customRoleSchema))
});

export const actions: Actions = {
	default: async (event) => {
		const form = await superValidate(event.request, zod4(customRoleSchema));
		if (!form.valid) return fail(400, { form });
		try {
			await orgs.withOrg(event, (trx, org) => roles.create(trx, org.id, form.data));
		} catch (e) {
			return failFromDb(form, e, TAKEN);
		}
		redirect(303, resolve('/(app)/[org=slug]/settings/roles', { org: event.params.org }));
	}
};
