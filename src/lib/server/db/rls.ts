// The two ways to reach the database.
//
// `withRls` does what PostgREST does for a request: inside one transaction it
// switches to the request's role and publishes the verified JWT claims, in one
// round trip, so auth.uid() / auth.jwt() work and Row Level Security decides.
// Every user-facing query goes through it.
//
// `asService` runs as service_role (bypasses RLS). It exists for background
// workers and verified webhooks only; a test fails if a route imports it.
import { sql, type Transaction } from 'kysely';
import type { Database } from './client';
import type { DB } from './schema';

export type Trx = Transaction<DB>;

/** The subset of Supabase JWT claims the database layer relies on. */
export type RequestClaims = {
	sub?: string;
	role: string;
	email?: string;
	[claim: string]: unknown;
};

const API_ROLES = new Set(['anon', 'authenticated']);

export async function withRls<T>(
	db: Database,
	claims: RequestClaims,
	fn: (trx: Trx) => Promise<T>
): Promise<T> {
	// Never let a token's role claim pick a privileged database role.
	if (!API_ROLES.has(claims.role)) throw new Error(`refusing database role "${claims.role}"`);
	return db.transaction().execute(async (trx) => {
		await sql`select set_config('role', ${claims.role}, true),
			set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`.execute(trx);
		return fn(trx);
	});
}

/** Public, signed-out access (role anon), e.g. an invitation preview or a published site. */
export function asAnon<T>(db: Database, fn: (trx: Trx) => Promise<T>): Promise<T> {
	return withRls(db, { role: 'anon' }, fn);
}

/** Workers and verified webhooks only: bypasses RLS. */
export async function asService<T>(db: Database, fn: (trx: Trx) => Promise<T>): Promise<T> {
	return db.transaction().execute(async (trx) => {
		await sql`select set_config('role', 'service_role', true),
			set_config('request.jwt.claims', ${JSON.stringify({ role: 'service_role' })}, true)`.execute(trx);
		return fn(trx);
	});
}
