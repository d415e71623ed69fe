// A transaction's begin and first statement written together, answered in the
// round trip of the first statement the transaction runs.
//
// Kysely begins a transaction with a `begin` of its own, so a request under RLS
// cost begin, settings, statement(s) and commit: four round trips for one
// statement. `inTransaction` hands the driver the settings statement, and the
// driver sends `begin; <statement>` as one simple-protocol query (no
// parameters: the caller inlines escaped literals) without waiting for its
// answer: the pool's connections are in pg's pipeline mode, so the request's
// first statement is written right behind it and both answers come back in one
// round trip. The transaction is still a real Kysely transaction (commit,
// rollback on error, no nesting).
//
// Never a statement without its settings: begin and settings are one query, so
// when the settings fail the transaction is aborted and the statement written
// behind them fails too ("current transaction is aborted"); the caller gets the
// settings' error (from that statement, or from the commit when it ran none),
// and Kysely rolls back. The connection goes back to the pool only after every
// answer is in.
//
// A read-only transaction (`begin read only`, as PostgREST runs a GET) needs no
// probe: Postgres itself refuses any write in it (an insert, a row lock, a
// function that writes: "cannot execute … in a read-only transaction"), so it
// can never have written, and its commit is never waited for.
//
// The statement reaches the driver through AsyncLocalStorage because Kysely's
// transaction builder passes the driver nothing but isolation level and access
// mode. If the database was not made by `createDatabase` (so the driver never
// takes the statement), the callback runs it itself first: never a transaction
// without its settings. Without pipeline mode the pg client queues the
// statement behind the prelude's answer: the same results, one round trip more.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Writable } from 'node:stream';
import {
	CompiledQuery,
	PostgresDialect,
	PostgresDriver,
	type DatabaseConnection,
	type Driver,
	type Kysely,
	type PostgresDialectConfig,
	type QueryResult,
	type Transaction,
	type TransactionSettings
} from 'kysely';

type Prelude = { sql: string; taken: boolean; readOnly: boolean };

const pending = new AsyncLocalStorage<Prelude>();

/** The connection type PostgresDriver's own methods take (its class is not exported). */
type PostgresConnection = Parameters<PostgresDriver['rollbackTransaction']>[0];

/**
 * What a connection's open prelude transaction has left unanswered: its
 * begin-and-settings until the first query collects it, and whether it has
 * written nothing so far (a probe answered behind its latest statement; null
 * once it is known to have written; 'read only' when Postgres refuses writes).
 */
type Pipelined = {
	prelude: Promise<QueryResult<unknown>> | null;
	clean: Promise<boolean> | null | 'read only';
};
const open = new WeakMap<DatabaseConnection, Pipelined>();
const patched = new WeakSet<DatabaseConnection>();

/** Statements that write whatever they contain; any other is followed by the probe. */
const WRITES = new Set(['InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode', 'MergeQueryNode']);
/**
 * No transaction id yet means nothing written so far: any row written, locked
 * (`for update`) or table created takes one. Written behind the statement, it
 * comes back in the statement's round trip; after a failed statement it fails
 * too (the transaction is aborted), which counts as not clean.
 */
const PROBE = CompiledQuery.raw('select pg_current_xact_id_if_assigned() is null as clean');

/**
 * Once per connection (Kysely keeps one connection object per pooled client):
 * inside a prelude transaction, a query is written at once, the unanswered
 * prelude is collected with it (its error, if any, is the query's) and a
 * statement that may not have written is followed by the probe.
 */
function pipelineThrough(connection: DatabaseConnection): void {
	if (patched.has(connection)) return;
	patched.add(connection);
	const execute = connection.executeQuery.bind(connection);
	connection.executeQuery = async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
		const state = open.get(connection);
		if (!state) return execute<R>(query);
		const prelude = state.prelude;
		state.prelude = null;
		const answer = execute<R>(query); // written now, behind the prelude
		if (state.clean && state.clean !== 'read only') {
			state.clean = WRITES.has(query.query.kind)
				? null
				: execute<{ clean: boolean }>(PROBE).then(
						(r) => r.rows[0]?.clean === true,
						() => false
					);
		}
		if (prelude) {
			try {
				await prelude;
			} catch (error) {
				await answer.catch(() => {});
				throw error;
			}
		}
		return answer;
	};
}

class PreludeDriver extends PostgresDriver {
	override async beginTransaction(
		connection: DatabaseConnection,
		settings: TransactionSettings
	): Promise<void> {
		const prelude = pending.getStore();
		// The access mode is the prelude's own (`inTransaction`'s readOnly) or not ours to take.
		const readOnly = settings.accessMode === 'read only';
		if (
			!prelude ||
			prelude.taken ||
			settings.isolationLevel ||
			(settings.accessMode !== undefined && !(readOnly && prelude.readOnly))
		)
			return super.beginTransaction(connection, settings);
		prelude.taken = true;
		pipelineThrough(connection);
		// Returned before its answer: Kysely's next query on the connection (the
		// request's first statement, its commit or its rollback) collects it.
		const begin = prelude.readOnly ? 'begin read only' : 'begin';
		const sent = connection.executeQuery(CompiledQuery.raw(`${begin}; ${prelude.sql}`));
		sent.catch(() => {}); // observed by that next query
		open.set(connection, {
			prelude: sent,
			clean: prelude.readOnly ? 'read only' : Promise.resolve(true)
		});
	}

	override async commitTransaction(connection: DatabaseConnection): Promise<void> {
		const state = open.get(connection);
		open.delete(connection);
		// No statement ran: the commit collects the settings' answer (an error rolls back).
		if (state?.prelude) await state.prelude;
		if (!state?.clean || (state.clean !== 'read only' && !(await state.clean)))
			return super.commitTransaction(connection);
		// Nothing written (nothing could be, read only) and no statement failed: the
		// commit's answer cannot change the request's outcome, so it is not waited for. It is written now, and whoever takes
		// the connection next is answered after it; a lost connection fails them too.
		connection.executeQuery(CompiledQuery.raw('commit')).catch((error: unknown) => {
			console.error(`[db] commit of a read-only transaction failed: ${String(error)}`);
		});
	}

	override async rollbackTransaction(connection: PostgresConnection): Promise<void> {
		open.delete(connection);
		return super.rollbackTransaction(connection);
	}
}

/** Postgres through `pg`, with transactions that can carry their first statement. */
export class PreludePostgresDialect extends PostgresDialect {
	readonly #config: PostgresDialectConfig;
	constructor(config: PostgresDialectConfig) {
		super(config);
		this.#config = config;
	}
	override createDriver(): Driver {
		return new PreludeDriver(this.#config);
	}
}

export type TransactionOptions = {
	/** `begin read only`: any write is refused by Postgres, and no probe is needed. */
	readOnly?: boolean;
};

/**
 * Runs `fn` in a transaction whose first statement is `firstStatement` (one
 * statement, literals inlined, no parameters), sent together with the begin.
 */
export function inTransaction<DB, T>(
	db: Kysely<DB>,
	firstStatement: string,
	fn: (trx: Transaction<DB>) => Promise<T>,
	options: TransactionOptions = {}
): Promise<T> {
	const readOnly = options.readOnly === true;
	const prelude: Prelude = { sql: firstStatement, taken: false, readOnly };
	// Without the driver (a database not made by `createDatabase`), Kysely begins it.
	const transaction = readOnly ? db.transaction().setAccessMode('read only') : db.transaction();
	return pending.run(prelude, () =>
		transaction.execute((trx) =>
			// Nothing `fn` starts may see this prelude (a transaction on another database).
			pending.exit(async () => {
				if (!prelude.taken) {
					prelude.taken = true;
					await trx.executeQuery(CompiledQuery.raw(firstStatement));
				}
				return fn(trx);
			})
		)
	);
}

/**
 * Everything a pooled client writes in one turn of the event loop leaves in one
 * write to the socket: the transaction's begin-and-settings, its first statement
 * and the probe behind it are written a few microtasks apart, and each write was
 * a system call of its own (and a wake-up of the server for each), which cost
 * more than the statements themselves. Nothing waits longer than the end of the
 * current tick; the bytes and their order are unchanged.
 */
export function coalesceWrites(client: { connection: unknown }): void {
	const stream = (client.connection as { stream: Writable }).stream;
	const write = stream.write.bind(stream);
	let corked = false;
	const flush = () => {
		corked = false;
		stream.uncork();
	};
	stream.write = ((...args: Parameters<Writable['write']>) => {
		if (!corked) {
			corked = true;
			stream.cork();
			process.nextTick(flush);
		}
		return write(...args);
	}) as Writable['write'];
}
