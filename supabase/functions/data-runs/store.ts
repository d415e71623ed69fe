// The data-runs webhook's database side, over SUPABASE_DB_URL as service_role:
// private.data_run_receive() writes a delivery in one transaction, and
// private.data_run_refused() logs a refused one on its run.
import pg from 'npm:pg@^8';
import { RejectedValue, type Outcome, type RunDelivery, type Store } from './handler.ts';

/** Postgres errors that mean the values were refused (check, format, unknown organization). */
const VALUE_ERRORS = new Set([
	'23514',
	'23502',
	'23503',
	'22P02',
	'22001',
	'22007',
	'22008',
	'22003',
	'22023'
]);

export function createPgStore(connectionString: string): Store {
	const pool = new pg.Pool({ connectionString, max: 4 });

	async function asService<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
		const client = await pool.connect();
		try {
			await client.query(
				`begin; select set_config('role', 'service_role', true), set_config('request.jwt.claims', '{"role":"service_role"}', true)`
			);
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

	return {
		receive: async ({ items, ...run }: RunDelivery) => {
			try {
				return await asService(async (c) => {
					const { rows } = await c.query<{ outcome: Outcome }>(
						'select private.data_run_receive($1::jsonb, $2::jsonb) as outcome',
						[JSON.stringify(run), JSON.stringify(items ?? [])]
					);
					return rows[0]!.outcome;
				});
			} catch (error) {
				const { code, column } = error as { code?: string; column?: string };
				if (code && VALUE_ERRORS.has(code)) {
					const message =
						code === '23503' ? 'No such organization (org_id).' : (error as Error).message;
					throw new RejectedValue(message, code === '23503' ? 'org_id' : column);
				}
				throw error;
			}
		},
		refused: (provider, runId, message) =>
			asService(async (c) => {
				await c.query('select private.data_run_refused($1, $2, $3)', [provider, runId, message]);
			})
	};
}
