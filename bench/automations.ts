// Automations end to end versus the raw job queue, one worker process each,
// with the same graphile-worker settings, on the same database, in one run.
//
//   raw        N no-op graphile-worker jobs, each enqueued by its own add_job
//              call: how fast one worker drains the bare queue.
//   engine     N events, each inserted by its own statement (so each queues its
//              own dispatch job, as app traffic does), into an active automation
//              "event → condition → add tag → exit": event insert → run →
//              three steps recorded with their history.
//   latency    events inserted one per transaction at a steady rate: commit →
//              first step recorded, p50/p95; and, as its baseline, no-op jobs
//              added one per transaction at the same rate: commit → job ran.
//
// Goals (issue 5): ≥ 1,000 steps/s per worker on 2 cores, first-step p95 ≤ 200 ms,
// engine ≥ 0.5× the raw queue. `npm run bench:automations`; BENCH_EVENTS,
// BENCH_CONCURRENCY, BENCH_RATE and BENCH_LATENCY_EVENTS adjust it.
import { spawn, type ChildProcess } from 'node:child_process';
import { run } from 'graphile-worker';
import pg from 'pg';
import { workerSettings } from '../src/worker/config.ts';
import { quietLogger } from '../src/worker/queue.ts';
import { startWorker } from '../src/worker/runtime.ts';
import { percentile, startBenchDatabase } from './lib.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const LATENCY_EVENTS = Number(process.env.BENCH_LATENCY_EVENTS ?? 2000);

// ---------------------------------------------------------------------------
// Worker mode: `node bench/automations.ts --worker raw|engine` (a child process).

if (process.argv[2] === '--worker') {
	const url = process.env.DATABASE_URL!;
	if (process.argv[3] === 'raw') {
		const runner = await run({
			connectionString: url,
			concurrency: CONCURRENCY,
			pollInterval: 1000,
			noHandleSignals: true,
			logger: quietLogger,
			taskList: {
				bench_noop: (payload) => {
					// Latency probes say when they ran; throughput jobs do nothing at all.
					const t = (payload as { t?: number }).t;
					if (t !== undefined) process.stdout.write(`ran ${t} ${Date.now()}\n`);
					return Promise.resolve();
				}
			}
		});
		process.on('SIGTERM', () => void runner.stop().then(() => process.exit(0)));
		console.log('ready');
		await runner.promise;
	} else {
		const worker = await startWorker({
			settings: workerSettings({ ...process.env, WORKER_CONCURRENCY: String(CONCURRENCY) }),
			mailer: { send: () => Promise.resolve() },
			log: (line) => console.error(line)
		});
		process.on('SIGTERM', () => void worker.stop().then(() => process.exit(0)));
		console.log('ready');
		await worker.done;
	}
	process.exit(0);
}

// ---------------------------------------------------------------------------
// The benchmark.

type Child = { process: ChildProcess; lines: string[] };

function startChild(kind: 'raw' | 'engine', url: string): Promise<Child> {
	const child = spawn(process.execPath, ['bench/automations.ts', '--worker', kind], {
		env: { ...process.env, DATABASE_URL: url, WORKER_POLL_INTERVAL_MS: '1000' },
		stdio: ['ignore', 'pipe', 'inherit']
	});
	const lines: string[] = [];
	return new Promise((resolve, reject) => {
		let buffer = '';
		child.stdout.setEncoding('utf8');
		child.stdout.on('data', (chunk: string) => {
			buffer += chunk;
			const parts = buffer.split('\n');
			buffer = parts.pop()!;
			for (const line of parts) {
				if (line === 'ready') resolve({ process: child, lines });
				else lines.push(line);
			}
		});
		child.once('exit', (code) => reject(new Error(`${kind} worker exited (${code})`)));
	});
}

async function stopChild({ process: child }: Child): Promise<void> {
	child.removeAllListeners('exit');
	const exited = new Promise((r) => child.once('exit', r));
	child.kill('SIGTERM');
	await exited;
}

async function waitFor(db: pg.Client, query: string, target: number, params: unknown[] = []) {
	for (;;) {
		const { rows } = await db.query<{ n: number }>(query, params);
		if (rows[0]!.n >= target) return;
		await new Promise((r) => setTimeout(r, 20));
	}
}

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);

const postgres = await startBenchDatabase();
const db = new pg.Client({ connectionString: postgres.url });
try {
	await db.connect();
	// An organization with 1,000 contacts, a tag and the automation.
	const { rows: seeded } = await db.query<{
		org_id: string;
		tag_id: string;
		automation_id: string;
	}>(`
		with org as (insert into public.organizations (name, slug) values ('Bench', 'bench') returning id),
		tag as (insert into public.tags (org_id, name) select id, 'Benched' from org returning id, org_id),
		contacts as (
			insert into public.contacts (org_id, email)
			select org.id, 'c' || i || '@bench.test' from org, generate_series(1, 1000) i returning id),
		automation as (
			insert into public.automations (org_id, name) select id, 'Bench' from org returning id, org_id)
		select a.org_id, t.id as tag_id, a.id as automation_id
		  from automation a, tag t, (select count(*) from contacts) c`);
	const { org_id: orgId, tag_id: tagId, automation_id: automationId } = seeded[0]!;
	const definition = {
		trigger: { type: 'event', event: 'bench.ping' },
		reentry: { mode: 'every_time' },
		start: 'check',
		steps: [
			{
				id: 'check',
				name: 'Positive?',
				type: 'condition',
				condition: {
					kind: 'data',
					match: 'all',
					checks: [{ path: 'event.payload.n', op: 'gte', value: 0 }]
				},
				then: 'tag',
				else: 'done'
			},
			{ id: 'tag', name: 'Tag', type: 'add_tag', tagId, next: 'done' },
			{ id: 'done', name: 'Exit', type: 'exit' }
		]
	};
	await db.query(
		`with v as (insert into public.automation_versions (org_id, automation_id, version, definition)
		            values ($1, $2, 1, $3) returning id)
		 update public.automations set status = 'active', active_version_id = (select id from v),
		        trigger_event = 'bench.ping' where id = $2`,
		[orgId, automationId, JSON.stringify(definition)]
	);
	const contacts = (
		await db.query<{ id: string }>('select id from public.contacts order by id')
	).rows.map((r) => r.id);
	await db.query('analyze');
	const insertEvents = (n: number) =>
		db.query(
			`do $$ declare ids uuid[] := $ids$${`{${contacts.join(',')}}`}$ids$;
			 begin
			   for i in 1..${n} loop
			     insert into public.events (org_id, type, subject_type, subject_id, payload)
			     values ('${orgId}', 'bench.ping', 'contact', ids[1 + i % array_length(ids, 1)], jsonb_build_object('n', i));
			   end loop;
			 end $$`
		);

	console.log(
		`${EVENTS} jobs / events, worker concurrency ${CONCURRENCY}, one worker process each\n`
	);

	/** Runs `send(i)` LATENCY_EVENTS times at RATE per second; returns when each committed (epoch ms). */
	async function steady(send: (i: number) => Promise<string>): Promise<Map<string, number>> {
		const commits = new Map<string, number>();
		const interval = 1000 / RATE;
		const started = performance.now();
		const startedAt = Date.now();
		for (let i = 0; i < LATENCY_EVENTS; i++) {
			const wait = started + i * interval - performance.now();
			if (wait > 0) await new Promise((r) => setTimeout(r, wait));
			const key = await send(i);
			commits.set(key, startedAt + (performance.now() - started));
		}
		return commits;
	}

	// Raw queue: N no-op jobs, one add_job each; then probes one per transaction.
	const raw = await startChild('raw', postgres.url);
	let t = performance.now();
	// One add_jobs call (a loop of add_job calls spends minutes deduplicating NOTIFYs); still N jobs.
	await db.query(
		`select graphile_worker.add_jobs(array(
		   select ('bench_noop', '{}'::json, null, null, null, null, null, null)::graphile_worker.job_spec
		     from generate_series(1, ${EVENTS})))`
	);
	const enqueueRaw = performance.now() - t;
	t = performance.now();
	await waitFor(
		db,
		`select (${EVENTS} - count(*))::int as n from graphile_worker.jobs where task_identifier = 'bench_noop'`,
		EVENTS
	);
	const rawMs = performance.now() - t;
	// Latency is measured on a settled database (after the burst's dead rows are vacuumed), for both.
	await db.query('vacuum analyze');
	const rawCommits = await steady(async (i) => {
		await db.query(
			`select graphile_worker.add_job('bench_noop', json_build_object('t', $1::int))`,
			[i]
		);
		return String(i);
	});
	await waitFor(
		db,
		`select (1 - count(*))::int as n from graphile_worker.jobs where task_identifier = 'bench_noop'`,
		1
	);
	await stopChild(raw);
	const rawLatencies = raw.lines
		.map((l) => l.split(' '))
		.filter(([word]) => word === 'ran')
		.map(([, key, at]) => Number(at) - rawCommits.get(key!)!)
		.sort((a, b) => a - b);

	// Engine: N events, one statement (one dispatch job) each.
	const engine = await startChild('engine', postgres.url);
	t = performance.now();
	await insertEvents(EVENTS);
	const enqueueEvents = performance.now() - t;
	t = performance.now();
	await waitFor(
		db,
		`select count(*)::int as n from public.automation_runs where automation_id = $1 and status = 'completed'`,
		EVENTS,
		[automationId]
	);
	const engineMs = performance.now() - t;
	const { rows: stepRows } = await db.query<{ n: number }>(
		`select count(*)::int as n from public.automation_step_runs where status = 'succeeded'`
	);
	const steps = stepRows[0]!.n;
	await db.query('vacuum analyze');

	// Latency: one event per transaction at a steady rate.
	const commits = await steady(async (i) => {
		const { rows } = await db.query<{ id: string }>(
			`insert into public.events (org_id, type, subject_type, subject_id, payload)
			 values ($1, 'bench.ping', 'contact', $2, '{"n": 1}') returning id`,
			[orgId, contacts[i % contacts.length]]
		);
		return rows[0]!.id;
	});
	await waitFor(
		db,
		`select count(*)::int as n from public.automation_runs where automation_id = $1 and status = 'completed'`,
		EVENTS + LATENCY_EVENTS,
		[automationId]
	);
	const { rows: firsts } = await db.query<{ event_id: string; done: Date }>(
		`select r.trigger_event_id::text as event_id, s.finished_at as done
		   from public.automation_runs r
		   join public.automation_step_runs s on s.run_id = r.id and s.seq = 1
		  where r.trigger_event_id = any($1::bigint[])`,
		[[...commits.keys()]]
	);
	await stopChild(engine);
	const latencies = firsts
		.map((f) => f.done.getTime() - commits.get(f.event_id)!)
		.sort((a, b) => a - b);

	const rawRate = rate(EVENTS, rawMs);
	const runRate = rate(EVENTS, engineMs);
	const stepRate = rate(steps, engineMs);
	const p50 = percentile(latencies, 50);
	const p95 = percentile(latencies, 95);
	const rawP50 = percentile(rawLatencies, 50);
	const rawP95 = percentile(rawLatencies, 95);
	const ok = (pass: boolean) => (pass ? 'ok' : 'MISSED');
	console.log(
		`raw queue     ${rawRate} jobs/s   (${EVENTS} no-op jobs in ${(rawMs / 1000).toFixed(2)} s; enqueue ${(enqueueRaw / 1000).toFixed(2)} s)`
	);
	console.log(
		`engine        ${runRate} runs/s = ${stepRate} steps/s   (${EVENTS} events → ${steps} steps in ${(engineMs / 1000).toFixed(2)} s; insert ${(enqueueEvents / 1000).toFixed(2)} s)`
	);
	console.log(
		`latency       commit → first step p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms   (${latencies.length} events at ${RATE}/s)`
	);
	console.log(
		`raw latency   commit → no-op job ran p50 ${rawP50.toFixed(1)} ms, p95 ${rawP95.toFixed(1)} ms   (${rawLatencies.length} jobs at ${RATE}/s)`
	);
	console.log('');
	console.log(`steps/s per worker       ${stepRate}   goal ≥ 1000   ${ok(stepRate >= 1000)}`);
	console.log(`first step p95           ${p95.toFixed(1)} ms   goal ≤ 200 ms   ${ok(p95 <= 200)}`);
	console.log(
		`steps/s ÷ raw jobs/s     ${(stepRate / rawRate).toFixed(2)}×   goal ≥ 0.5×   ${ok(stepRate / rawRate >= 0.5)}`
	);
	console.log(
		`runs/s ÷ raw jobs/s      ${(runRate / rawRate).toFixed(2)}×   (one dispatch job per event vs one no-op job)`
	);
} finally {
	await db.end();
	await postgres.cleanup();
}
