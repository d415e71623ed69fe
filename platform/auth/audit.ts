// auth.audit_log_entries: one row per auth event, with GoTrue's payload (actor, action,
// log type, traits), so the dashboard-style audit queries written for Supabase work here.
import { randomUUID } from 'node:crypto';
import { INSTANCE_ID, type Db } from './db.ts';

export type AuditAction =
	| 'login'
	| 'logout'
	| 'user_signedup'
	| 'user_invited'
	| 'user_deleted'
	| 'user_modified'
	| 'user_recovery_requested'
	| 'user_confirmation_requested'
	| 'user_repeated_signup'
	| 'user_updated_password'
	| 'user_reauthenticate_requested'
	| 'token_revoked'
	| 'token_refreshed';

const logTypes: Record<AuditAction, string> = {
	login: 'account',
	logout: 'account',
	user_signedup: 'team',
	user_invited: 'team',
	user_deleted: 'team',
	token_revoked: 'token',
	token_refreshed: 'token',
	user_modified: 'user',
	user_recovery_requested: 'user',
	user_confirmation_requested: 'user',
	user_repeated_signup: 'user',
	user_updated_password: 'user',
	user_reauthenticate_requested: 'user'
};

/** Who did it: a user row, or the service role acting as admin (GoTrue's admin user). */
export type AuditActor = {
	id: string;
	email: string | null;
	phone?: string | null;
	raw_user_meta_data?: Record<string, unknown> | null;
};

export const SERVICE_ROLE_ACTOR: AuditActor = {
	id: INSTANCE_ID,
	email: 'service_role'
};

export async function audit(
	db: Db,
	actor: AuditActor,
	action: AuditAction,
	now: Date,
	traits?: Record<string, unknown>
): Promise<void> {
	const payload: Record<string, unknown> = {
		actor_id: actor.id,
		actor_via_sso: false,
		actor_username: actor.phone || actor.email || '',
		action,
		log_type: logTypes[action]
	};
	const name = actor.raw_user_meta_data?.full_name;
	if (name !== undefined) payload.actor_name = name;
	if (traits) payload.traits = traits;
	await db.query(
		`insert into auth.audit_log_entries (instance_id, id, payload, created_at, ip_address)
		 values ($1, $2, $3, $4, '')`,
		[INSTANCE_ID, randomUUID(), payload, now]
	);
}
