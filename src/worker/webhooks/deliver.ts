// Posts outgoing webhook deliveries. The body is Supabase's database-webhook
// payload for the event row — {type, table, schema, record, old_record} — so a
// receiver written for Supabase database webhooks reads it as is. Each attempt
// is signed afresh (X-Growthdesk-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")),
// logged (status, latency, error), and a failure is retried with exponential
// backoff until the attempts run out. Receivers dedupe on X-Growthdesk-Delivery.
import { sql } from 'kysely';
import type { Database } from '../../lib/server/db/client.ts';
import { SIGNATURE_HEADER, signatureHeader } from '../../lib/webhooks/signature.ts';
import type { Clock } from '../automations/clock.ts';
import { serviceTx } from '../db.ts';
import { send, type OutboundPolicy } from '../outbound.ts';

export type WebhookConfig = {
	db: Database;
	clock: Clock;
	policy: OutboundPolicy;
	maxAttempts: number;
	/** Delay before the second attempt; doubles for each one after (capped at 6 hours). */
	backoffMs: number;
	timeoutMs: number;
};

type Delivery = {
	id: string;
	org_id: string;
	status: string;
	attempts: number;
	url: string;
	secret: string;
	enabled: boolean;
	event: Record<string, unknown> | null;
	event_type: string;
};

/**
 * The database-webhook body for an event row: exactly what a Supabase database
 * webhook on public.events sends for the insert. `record.type` is the event
 * type (contact.created, …); `record.payload` holds ids, never personal data.
 */
export function webhookBody(event: Record<string, unknown>): string {
	return JSON.stringify({
		type: 'INSERT',
		table: 'events',
		schema: 'public',
		record: event,
		old_record: null
	});
}

export async function deliverWebhook(config: WebhookConfig, deliveryId: string): Promise<void> {
	const delivery = await serviceTx(config.db, async (trx) => {
		const { rows } = await sql<Delivery>`
			select d.id::text as id, d.org_id, d.status::text as status, d.attempts, d.event_type,
			       s.url, s.secret, s.enabled,
			       (select jsonb_build_object('id', e.id, 'org_id', e.org_id, 'type', e.type,
			                'subject_type', e.subject_type, 'subject_id', e.subject_id, 'actor_id', e.actor_id,
			                'payload', e.payload, 'occurred_at', e.occurred_at)
			          from public.events e where e.id = d.event_id) as event
			  from public.webhook_deliveries d
			  join public.webhook_subscriptions s on s.org_id = d.org_id and s.id = d.subscription_id
			 where d.id = ${deliveryId}::bigint`.execute(trx);
		return rows[0] ?? null;
	});
	if (!delivery || delivery.status !== 'pending') return;

	const attempt = delivery.attempts + 1;
	const started = config.clock.now();
	let status: number | null = null;
	let body: string | null = null;
	let latency: number | null = null;
	let error: string | null = null;
	let retryable = true;
	if (!delivery.enabled) {
		error = 'The webhook is disabled.';
		retryable = false;
	} else if (!delivery.event) {
		error = 'The event no longer exists.';
		retryable = false;
	} else {
		const payload = webhookBody(delivery.event);
		try {
			const response = await send({
				method: 'POST',
				url: delivery.url,
				headers: {
					'content-type': 'application/json',
					'user-agent': 'Growthdesk-Webhooks/1',
					[SIGNATURE_HEADER]: signatureHeader(delivery.secret, payload, config.clock.now()),
					'x-growthdesk-delivery': delivery.id,
					'x-growthdesk-event': delivery.event_type,
					'x-growthdesk-attempt': String(attempt)
				},
				body: payload,
				timeoutMs: config.timeoutMs,
				policy: config.policy
			});
			status = response.status;
			body = response.body;
			latency = response.latencyMs;
			if (status < 200 || status >= 300) error = `HTTP ${status}`;
		} catch (e) {
			error = (e as Error).message.slice(0, 500);
			retryable = (e as Error).name !== 'OutboundRefused';
		}
	}

	const now = config.clock.now();
	const succeeded = error === null;
	const retry = !succeeded && retryable && attempt < config.maxAttempts;
	const next = retry
		? new Date(now.getTime() + Math.min(6 * 3600e3, config.backoffMs * 2 ** (attempt - 1)))
		: null;
	const logEntry = {
		attempt,
		at: started.toISOString(),
		status,
		latency_ms: latency,
		error
	};
	await serviceTx(config.db, async (trx) => {
		await sql`
			update public.webhook_deliveries
			   set attempts = ${attempt}, response_status = ${status}, response_body = ${body},
			       latency_ms = ${latency}, error = ${error},
			       attempt_log = attempt_log || ${JSON.stringify([logEntry])}::jsonb,
			       status = ${succeeded ? 'succeeded' : retry ? 'pending' : 'failed'}::public.webhook_delivery_status,
			       next_attempt_at = ${next?.toISOString() ?? null}::timestamptz,
			       delivered_at = ${succeeded ? now.toISOString() : null}::timestamptz
			 where id = ${delivery.id}::bigint and status = 'pending'`.execute(trx);
		if (next) {
			await sql`select private.webhook_delivery_schedule(${delivery.id}::bigint, ${next.toISOString()}::timestamptz)`.execute(
				trx
			);
		}
	});
}
