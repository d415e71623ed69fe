// One Kysely instance per DATABASE_URL. In production that URL is Supabase's
// pooled connection in transaction mode, which is why every request runs in
// exactly one transaction and nothing relies on session state. The pool's
// connections are in pg's pipeline mode: a query is written without waiting for
// the answers before it, which lets a transaction's begin and settings share the
// round trip of its first statement, in one write to the socket (see prelude.ts).
import { Kysely } from 'kysely';
import pg from 'pg';
import { coalesceWrites, PreludePostgresDialect } from './prelude.ts';
import type { DB } from './schema';

export type Database = Kysely<DB>;

export function createDatabase(connectionString: string, max = 10): Database {
	const pool = new pg.Pool({ connectionString, max, pipeline: true });
	// An idle connection the server closes (restart, failover, shutdown) must not
	// crash the process; the pool replaces it on the next checkout.
	pool.on('error', (error) => console.error(`[db] idle connection lost: ${error.message}`));
	// A transaction's pipelined statements leave in one write (see prelude.ts).
	pool.on('connect', (client) => coalesceWrites(client));
	return new Kysely<DB>({ dialect: new PreludePostgresDialect({ pool }) });
}
