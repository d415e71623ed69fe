import { error, fail, redirect } from '@sveltejs/kit';
import { message, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { z } from 'zod';
import { resolve } from '$app/paths';
import { failFromDb, refused } from '$lib/server/db';
import * as orgs from '$lib/server/orgs';
import * as roles from '$lib/server/roles';
import { customRoleSchema } from '$lib/schemas/members';
import type { Actions, PageServerLoad } from './$types';

const TAKEN = { name: 'There is already a role with this name.' };
const deleteSchema = z.object({});

export const load: PageServerLoad = async ({ locals, parent, params }) => {
	const { org } = await parent();
	const [all, catalog] = await locals.db((trx) =>
		Promise.all([roles.list(trx, org.id), roles.catalog(trx)])
	);
	const role = all.find((r) => r.id === params.id);
	if (!role) error(404, 'Page not found');
	return {
		role,
		catalog,
		form: await superValidate(role, zod4(customRoleSchema), { id: 'role', errors: false }),
		deleteForm: await superValidate(zod4(deleteSchema), { id: 'delete' })
	};
};

export const actions: Actions = {
	update: async (event) => {
		const form = await superValidate(event.request, zod4(customRoleSchema), { id: 'role' });
		if (!form.valid) return fail(400, { form });
		try {
			const saved = await orgs.withOrg(event, (trx, org) =>
				roles.update(trx, org.id, event.params.id, form.data)
			);
			if (!saved) return refused(form, 'You cannot change this role (or it was deleted).');
		} catch (e) {
			return failFromDb(form, e, TAKEN);
		}
		return message(form, { tone: 'success', text: 'The role has been saved.' });
	},

	delete: async (event) => {
		const form = await superValidate(event.request, zod4(deleteSchema), { id: 'delete' });
		let name: string | null;
		try {
			name = await orgs.withOrg(event, async (trx, org) => {
				const role = (await roles.list(trx, org.id)).find((r) => r.id === event.params.id);
				return role && (await roles.remove(trx, org.id, role.id)) ? role.name : null;
			});
		} catch (e) {
			return failFromDb(form, e);
		}
		if (!name) return refused(form, 'You cannot delete this role (or it was deleted already).');
		const list = resolve('/(app)/[org=slug]/settings/roles', { org: event.params.org });
		redirect(303, `${list}?deleted=${encodeURIComponent(name)}`);
	}
};
