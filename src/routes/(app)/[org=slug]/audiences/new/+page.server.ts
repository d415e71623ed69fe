import { fail, redirect } from '@sveltejs/kit';
import { superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { resolve } from '$app/paths';
import * as audiences from '$lib/server/audiences';
import { failFromDb } from '$lib/server/db';
import * as orgs from '$lib/server/orgs';
import { audienceSchema } from '$lib/schemas/audiences';
import { formContext, TAKEN } from '../context.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { org } = await parent();
	return {
		...(await locals.db((trx) => formContext(trx, org.id))),
		form: await superValidate(zod4(audienceSchema), { id: 'audience' })
	};
};

export const actions: Actions = {
	default: async (event) => {
		const form = await superValidate(event.request, zod4(audienceSchema), { id: 'audience' });
		if (!form.valid) return fail(400, { form });
		let id: string;
		try {
			id = await orgs.withOrg(event, (trx, org) => audiences.create(trx, org.id, form.data));
		} catch (e) {
			return failFromDb(form, e, TAKEN);
		}
		redirect(
			303,
			`${resolve('/(app)/[org=slug]/audiences/[id=uuid]', { org: event.params.org, id })}?saved=1`
		);
	}
};
