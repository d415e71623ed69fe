// Settings → Automation secrets: the API keys and tokens HTTP steps send,
// saved once and referred to by name. A value goes in and never comes back:
// the list has names and dates, and every answer of an action carries the form
// with its value emptied (a failed form too: nothing typed is echoed).
import { error, fail } from '@sveltejs/kit';
import { message, superValidate, type SuperValidated } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import * as automations from '$lib/server/automations';
import { failFromDb } from '$lib/server/db';
import * as orgs from '$lib/server/orgs';
import type { FormMessage } from '$lib/forms';
import type { Actions, PageServerLoad } from './$types';
import { addSecretSchema, deleteSecretSchema, replaceSecretSchema } from './schema';

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { org, permissions } = await parent();
	if (!permissions.includes('automations.write'))
		error(403, 'Only people who edit automations can manage their secrets.');
	const secrets = await locals.db((trx) => automations.listSecrets(trx, org.id));
	return {
		secrets,
		addForm: await superValidate(zod4(addSecretSchema), { id: 'add', errors: false }),
		replaceForm: await superValidate(zod4(replaceSecretSchema), { id: 'replace', errors: false }),
		deleteForm: await superValidate(zod4(deleteSecretSchema), { id: 'delete', errors: false })
	};
};

/** The form without the value typed into it, for every answer. */
function scrubbed<T extends { value: string }>(
	form: SuperValidated<T, FormMessage>
): SuperValidated<T, FormMessage> {
	form.data.value = '';
	return form;
}

const NOT_FOUND = 'That secret no longer exists, or you may not change it.';

export const actions: Actions = {
	add: async (event) => {
		const form = await superValidate(event.request, zod4(addSecretSchema), { id: 'add' });
		const input = { ...form.data };
		scrubbed(form);
		if (!form.valid) return fail(400, { form });
		try {
			await orgs.withOrg(event, (trx, org) => automations.addSecret(trx, org.id, input));
		} catch (e) {
			return failFromDb(form, e, {
				name: 'A secret with this name is already saved: replace its value instead.'
			});
		}
		return message(form, {
			tone: 'success',
			text: `The secret “${form.data.name}” is saved. Its value is not shown again.`
		});
	},

	replace: async (event) => {
		const parsed = await superValidate(event.request, zod4(replaceSecretSchema), {
			id: 'replace'
		});
		const value = parsed.data.value;
		const form = scrubbed(parsed);
		if (!form.valid) return fail(400, { form });
		try {
			await orgs.withOrg(event, (trx, org) =>
				automations.replaceSecret(trx, org.id, form.data.id, value)
			);
		} catch (e) {
			if (e instanceof automations.SecretNotFoundError)
				return message(form, { tone: 'error', text: NOT_FOUND }, { status: 404 });
			return failFromDb(form, e);
		}
		return message(form, { tone: 'success', text: 'The new value is saved.' });
	},

	delete: async (event) => {
		const form = await superValidate(event.request, zod4(deleteSecretSchema), { id: 'delete' });
		if (!form.valid) return fail(400, { form });
		let name: string;
		try {
			name = await orgs.withOrg(event, (trx, org) =>
				automations.deleteSecret(trx, org.id, form.data.id)
			);
		} catch (e) {
			if (e instanceof automations.SecretNotFoundError)
				return message(form, { tone: 'error', text: NOT_FOUND }, { status: 404 });
			return failFromDb(form, e);
		}
		return message(form, { tone: 'success', text: `The secret “${name}” was deleted.` });
	}
};
