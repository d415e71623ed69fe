// Invitations: send (and resend) by email, revoke, list the pending ones,
// preview and accept by token. Rows are written under the sender's RLS
// transaction; the email is sent before it commits, so a failed send leaves
// nothing behind.
import { sql } from 'kysely';
import type { Trx } from '$lib/server/db';
import type { Mailer } from '$lib/server/mail';
import { ROLE_LABELS, type InviteInput, type Role } from '$lib/schemas/members';
import { invitationEmail } from './email';
import { newToken } from './tokens';

export const INVITATION_DAYS = 7;

export type PendingInvitation = {
	id: string;
	email: string;
	role: Role;
	customRoleName: string | null;
	invitedBy: string | null;
	createdAt: string;
	expiresAt: string;
	expired: boolean;
};

export type InvitationPreview = {
	orgName: string;
	orgSlug: string;
	email: string;
	role: Role;
	inviterName: string | null;
	status: 'pending' | 'accepted' | 'revoked' | 'expired';
	expiresAt: string;
};

/** Who is sending, for the email, and where the accept page lives. */
export type Sender = { orgId: string; orgName: string; inviterName: string; acceptBaseUrl: string };

const expiry = () => new Date(Date.now() + INVITATION_DAYS * 24 * 3600 * 1000);

export async function send(
	trx: Trx,
	mailer: Mailer,
	from: Sender,
	input: InviteInput
): Promise<string> {
	const { token, hash } = newToken();
	const expiresAt = expiry();
	const row = await trx
		.insertInto('invitations')
		.values({
			org_id: from.orgId,
			email: input.email,
			role: input.role,
			custom_role_id: input.customRoleId,
			token_hash: hash,
			expires_at: expiresAt.toISOString()
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	await mailer.send(
		invitationEmail({
			to: input.email,
			orgName: from.orgName,
			inviterName: from.inviterName,
			role: ROLE_LABELS[input.role],
			acceptUrl: `${from.acceptBaseUrl}/${token}`,
			expiresAt
		})
	);
	return row.id;
}

/** A fresh link and a fresh week for a pending invitation; the old link stops working. */
export async function resend(
	trx: Trx,
	mailer: Mailer,
	from: Sender,
	invitationId: string
): Promise<boolean> {
	const { token, hash } = newToken();
	const expiresAt = expiry();
	const row = await trx
		.updateTable('invitations')
		.set({ token_hash: hash, expires_at: expiresAt.toISOString() })
		.where('id', '=', invitationId)
		.where('org_id', '=', from.orgId)
		.where('accepted_at', 'is', null)
		.where('revoked_at', 'is', null)
		.returning(['email', 'role'])
		.executeTakeFirst();
	if (!row) return false;
	await mailer.send(
		invitationEmail({
			to: row.email,
			orgName: from.orgName,
			inviterName: from.inviterName,
			role: ROLE_LABELS[row.role],
			acceptUrl: `${from.acceptBaseUrl}/${token}`,
			expiresAt
		})
	);
	return true;
}

export async function revoke(trx: Trx, orgId: string, invitationId: string): Promise<boolean> {
	const result = await trx
		.updateTable('invitations')
		.set({ revoked_at: new Date().toISOString() })
		.where('id', '=', invitationId)
		.where('org_id', '=', orgId)
		.where('accepted_at', 'is', null)
		.where('revoked_at', 'is', null)
		.executeTakeFirst();
	return result.numUpdatedRows === 1n;
}

/** Invitations not yet accepted or revoked, newest first (expired ones included, marked). */
export async function listPending(trx: Trx, orgId: string): Promise<PendingInvitation[]> {
	const rows = await trx
		.selectFrom('invitations as i')
		.leftJoin('roles as r', 'r.id', 'i.custom_role_id')
		.leftJoin('profiles as p', 'p.id', 'i.invited_by')
		.select([
			'i.id',
			'i.email',
			'i.role',
			'r.name as custom_role_name',
			'p.full_name',
			'p.email as inviter_email',
			'i.created_at',
			'i.expires_at'
		])
		.where('i.org_id', '=', orgId)
		.where('i.accepted_at', 'is', null)
		.where('i.revoked_at', 'is', null)
		.orderBy('i.created_at', 'desc')
		.execute();
	const now = Date.now();
	return rows.map((r) => ({
		id: r.id,
		email: r.email,
		role: r.role,
		customRoleName: r.custom_role_name,
		invitedBy: r.full_name || r.inviter_email || null,
		createdAt: r.created_at,
		expiresAt: r.expires_at,
		expired: new Date(r.expires_at).getTime() <= now
	}));
}

/** What the accept page shows; null for a token that matches nothing. Works signed out. */
export async function preview(trx: Trx, token: string): Promise<InvitationPreview | null> {
	const { rows } = await sql<{
		org_name: string;
		org_slug: string;
		email: string;
		role: Role;
		inviter_name: string | null;
		status: InvitationPreview['status'];
		expires_at: string;
	}>`select * from public.invitation_preview(${token})`.execute(trx);
	const row = rows[0];
	return row
		? {
				orgName: row.org_name,
				orgSlug: row.org_slug,
				email: row.email,
				role: row.role,
				inviterName: row.inviter_name,
				status: row.status,
				expiresAt: row.expires_at
			}
		: null;
}

/** Joins the organization; returns its slug. Errors come from the database with a code (mapDbError). */
export async function accept(trx: Trx, token: string): Promise<string> {
	const { rows } = await sql<{
		id: string;
	}>`select public.accept_invitation(${token}) as id`.execute(trx);
	// A second statement: only now does the new membership make the organization visible.
	const org = await trx
		.selectFrom('organizations')
		.select('slug')
		.where('id', '=', rows[0]!.id)
		.executeTakeFirstOrThrow();
	return org.slug;
}
