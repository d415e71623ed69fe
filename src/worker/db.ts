// Database access for the worker: transactions as service_role (what asService
// does for the app), opened in one round trip, on a connection the caller may
// pin across several transactions (a session advisory lock spans them).
import { sql, type Kysely } from 'kysely';
import type { Database } from '../lib/server/db/client.ts';
import type { DB } from '../lib/server/db/schema.ts';

/** A connection (or transaction) the worker's queries run on. */
export type Conn = Kysely<DB>;

const BEGIN_AS_SERVICE = sql.raw(
	`begin; select set_config('role', 'service_role', true), ` +
		`set_config('request.jwt.claims', '{"role":"service_role"}', true)`
);
const COMMIT = sql.raw('commit');
const ROLLBACK = sql.raw('rollback');

/** Runs `fn` on one pinned connection (for work that spans transactions). */
export function withConnection<T>(db: Database, fn: (conn: Conn) => Promise<T>): Promise<T> {
	return db.connection().execute(fn);
}

/** One service_role transaction on a pinned connection. */
export async function txOn<T>(conn: Conn, fn: (trx: Conn) => Promise<T>): Promise<T> {
	await BEGIN_AS_SERVICE.execute(conn);
	let result: T;
	try {
		result = await fn(conn);
	} catch (error) {
		await ROLLBACK.execute(conn).catch(() => {});
		throw error;
	}
	await COMMIT.execute(conn);
	return result;
}

/** One service_role transaction (workers only: bypasses RLS). */
export function serviceTx<T>(db: Database, fn: (trx: Conn) => Promise<T>): Promise<T> {
	return withConnection(db, (conn) => txOn(conn, fn));
}
