import { fail, redirect } from '@sveltejs/kit';
import { message, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { resolve } from '$app/paths';
import { failFromDb, refused } from '$lib/server/db';
import * as members from '$lib/server/members';
import * as orgs from '$lib/server/orgs';
import * as roles from '$lib/server/roles';
import { memberRoleSchema } from '$lib/schemas/members';
import type { Actions, PageServerLoad } from './$types';
import { leaveSchema, removeMemberSchema } from './schema';

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { org } = await parent();
	const [team, customRoles, basePermissions] = await locals.db((trx) =>
		Promise.all([members.list(trx, org.id), roles.list(trx, org.id), roles.basePermissions(trx)])
	);
	return {
		members: team,
		customRoles: customRoles.map(({ id, name, permissions }) => ({ id, name, permissions })),
		basePermissions,
		roleForm: await superValidate(zod4(memberRoleSchema), { id: 'role', errors: false }),
		removeForm: await superValidate(zod4(removeMemberSchema), { id: 'remove', errors: false }),
		leaveForm: await superValidate(zod4(leaveSchema), { id: 'leave' })
	};
};

export const actions: Actions = {
	role: async (event) => {
		const form = await superValidate(event.request, zod4(memberRoleSchema), { id: 'role' });
		if (!form.valid) return fail(400, { form });
		try {
			const changed = await orgs.withOrg(event, (trx, org) =>
				members.changeRole(trx, org.id, form.data)
			);
			if (!changed) return refused(form, 'Only people who manage members can change roles.');
		} catch (e) {
			return failFromDb(form, e);
		}
		return message(form, { tone: 'success', text: 'The role has been changed.' });
	},

	remove: async (event) => {
		const form = await superValidate(event.request, zod4(removeMemberSchema), { id: 'remove' });
		if (!form.valid) return fail(400, { form });
		try {
			const removed = await orgs.withOrg(event, (trx, org) =>
				members.remove(trx, org.id, form.data.userId)
			);
			if (!removed) return refused(form, 'Only people who manage members can remove them.');
		} catch (e) {
			return failFromDb(form, e);
		}
		return message(form, { tone: 'success', text: 'The member has been removed.' });
	},

	leave: async (event) => {
		const form = await superValidate(event.request, zod4(leaveSchema), { id: 'leave' });
		try {
			const left = await orgs.withOrg(event, (trx, org, user) =>
				members.remove(trx, org.id, user.id)
			);
			if (!left) return refused(form);
		} catch (e) {
			return failFromDb(form, e);
		}
		redirect(303, resolve('/'));
	}
};
