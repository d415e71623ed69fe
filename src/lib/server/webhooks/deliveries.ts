// The delivery log of outgoing webhooks: status, attempts (each with its
// response code, latency and error), and replay by hand.
import { sql, type SqlBool } from 'kysely';
import { mapDbError } from '../db/errors.ts';
import type { Trx } from '../db/rls.ts';
import { WebhookNotFoundError } from './errors.ts';

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export type Delivery = {
	id: string;
	subscriptionId: string;
	eventId: string;
	eventType: string;
	status: DeliveryStatus;
	attempts: number;
	responseStatus: number | null;
	responseBody: string | null;
	latencyMs: number | null;
	error: string | null;
	attemptLog: Array<{
		attempt: number;
		at: string;
		status: number | null;
		latency_ms: number | null;
		error: string | null;
	}>;
	nextAttemptAt: string | null;
	replayOf: string | null;
	createdAt: string;
	deliveredAt: string | null;
};

const iso = (v: unknown) =>
	v === null || v === undefined ? null : new Date(v as string).toISOString();

export async function listDeliveries(
	trx: Trx,
	orgId: string,
	filter: { subscriptionId?: string; status?: DeliveryStatus; before?: string; limit?: number } = {}
): Promise<Delivery[]> {
	let query = trx
		.selectFrom('webhook_deliveries')
		.select([
			sql<string>`id::text`.as('id'),
			'subscription_id',
			sql<string>`event_id::text`.as('event_id'),
			'event_type',
			'status',
			'attempts',
			'response_status',
			'response_body',
			'latency_ms',
			'error',
			'attempt_log',
			'next_attempt_at',
			sql<string | null>`replay_of::text`.as('replay_of'),
			'created_at',
			'delivered_at'
		])
		.where('org_id', '=', orgId);
	if (filter.subscriptionId) query = query.where('subscription_id', '=', filter.subscriptionId);
	if (filter.status) query = query.where('status', '=', filter.status);
	if (filter.before) query = query.where(sql<SqlBool>`id < ${filter.before}::bigint`);
	const rows = await query
		.orderBy('created_at', 'desc')
		.orderBy('id', 'desc')
		.limit(Math.min(filter.limit ?? 50, 200))
		.execute();
	return rows.map((r) => ({
		id: r.id,
		subscriptionId: r.subscription_id,
		eventId: r.event_id,
		eventType: r.event_type,
		status: r.status,
		attempts: r.attempts,
		responseStatus: r.response_status,
		responseBody: r.response_body,
		latencyMs: r.latency_ms,
		error: r.error,
		attemptLog: r.attempt_log as Delivery['attemptLog'],
		nextAttemptAt: iso(r.next_attempt_at),
		replayOf: r.replay_of,
		createdAt: iso(r.created_at)!,
		deliveredAt: iso(r.delivered_at)
	}));
}

/** Posts a delivery again as a new delivery (the original stays in the log); returns its id. */
export async function replay(trx: Trx, deliveryId: string): Promise<string> {
	try {
		const { rows } = await sql<{ id: string }>`
			select public.replay_webhook_delivery(${deliveryId}::bigint)::text as id`.execute(trx);
		return rows[0]!.id;
	} catch (error) {
		if (mapDbError(error)?.status === 404) throw new WebhookNotFoundError(deliveryId, 'Delivery');
		throw error;
	}
}
