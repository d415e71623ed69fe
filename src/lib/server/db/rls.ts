// The two ways to reach the database.
//
// `withRls` does what PostgREST does for a request: inside one transaction it
// switches to the request's role, publishes the verified JWT claims and applies
// the role's statement_timeout, in one round trip, so auth.uid() / auth.jwt()
// work, Row Level Security decides and a slow query is cut off as it would be
// through PostgREST. Every user-facing query goes through it.
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

/**
 * The role's own statement_timeout (`alter role … set statement_timeout`, for
 * this database or all), else the session's. `set local role` does not apply a
 * role's settings, so the transaction sets it, as PostgREST does per request;
 * the role's configuration stays the one place it is defined.
 */
const roleTimeout = (role: string) => sql`coalesce((
	select substr(c, length('statement_timeout=') + 1)
	  from pg_catalog.pg_db_role_setting s, unnest(s.setconfig) c
	 where s.setrole = (select oid from pg_catalog.pg_roles where rolname = ${role})
	   and s.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = current_database()))
	   and starts_with(c, 'statement_timeout=')
	 order by s.setdatabase desc
	 limit 1), current_setting('statement_timeout'))`;

export async function withRls<T>(
	db: Database,
	claims: RequestClaims,
	fn: (trx: Trx) => Promise<T>
): Promise<T> {
	// Never let a token's role claim pick a privileged database role.
	if (!API_ROLES.has(claims.role)) throw new Error(`refusing database role "${claims.role}"`);
	return db.transaction().execute(async (trx) => {
		await sql`select set_config('role', ${claims.role}, true),
			set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
			set_config('statement_timeout', ${roleTimeout(claims.role)}, true)`.execute(trx);
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
