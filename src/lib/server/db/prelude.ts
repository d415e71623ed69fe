// A transaction's first statement sent with its BEGIN, in one round trip.
//
// Kysely begins a transaction with a `begin` of its own, so a request under RLS
// cost begin, settings, statement(s) and commit: four round trips for one
// statement. `inTransaction` hands the driver the settings statement, and the
// driver sends `begin; <statement>` as one simple-protocol query (no
// parameters: the caller inlines escaped literals). The transaction is still a
// real Kysely transaction (commit, rollback on error, no nesting); only its
// first two statements share a packet.
//
// The statement reaches the driver through AsyncLocalStorage because Kysely's
// transaction builder passes the driver nothing but isolation level and access
// mode. If the database was not made by `createDatabase` (so the driver never
// takes the statement), the callback runs it itself first: never a transaction
// without its settings.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
	CompiledQuery,
	PostgresDialect,
	PostgresDriver,
	type DatabaseConnection,
	type Driver,
	type Kysely,
	type PostgresDialectConfig,
	type Transaction,
	type TransactionSettings
} from 'kysely';

type Prelude = { sql: string; taken: boolean };

const pending = new AsyncLocalStorage<Prelude>();

/** The connection type PostgresDriver's own methods take (its class is not exported). */
type PostgresConnection = Parameters<PostgresDriver['rollbackTransaction']>[0];

class PreludeDriver extends PostgresDriver {
	override async beginTransaction(
		connection: DatabaseConnection,
		settings: TransactionSettings
	): Promise<void> {
		const prelude = pending.getStore();
		if (!prelude || prelude.taken || settings.isolationLevel || settings.accessMode)
			return super.beginTransaction(connection, settings);
		prelude.taken = true;
		try {
			await connection.executeQuery(CompiledQuery.raw(`begin; ${prelude.sql}`));
		} catch (error) {
			// The begin took effect even though the statement failed, and Kysely only rolls
			// back a transaction whose begin returned: close it here so the pooled connection
			// is not handed out inside an aborted transaction (a failed rollback discards it).
			await this.rollbackTransaction(connection as PostgresConnection).catch(() => {});
			throw error;
		}
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

/**
 * Runs `fn` in a transaction whose first statement is `firstStatement` (one
 * statement, literals inlined, no parameters), sent together with the begin.
 */
export function inTransaction<DB, T>(
	db: Kysely<DB>,
	firstStatement: string,
	fn: (trx: Transaction<DB>) => Promise<T>
): Promise<T> {
	const prelude: Prelude = { sql: firstStatement, taken: false };
	return pending.run(prelude, () =>
		db.transaction().execute((trx) =>
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
