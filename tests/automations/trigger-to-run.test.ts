// Trigger → job → run, end to end in the database with a real graphile-worker:
// the events trigger queues the dispatch in the transaction of the change
// (and nothing for events no automation listens to), the worker runs it, and
// a manual start goes through the same path.
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { withRls } from '../../src/lib/server/db/rls.ts';
import { workerSettings } from '../../src/worker/config.ts';
import { startWorker, type RunningWorker } from '../../src/worker/runtime.ts';
import {
	capturingMailer,
	createContact,
	createTag,
	engineWorld,
	publish,
	runsOf,
	tagContact,
	type CapturingMailer,
	type EngineWorld,
	TEST_UNSUBSCRIBE_SECRET
} from './helpers.ts';

let w: EngineWorld;
let worker: RunningWorker;
let mailer: CapturingMailer;

beforeAll(async () => {
	w = await engineWorld();
	mailer = capturingMailer();
	worker = await startWorker({
		settings: workerSettings({
			DATABASE_URL: w.testDb.url,
			APP_URL: 'http://app.test',
			UNSUBSCRIBE_SECRET: TEST_UNSUBSCRIBE_SECRET,
			WORKER_CONCURRENCY: '4',
			WORKER_POLL_INTERVAL_MS: '100',
			WORKER_LEASE_SECONDS: '5'
		}),
		mailer,
		log: () => {}
	});
});
afterAll(async () => {
	await worker?.stop();
	await w.close();
});

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
	const deadline = Date.now() + ms;
	for (;;) {
		const value = await fn();
		if (ok(value) || Date.now() > deadline) return value;
		await new Promise((r) => setTimeout(r, 50));
	}
}

const dispatchJobs = async () =>
	(
		await w.pool.query<{ n: number }>(
			`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'automations_dispatch'`
		)
	).rows[0]!.n;

it('queues a dispatch only for events an active automation listens to, with the change', async () => {
	const before = await dispatchJobs();
	await createContact(w); // nobody listens to contact.created yet
	expect(await dispatchJobs()).toBe(before);

	const client = await w.pool.connect();
	try {
		const id = await publish(w, {
			trigger: { type: 'event', event: 'contact.created' },
			reentry: { mode: 'every_time' },
			start: 'end',
			steps: [{ id: 'end', name: 'Exit', type: 'exit' }]
		});
		await worker.stop(); // keep the job in the queue to look at it
		await client.query('begin');
		await client.query(
			`insert into public.contacts (org_id, email) values ($1, 'rolled@back.test')`,
			[w.world.orgA]
		);
		await client.query('rollback');
		expect(await dispatchJobs()).toBe(before);
		await createContact(w);
		expect(await dispatchJobs()).toBe(before + 1);
		await withRls(w.world.db, w.world.claims('member'), (trx) =>
			sql`select public.set_automation_status(${id}, 'archived')`.execute(trx)
		);
	} finally {
		client.release();
		worker = await startWorker({
			settings: workerSettings({
				DATABASE_URL: w.testDb.url,
				APP_URL: 'http://app.test',
				UNSUBSCRIBE_SECRET: TEST_UNSUBSCRIBE_SECRET,
				WORKER_CONCURRENCY: '4',
				WORKER_POLL_INTERVAL_MS: '100',
				WORKER_LEASE_SECONDS: '5'
			}),
			mailer,
			log: () => {}
		});
	}
});

it('tag VIP → email: the worker picks the event up and the run finishes', async () => {
	const vip = await createTag(w, 'VIP');
	const id = await publish(w, {
		trigger: { type: 'event', event: 'tag.added', match: { tag: 'VIP' } },
		reentry: { mode: 'once' },
		start: 'mail',
		steps: [
			{
				id: 'mail',
				name: 'VIP welcome',
				type: 'send_email',
				email: { kind: 'inline', subject: 'You are VIP, {{contact.first_name}}', text: 'Enjoy.' },
				next: 'end'
			},
			{ id: 'end', name: 'Exit', type: 'exit' }
		]
	});
	const contact = await createContact(w, { email: 'vip@example.test', first_name: 'Vera' });
	await tagContact(w, contact, vip);
	const runs = await until(
		() => runsOf(w, id),
		(r) => r[0]?.status === 'completed'
	);
	expect(runs).toMatchObject([{ status: 'completed', subject_id: contact }]);
	expect(mailer.sent.map((m) => [m.to, m.subject])).toEqual([
		['vip@example.test', 'You are VIP, Vera']
	]);
});

it('a manual start runs through the worker too', async () => {
	const tag = await createTag(w, 'By hand');
	const id = await publish(w, {
		trigger: { type: 'manual' },
		reentry: { mode: 'every_time' },
		start: 'tag',
		steps: [{ id: 'tag', name: 'Tag', type: 'add_tag', tagId: tag }]
	});
	const contact = await createContact(w);
	const started = await withRls(w.world.db, w.world.claims('member'), (trx) =>
		sql<{
			id: string;
		}>`select public.start_automation_run(${id}, 'contact', ${contact}) as id`.execute(trx)
	);
	expect(started.rows[0]!.id).toBeTruthy();
	const runs = await until(
		() => runsOf(w, id),
		(r) => r[0]?.status === 'completed'
	);
	expect(runs[0]!.steps).toMatchObject([{ step_id: 'tag', status: 'succeeded' }]);

	// A viewer may not start runs.
	await expect(
		withRls(w.world.db, w.world.claims('viewer'), (trx) =>
			sql`select public.start_automation_run(${id}, 'contact', ${contact})`.execute(trx)
		)
	).rejects.toThrow(/not found/);
});
