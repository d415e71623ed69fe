// The inbound webhook's database side, over SUPABASE_DB_URL (the connection
// Supabase gives every function), as service_role: the endpoint's secret, the
// refusal log, and private.inbound_webhook_receive(), which writes the contact,
// its tags, the webhook.received event and the request log in one transaction.
import pg from 'npm:pg@^8';
import { RejectedValue, type InboundBody, type Received, type Store } from './handler.ts';

/** Postgres errors that mean the values were refused (check, format, not-null). */
const VALUE_ERRORS = new Set(['23514', '23502', '22P02', '22001', '22007', '22003']);

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
		secret: (id) =>
			asService(async (c) => {
				const { rows } = await c.query<{ secret: string }>(
					'select secret from public.inbound_webhooks where id = $1 and enabled',
					[id]
				);
				return rows[0]?.secret ?? null;
			}),
		refused: (id, status, error) =>
			asService(async (c) => {
				await c.query('select private.inbound_webhook_refused($1, $2, $3)', [id, status, error]);
			}),
		receive: async (id, body: InboundBody) => {
			try {
				return await asService(async (c) => {
					const { rows } = await c.query<Received>(
						`select request_id::int as request_id, contact_id, created, event_id::int as event_id
						   from private.inbound_webhook_receive($1, $2::jsonb)`,
						[id, JSON.stringify(body)]
					);
					return rows[0]!;
				});
			} catch (error) {
				const { code, column } = error as { code?: string; column?: string };
				if (code && VALUE_ERRORS.has(code))
					throw new RejectedValue((error as Error).message, column);
				throw error;
			}
		}
	};
}
