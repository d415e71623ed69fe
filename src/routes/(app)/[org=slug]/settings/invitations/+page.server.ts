import { fail } from '@sveltejs/kit';
import { message, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import type { SessionUser } from '$lib/server/auth';
import { failFromDb, refused, type Trx } from '$lib/server/db';
import * as invitations from '$lib/server/invitations';
import * as mail from '$lib/server/mail';
import * as orgs from '$lib/server/orgs';
import * as profiles from '$lib/server/profiles';
import * as roles from '$lib/server/roles';
import { inviteSchema } from '$lib/schemas/members';
import type { Actions, PageServerLoad } from './$types';
import { invitationIdSchema } from './schema';

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { org } = await parent();
	const [pending, customRoles, basePermissions] = await locals.db((trx) =>
		Promise.all([
			invitations.listPending(trx, org.id),
			roles.list(trx, org.id),
			roles.basePermissions(trx)
		])
	);
	return {
		pending,
		customRoles: customRoles.map(({ id, name, permissions }) => ({ id, name, permissions })),
		basePermissions,
		inviteForm: await superValidate({ role: 'member' }, zod4(inviteSchema), {
			id: 'invite',
			errors: false
		}),
		resendForm: await superValidate(zod4(invitationIdSchema), { id: 'resend', errors: false }),
		revokeForm: await superValidate(zod4(invitationIdSchema), { id: 'revoke', errors: false })
	};
};

/** Who the email says invited them, and where its link leads. */
async function sender(
	trx: Trx,
	org: orgs.OrgSummary,
	user: SessionUser,
	url: URL
): Promise<invitations.Sender> {
	const profile = await profiles.get(trx, user.id);
	return {
		orgId: org.id,
		orgName: org.name,
		inviterName: profile?.fullName || user.email,
		acceptBaseUrl: `${url.origin}/invitations`
	};
}

export const actions: Actions = {
	invite: async (event) => {
		const form = await superValidate(event.request, zod4(inviteSchema), { id: 'invite' });
		if (!form.valid) return fail(400, { form });
		try {
			await orgs.withOrg(event, async (trx, org, user) =>
				invitations.send(trx, mail.getMailer(), await sender(trx, org, user, event.url), form.data)
			);
		} catch (e) {
			if (e instanceof mail.MailNotSentError) {
				return message(form, { tone: 'error', text: e.message }, { status: 503 });
			}
			return failFromDb(form, e, {
				email: 'This address already has a pending invitation; resend it instead.'
			});
		}
		return message(form, { tone: 'success', text: `Invitation sent to ${form.data.email}.` });
	},

	resend: async (event) => {
		const form = await superValidate(event.request, zod4(invitationIdSchema), { id: 'resend' });
		if (!form.valid) return fail(400, { form });
		try {
			const sent = await orgs.withOrg(event, async (trx, org, user) =>
				invitations.resend(
					trx,
					mail.getMailer(),
					await sender(trx, org, user, event.url),
					form.data.id
				)
			);
			if (!sent) return refused(form, 'This invitation can no longer be resent.');
		} catch (e) {
			if (e instanceof mail.MailNotSentError) {
				return message(form, { tone: 'error', text: e.message }, { status: 503 });
			}
			return failFromDb(form, e);
		}
		return message(form, { tone: 'success', text: 'A new link has been sent.' });
	},

	revoke: async (event) => {
		const form = await superValidate(event.request, zod4(invitationIdSchema), { id: 'revoke' });
		if (!form.valid) return fail(400, { form });
		try {
			const revoked = await orgs.withOrg(event, (trx, org) =>
				invitations.revoke(trx, org.id, form.data.id)
			);
			if (!revoked) return refused(form, 'This invitation can no longer be revoked.');
		} catch (e) {
			return failFromDb(form, e);
		}
		return message(form, { tone: 'success', text: 'The invitation has been revoked.' });
	}
};
