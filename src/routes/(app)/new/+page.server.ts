import { fail, redirect } from '@sveltejs/kit';
import { superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { resolve } from '$app/paths';
import { requireUser } from '$lib/server/auth';
import { failFromDb } from '$lib/server/db';
import * as orgs from '$lib/server/orgs';
import { orgSchema } from '$lib/schemas/orgs';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	return {
		orgs: await event.locals.db((trx) => orgs.listMine(trx, user.id)),
		form: await superValidate(zod4(orgSchema))
	};
};

export const actions: Actions = {
	default: async (event) => {
		requireUser(event);
		const form = await superValidate(event.request, zod4(orgSchema));
		if (!form.valid) return fail(400, { form });
		try {
			await event.locals.db((trx) => orgs.create(trx, form.data));
		} catch (e) {
			return failFromDb(form, e, { slug: 'That address is taken; choose another.' });
		}
		redirect(303, resolve('/(app)/[org=slug]', { org: form.data.slug }));
	}
};
