// The public redirect of a collaboration's tracking link (/r/<code>): one
// narrow database function (schema `tracking`, run as anon) that answers the
// destination stored for the code and records the click. Nothing in the
// request is ever redirected to: an unknown code is null, and the route
// answers 404.
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';

/** A tracking link's code, as the database stores them (12 URL-safe characters; 8–32 accepted). */
export const CODE = /^[A-Za-z0-9_-]{8,32}$/;

/** Records a click by the visitor and returns the stored destination; null for an unknown code. */
export async function click(
	trx: Trx,
	code: string,
	visitorId: string | null
): Promise<string | null> {
	if (!CODE.test(code)) return null;
	const { rows } = await sql<{ url: string | null }>`
		select tracking.collaboration_click(${code}, ${visitorId}::uuid) as url`.execute(trx);
	return rows[0]?.url ?? null;
}
