// The public unsubscribe link: verify the signed token, then the one narrow
// database function that withdraws email consent (unsubscribe.withdraw_email),
// run as the request's role (anon for people who are not signed in).
// Use as `import * as unsubscribe from '$lib/server/unsubscribe'`.
import { sql } from 'kysely';
import { env } from '$env/dynamic/private';
import type { Trx } from '$lib/server/db';
import { verify, type UnsubscribeClaims } from '$lib/unsubscribe/token';

export class BadTokenError extends Error {
	override readonly name = 'BadTokenError';
	constructor() {
		super('This unsubscribe link is not valid. It may have been cut short or changed.');
	}
}

function secret(): string {
	const value = env.UNSUBSCRIBE_SECRET;
	if (!value) throw new Error('UNSUBSCRIBE_SECRET is not set');
	return value;
}

/** The claims of a genuine token; BadTokenError otherwise. */
export function read(token: string): UnsubscribeClaims {
	const claims = verify(secret(), token);
	if (!claims) throw new BadTokenError();
	return claims;
}

/** The organization's name, for the confirm page; BadTokenError when it no longer exists. */
export async function orgName(trx: Trx, claims: UnsubscribeClaims): Promise<string> {
	const { rows } = await sql<{ name: string | null }>`
		select unsubscribe.org_name(${claims.orgId}::uuid) as name`.execute(trx);
	const name = rows[0]?.name;
	if (!name) throw new BadTokenError();
	return name;
}

/**
 * Withdraws the contact's email consent and, for a campaign message's link, records
 * message.unsubscribed for that message (once); returns the organization's name.
 */
export async function confirm(trx: Trx, claims: UnsubscribeClaims): Promise<string> {
	const { rows } = await sql<{ name: string | null }>`
		select unsubscribe.withdraw_email(${claims.orgId}::uuid, ${claims.contactId}::uuid) as name`.execute(
		trx
	);
	const name = rows[0]?.name;
	if (!name) throw new BadTokenError();
	if (claims.messageId)
		await sql`select unsubscribe.message_unsubscribed(${claims.orgId}::uuid, ${claims.contactId}::uuid,
			${claims.messageId}::uuid)`.execute(trx);
	return name;
}
