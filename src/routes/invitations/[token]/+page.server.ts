import { redirect } from '@sveltejs/kit';
import { message, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { z } from 'zod';
import { resolve } from '$app/paths';
import { requireUser } from '$lib/server/auth';
import { mapDbError } from '$lib/server/db';
import * as invitations from '$lib/server/invitations';
import * as orgs from '$lib/server/orgs';
import type { Actions, PageServerLoad } from './$types';

const acceptSchema = z.object({});

/** What to do when the database refuses the invitation (its code), after its own message. */
const NEXT_STEP: Record<string, string> = {
	invitation_wrong_email:
		'Sign out, then open this link again and sign in (or sign up) with the address it was sent to.',
	invitation_expired: 'Ask the person who invited you to send a new invitation.',
	invitation_revoked:
		'Ask an admin of the organization for a new invitation if you still need one.',
	invitation_used:
		'If you accepted it, the organization is in your list; otherwise ask for a new invitation.',
	invitation_not_found: 'Check that you opened the whole link from the email.',
	invitation_exceeds_sender: 'Ask an admin of the organization for a new invitation.'
};

/** The accept page: open to anyone holding the link, signed in or not. */
export const load: PageServerLoad = async ({ locals, params }) => {
	const user = locals.user;
	const { preview, member } = await locals.db(async (trx) => {
		const preview = await invitations.preview(trx, params.token);
		const member = preview && user ? await orgs.findBySlug(trx, preview.orgSlug, user.id) : null;
		return { preview, member: member !== null };
	});
	return {
		preview,
		member,
		form: await superValidate(zod4(acceptSchema))
	};
};

export const actions: Actions = {
	default: async (event) => {
		requireUser(event);
		const form = await superValidate(event.request, zod4(acceptSchema));
		let slug: string;
		try {
			slug = await event.locals.db((trx) => invitations.accept(trx, event.params.token));
		} catch (e) {
			const mapped = mapDbError(e);
			if (!mapped) throw e;
			const next = mapped.code ? NEXT_STEP[mapped.code] : undefined;
			const text = next ? `${mapped.message} ${next}` : mapped.message;
			return message(form, { tone: 'error', text }, { status: mapped.status });
		}
		redirect(303, resolve('/(app)/[org=slug]', { org: slug }));
	}
};
