import { fail, redirect } from '@sveltejs/kit';
import { message, setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { resolve } from '$app/paths';
import { failFromDb, refused } from '$lib/server/db';
import * as orgs from '$lib/server/orgs';
import { orgSettingsSchema } from '$lib/schemas/orgs';
import type { Actions, PageServerLoad } from './$types';
import { deleteOrgSchema } from './schema';

const TAKEN = {
	slug: 'That address is taken; choose another.',
	timeZone: 'Choose a time zone from the list.'
};

export const load: PageServerLoad = async ({ parent }) => {
	const { org } = await parent();
	return {
		form: await superValidate(
			{ name: org.name, slug: org.slug, timeZone: org.timeZone },
			zod4(orgSettingsSchema),
			{
				id: 'org',
				errors: false
			}
		),
		deleteForm: await superValidate(zod4(deleteOrgSchema), { id: 'delete' }),
		// The zones this runtime knows (the database checks them against its own list).
		timeZones: [...new Set(['UTC', org.timeZone, ...Intl.supportedValuesOf('timeZone')])].sort(
			(a, b) => (a === 'UTC' ? -1 : b === 'UTC' ? 1 : a.localeCompare(b))
		)
	};
};

export const actions: Actions = {
	update: async (event) => {
		const form = await superValidate(event.request, zod4(orgSettingsSchema), { id: 'org' });
		if (!form.valid) return fail(400, { form });
		try {
			const saved = await orgs.withOrg(event, (trx, org) => orgs.update(trx, org.id, form.data));
			if (!saved) return refused(form, 'Only owners and admins can change these settings.');
		} catch (e) {
			return failFromDb(form, e, TAKEN);
		}
		if (form.data.slug !== event.params.org) {
			// The organization has moved: continue at its new address.
			redirect(303, `${resolve('/(app)/[org=slug]/settings', { org: form.data.slug })}?moved=1`);
		}
		return message(form, { tone: 'success', text: 'The organization has been saved.' });
	},

	delete: async (event) => {
		const form = await superValidate(event.request, zod4(deleteOrgSchema), { id: 'delete' });
		if (!form.valid) return fail(400, { form });
		let outcome: 'deleted' | 'refused' | 'mismatch';
		try {
			outcome = await orgs.withOrg(event, async (trx, org) => {
				if (form.data.confirmName !== org.name) return 'mismatch';
				return (await orgs.remove(trx, org.id)) ? 'deleted' : 'refused';
			});
		} catch (e) {
			return failFromDb(form, e);
		}
		if (outcome === 'mismatch') {
			return setError(form, 'confirmName', 'Type the name exactly as shown.');
		}
		if (outcome === 'refused') return refused(form, 'Only owners can delete the organization.');
		redirect(303, resolve('/'));
	}
};
