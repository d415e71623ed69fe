// The two ways to reach the database.
//
// `withRls` does what PostgREST does for a request: inside one transaction it
// switches to the request's role, publishes the verified JWT claims and applies
// the role's statement_timeout, so auth.uid() / auth.jwt() work, Row Level
// Security decides and a slow query is cut off as it would be through
// PostgREST. Every user-facing query goes through it. The settings travel with
// the transaction's begin, pipelined with its first statement, and a request
// that wrote nothing does not wait for its commit (`inTransaction`): a
// one-statement read costs one round trip, a write two (not four). A read
// (`{ readOnly: true }`, as PostgREST runs a GET) begins `read only`: Postgres
// refuses any write in it, and nothing has to check after each statement that
// it wrote nothing.
//
// `asService` runs as service_role (bypasses RLS). It exists for background
// workers and verified webhooks only; a test fails if a route imports it.
import pg from 'pg';
import { sql, type Transaction } from 'kysely';
import type { Database } from './client';
import { inTransaction, type TransactionOptions } from './prelude.ts';
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

/** A SQL string literal (E'…' when it holds a backslash), for the simple-protocol begin. */
const literal = (text: string) => pg.escapeLiteral(text);

/**
 * The role's own statement_timeout (`alter role … set statement_timeout`, for
 * this database or all), null when it has none. `set local role` does not apply
 * a role's settings, so the transaction sets it, as PostgREST does per request;
 * the role's configuration stays the one place it is defined.
 */
const ownTimeout = (role: string) => `(
	select substr(c, length('statement_timeout=') + 1)
	  from pg_catalog.pg_db_role_setting s, unnest(s.setconfig) c
	 where s.setrole = (select oid from pg_catalog.pg_roles where rolname = ${literal(role)})
	   and s.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = current_database()))
	   and starts_with(c, 'statement_timeout=')
	 order by s.setdatabase desc
	 limit 1)`;
/** Without a setting of its own, the role keeps the session's timeout. */
const SESSION_TIMEOUT = `current_setting('statement_timeout')`;

/**
 * Each API role's own timeout, per database handle, looked up in the request
 * that finds it missing or older than ROLE_SETTINGS_TTL_MS, as PostgREST caches
 * role settings with its schema cache. The catalog lookup was a third of the
 * settings statement's cost on every request. Safe because the setting only
 * changes through `alter role` in a migration: a changed timeout reaches every
 * process within the TTL (or at once through `reloadRoleSettings`), and until
 * then requests run with the previous limit, never without one (a role without
 * a setting keeps the session's, exactly as before).
 */
export const ROLE_SETTINGS_TTL_MS = 10_000;
type RoleTimeout = { own: string | null; at: number };
const roleTimeouts = new WeakMap<Database, Map<string, RoleTimeout>>();

/** Forget the cached role timeouts (PostgREST's `reload config`), e.g. after `alter role`. */
export function reloadRoleSettings(db: Database): void {
	roleTimeouts.delete(db);
}

export async function withRls<T>(
	db: Database,
	claims: RequestClaims,
	fn: (trx: Trx) => Promise<T>,
	options: TransactionOptions = {}
): Promise<T> {
	// Never let a token's role claim pick a privileged database role.
	if (!API_ROLES.has(claims.role)) throw new Error(`refusing database role "${claims.role}"`);
	const role = claims.role;
	let cache = roleTimeouts.get(db);
	if (!cache) roleTimeouts.set(db, (cache = new Map<string, RoleTimeout>()));
	const known = cache.get(role);
	const fresh = known !== undefined && Date.now() - known.at < ROLE_SETTINGS_TTL_MS;
	const claimsSettings = `select set_config('role', ${literal(role)}, true),
		set_config('request.jwt.claims', ${literal(JSON.stringify(claims))}, true)`;
	if (fresh) {
		const timeout = known.own === null ? SESSION_TIMEOUT : literal(known.own);
		const settings = `${claimsSettings}, set_config('statement_timeout', ${timeout}, true)`;
		return inTransaction(db, settings, fn, options);
	}
	return inTransaction(
		db,
		claimsSettings,
		async (trx) => {
			// Looked up before the request's own statements run, as part of its settings.
			const { rows } = await sql<{ own: string | null }>`select own,
			set_config('statement_timeout', coalesce(own, ${sql.raw(SESSION_TIMEOUT)}), true)
			from (select ${sql.raw(ownTimeout(role))} as own) t`.execute(trx);
			cache.set(role, { own: rows[0]?.own ?? null, at: Date.now() });
			return fn(trx);
		},
		options
	);
}

/** Public, signed-out access (role anon), e.g. an invitation preview or a published site. */
export function asAnon<T>(db: Database, fn: (trx: Trx) => Promise<T>): Promise<T> {
	return withRls(db, { role: 'anon' }, fn);
}

const SERVICE_SETTINGS = `select set_config('role', 'service_role', true),
	set_config('request.jwt.claims', ${literal(JSON.stringify({ role: 'service_role' }))}, true)`;

/** Workers and verified webhooks only: bypasses RLS. */
export async function asService<T>(db: Database, fn: (trx: Trx) => Promise<T>): Promise<T> {
	return inTransaction(db, SERVICE_SETTINGS, fn);
}
