import { fail, redirect } from '@sveltejs/kit';
import { superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { resolve } from '$app/paths';
import * as contacts from '$lib/server/contacts';
import * as orgs from '$lib/server/orgs';
import { contactFormSchema, contactFormValues, errorFields, toContactInput } from '../contact-form';
import { failWith } from '../respond.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { org } = await parent();
	const fields = await locals.db((trx) => contacts.listFields(trx, org.id));
	return {
		fields,
		form: await superValidate(contactFormValues(fields), zod4(contactFormSchema(fields)), {
			id: 'contact',
			errors: false
		})
	};
};

export const actions: Actions = {
	default: async (event) => {
		// The fields as they are now: one added or deleted since the page loaded counts.
		const fields = await orgs.withOrg(event, (trx, org) => contacts.listFields(trx, org.id));
		const form = await superValidate(event.request, zod4(contactFormSchema(fields)), {
			id: 'contact'
		});
		if (!form.valid) return fail(400, { form });
		let id: string;
		try {
			id = await orgs.withOrg(event, async (trx, org) => {
				const created = await contacts.create(trx, org.id, {
					...toContactInput(fields, form.data),
					source: 'manual'
				});
				return created.id;
			});
		} catch (e) {
			return failWith(form, e, errorFields(fields));
		}
		redirect(
			303,
			`${resolve('/(app)/[org=slug]/contacts/[id=uuid]', { org: event.params.org, id })}?created=1`
		);
	}
};
