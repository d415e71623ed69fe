// Outgoing webhooks against a local endpoint, with a real worker: retried with
// backoff until the endpoint answers, signed, logged per attempt, replayable;
// private targets refused unless allowed; and Supabase-style database webhooks
// (supabase_functions.http_request) delivered with retries.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { withRls } from '../../src/lib/server/db/rls.ts';
import { verify } from '../../src/lib/webhooks/signature.ts';
import { workerSettings } from '../../src/worker/config.ts';
import { addressProblem, urlProblem } from '../../src/worker/outbound.ts';
import { startWorker, type RunningWorker } from '../../src/worker/runtime.ts';
import { deliverWebhook } from '../../src/worker/webhooks/deliver.ts';
import { systemClock } from '../../src/worker/automations/clock.ts';
import { createContact, engineWorld, type EngineWorld } from '../automations/helpers.ts';
import { startTarget, type Target } from '../automations/target.ts';

let w: EngineWorld;
let worker: RunningWorker;
let target: Target;

beforeAll(async () => {
	w = await engineWorld();
	target = await startTarget();
	worker = await startWorker({
		settings: workerSettings({
			DATABASE_URL: w.testDb.url,
			WORKER_CONCURRENCY: '4',
			WORKER_POLL_INTERVAL_MS: '50',
			WEBHOOK_BACKOFF_MS: '50',
			WEBHOOK_MAX_ATTEMPTS: '4',
			OUTBOUND_ALLOW_LOOPBACK: '1'
		}),
		log: () => {}
	});
});
afterAll(async () => {
	await worker?.stop();
	await target.close();
	await w.close();
});

type Delivery = {
	id: string;
	status: string;
	attempts: number;
	response_status: number | null;
	attempt_log: Array<{ status: number | null; error: string | null; latency_ms: number | null }>;
	replay_of: string | null;
};

async function deliveries(subscriptionId: string): Promise<Delivery[]> {
	const { rows } = await w.pool.query<Delivery>(
		`select id::text, status::text, attempts, response_status, attempt_log, replay_of::text
		   from public.webhook_deliveries where subscription_id = $1 order by id`,
		[subscriptionId]
	);
	return rows;
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
	const deadline = Date.now() + ms;
	for (;;) {
		const value = await fn();
		if (ok(value) || Date.now() > deadline) return value;
		await new Promise((r) => setTimeout(r, 50));
	}
}

async function subscribe(
	path: string,
	eventTypes: string[]
): Promise<{ id: string; secret: string }> {
	return withRls(w.world.db, w.world.claims('admin'), (trx) =>
		trx
			.insertInto('webhook_subscriptions')
			.values({ org_id: w.world.orgA, url: `${target.url}${path}`, event_types: eventTypes })
			.returning(['id', 'secret'])
			.executeTakeFirstOrThrow()
	);
}

describe('outgoing webhooks', () => {
	it('retries an endpoint that fails twice, then logs the success; every attempt is signed', async () => {
		target.received.length = 0;
		target.script = [500, 502, 204];
		const sub = await subscribe('/retry', ['contact.created']);
		const contact = await createContact(w);
		const [delivery] = await until(
			() => deliveries(sub.id),
			(d) => d[0]?.status === 'succeeded'
		);
		expect(delivery).toMatchObject({ status: 'succeeded', attempts: 3, response_status: 204 });
		expect(delivery!.attempt_log.map((a) => a.status)).toEqual([500, 502, 204]);

		const hits = target.received.filter((r) => r.path === '/retry');
		expect(hits).toHaveLength(3);
		expect(new Set(hits.map((h) => h.headers['x-growthdesk-delivery']))).toEqual(
			new Set([delivery!.id])
		);
		for (const hit of hits) {
			const header = hit.headers['x-growthdesk-signature'] as string;
			expect(verify(sub.secret, header, hit.body)).toEqual({ ok: true });
			expect(verify('another-secret-another-secret-00', header, hit.body).ok).toBe(false);
		}
		const body = JSON.parse(hits[0]!.body) as Record<string, unknown>;
		expect(body).toMatchObject({
			type: 'INSERT',
			table: 'events',
			schema: 'public',
			old_record: null,
			record: {
				type: 'contact.created',
				subject_type: 'contact',
				subject_id: contact,
				org_id: w.world.orgA
			}
		});
	});

	it('gives up after the last attempt, and a replay delivers it again', async () => {
		target.script = [500];
		const sub = await subscribe('/down', ['contact.created']);
		await createContact(w);
		const [failed] = await until(
			() => deliveries(sub.id),
			(d) => d[0]?.status === 'failed'
		);
		expect(failed).toMatchObject({ status: 'failed', attempts: 4 });

		target.script = [200];
		await expect(
			withRls(w.world.db, w.world.claims('member'), (trx) =>
				sql`select public.replay_webhook_delivery(${failed!.id}::bigint)`.execute(trx)
			)
		).rejects.toThrow(/not found/);
		await withRls(w.world.db, w.world.claims('admin'), (trx) =>
			sql`select public.replay_webhook_delivery(${failed!.id}::bigint)`.execute(trx)
		);
		const all = await until(
			() => deliveries(sub.id),
			(d) => d[1]?.status === 'succeeded'
		);
		expect(all[1]).toMatchObject({ status: 'succeeded', attempts: 1, replay_of: failed!.id });
		await w.pool.query('update public.webhook_subscriptions set enabled = false where id = $1', [
			sub.id
		]);
	});

	it('refuses loopback and private targets unless configuration allows them', async () => {
		const strict = { allowLoopback: false, allowPrivate: false };
		expect(addressProblem('127.0.0.1', strict)).toMatch(/loopback/);
		expect(addressProblem('::ffff:10.1.2.3', strict)).toMatch(/private/);
		expect(addressProblem('169.254.169.254', strict)).toMatch(/link-local/);
		expect(addressProblem('0.0.0.0', { allowLoopback: true, allowPrivate: true })).toMatch(
			/routable/
		);
		expect(addressProblem('93.184.216.34', strict)).toBeNull();
		expect(urlProblem('http://localhost:8080/x', strict)).toMatch(/loopback/);
		expect(urlProblem('http://[::1]/x', strict)).toMatch(/loopback/);
		expect(urlProblem('ftp://example.test', strict)).toMatch(/http/);
		expect(
			urlProblem('http://127.0.0.1/x', { allowLoopback: true, allowPrivate: false })
		).toBeNull();

		await worker.stop(); // deliver this one by hand, with the strict policy
		target.received.length = 0;
		const sub = await subscribe('/private', ['contact.updated']);
		const contact = await createContact(w);
		await w.pool.query(`update public.contacts set first_name = 'Changed' where id = $1`, [
			contact
		]);
		const [pending] = await deliveries(sub.id);
		await deliverWebhook(
			{
				db: w.engine.db,
				clock: systemClock,
				policy: strict,
				maxAttempts: 5,
				backoffMs: 10,
				timeoutMs: 1000
			},
			pending!.id
		);
		const [refused] = await deliveries(sub.id);
		expect(refused).toMatchObject({ status: 'failed', attempts: 1 });
		expect(refused!.attempt_log[0]!.error).toMatch(/refused: .*loopback/);
		expect(target.received).toHaveLength(0);
		worker = await startWorker({
			settings: workerSettings({
				DATABASE_URL: w.testDb.url,
				WORKER_POLL_INTERVAL_MS: '50',
				OUTBOUND_ALLOW_LOOPBACK: '1'
			}),
			log: () => {}
		});
	});
});

describe('database webhooks (supabase_functions.http_request)', () => {
	it('posts the Supabase payload for a row change, retrying a 5xx', async () => {
		const hooks = await startTarget([503, 200]);
		onTestFinished(() => hooks.close());
		await w.pool.query(`create table public.things (id serial primary key, name text)`);
		await w.pool.query(`alter table public.things enable row level security`);
		await w.pool.query(
			`create trigger things_hook after insert or update on public.things for each row
			 execute function supabase_functions.http_request('${hooks.url}/db-hook', 'POST',
			   '{"Content-Type":"application/json","X-Token":"t0k"}', '{"source":"test"}', '1000')`
		);
		await w.pool.query(`insert into public.things (name) values ('first')`);
		const hits = await until(
			() => Promise.resolve(hooks.received),
			(h) => h.length >= 2,
			15_000
		);
		expect(hits.map((h) => h.path)).toEqual(['/db-hook?source=test', '/db-hook?source=test']);
		expect(hits[1]!.headers['x-token']).toBe('t0k');
		expect(JSON.parse(hits[1]!.body)).toEqual({
			type: 'INSERT',
			table: 'things',
			schema: 'public',
			record: { id: 1, name: 'first' },
			old_record: null
		});
		const { rows } = await w.pool.query(`select hook_name from supabase_functions.hooks`);
		expect(rows).toEqual([{ hook_name: 'things_hook' }]);
		await w.pool.query(`drop table public.things`);
	});
});
