// Database access for the Auth API: plain SQL over pg, one transaction per state change, as
// GoTrue does each request's writes in one transaction.
import type pg from 'pg';

/** A pool or a client inside a transaction: both can run a query. */
export type Db = Pick<pg.PoolClient, 'query'>;

/** GoTrue writes the nil UUID into every instance_id column. */
export const INSTANCE_ID = '00000000-0000-0000-0000-000000000000';

export async function inTransaction<T>(pool: pg.Pool, fn: (tx: Db) => Promise<T>): Promise<T> {
	const client = await pool.connect();
	try {
		await client.query('begin');
		const result = await fn(client);
		await client.query('commit');
		return result;
	} catch (error) {
		await client.query('rollback').catch(() => {});
		throw error;
	} finally {
		client.release();
	}
}

/** Postgres `timestamp without time zone` columns hold UTC, as GoTrue writes them. */
export function utcTimestamp(date: Date): string {
	return date.toISOString().replace('T', ' ').replace('Z', '');
}

export function isUniqueViolation(error: unknown): boolean {
	return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';
}
