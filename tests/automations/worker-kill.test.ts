// Fault test: a real worker process (`node src/worker/main.ts`) is killed with
// SIGKILL in the middle of a batch of runs that send email, wait and send
// again; events keep arriving while it is dead; a new worker is started. Every
// run must complete, no event may be lost, and no email may arrive twice
// (counted in the dev mailbox).
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMailbox, type RunningMailbox } from '../../platform/mailbox/index.ts';
import {
	createContact,
	createTag,
	engineWorld,
	publish,
	TEST_UNSUBSCRIBE_SECRET,
	type EngineWorld
} from './helpers.ts';

const CONTACTS = 40;
const LATE = 10;

let w: EngineWorld;
let mailbox: RunningMailbox;
const workers: ChildProcess[] = [];
const output: string[] = [];

beforeAll(async () => {
	w = await engineWorld();
	mailbox = await startMailbox({ smtpPort: 0, httpPort: 0 });
});
afterAll(async () => {
	for (const child of workers)
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
	await mailbox.stop();
	await w.close();
});

function startWorkerProcess(): ChildProcess {
	const child = spawn(process.execPath, ['src/worker/main.ts'], {
		env: {
			...process.env,
			DATABASE_URL: w.testDb.url,
			APP_URL: 'http://app.test',
			UNSUBSCRIBE_SECRET: TEST_UNSUBSCRIBE_SECRET,
			WORKER_DATABASE_URL: w.testDb.url,
			SMTP_URL: `smtp://127.0.0.1:${mailbox.smtpPort}`,
			WORKER_CONCURRENCY: '4',
			WORKER_POLL_INTERVAL_MS: '100',
			WORKER_LEASE_SECONDS: '2'
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	for (const stream of [child.stdout, child.stderr]) {
		stream.setEncoding('utf8');
		stream.on('data', (chunk: string) => output.push(chunk));
	}
	workers.push(child);
	return child;
}

async function until(
	what: string,
	fn: () => Promise<boolean> | boolean,
	ms = 30_000
): Promise<void> {
	const deadline = Date.now() + ms;
	while (!(await fn())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${output.join('')}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}

const mails = (subject: string) => mailbox.messages().filter((m) => m.subject.startsWith(subject));

it(
	'SIGKILL mid-run: every run completes, no event is lost, no email is sent twice',
	{ timeout: 90_000 },
	async () => {
		const fault = await createTag(w, 'Fault');
		const automation = await publish(w, {
			trigger: { type: 'event', event: 'tag.added', match: { tag: 'Fault' } },
			reentry: { mode: 'once' },
			start: 'first',
			steps: [
				{
					id: 'first',
					name: 'First email',
					type: 'send_email',
					email: { kind: 'inline', subject: 'First for {{contact.email}}', text: 'One' },
					next: 'wait'
				},
				{
					id: 'wait',
					name: 'Pause',
					type: 'wait',
					wait: { kind: 'duration', amount: 1, unit: 'seconds' },
					next: 'second'
				},
				{
					id: 'second',
					name: 'Second email',
					type: 'send_email',
					email: { kind: 'inline', subject: 'Second for {{contact.email}}', text: 'Two' },
					next: null
				}
			]
		});
		const contacts: string[] = [];
		for (let i = 0; i < CONTACTS + LATE; i++)
			contacts.push(await createContact(w, { email: `fault-${i}@example.test` }));
		const tagAll = (ids: string[]) =>
			w.pool.query(
				`insert into public.contact_tags (org_id, contact_id, tag_id) select $1, unnest($2::uuid[]), $3`,
				[w.world.orgA, ids, fault]
			);
		await tagAll(contacts.slice(0, CONTACTS));

		const first = startWorkerProcess();
		await until('some first emails', () => mails('First').length >= 8);
		first.kill('SIGKILL');
		await new Promise((r) => first.once('exit', r));
		const sentBeforeKill = mails('First').length;
		expect(sentBeforeKill).toBeLessThan(CONTACTS); // it really died mid-batch

		// Events recorded while no worker runs wait in the queue.
		await tagAll(contacts.slice(CONTACTS));

		startWorkerProcess();
		const runs = async () =>
			(
				await w.pool.query<{ subject_id: string; status: string }>(
					`select subject_id, status::text from public.automation_runs where automation_id = $1`,
					[automation]
				)
			).rows;
		await until(
			'every run to complete',
			async () => {
				const r = await runs();
				return r.length === CONTACTS + LATE && r.every((x) => x.status === 'completed');
			},
			60_000
		);

		// No event lost: one run per tagged contact.
		expect(new Set((await runs()).map((r) => r.subject_id))).toEqual(new Set(contacts));

		// No email twice. A send the kill interrupted is recorded as "delivery unknown" and not
		// repeated; every other send arrived exactly once.
		const { rows: steps } = await w.pool.query<{
			email: string;
			step_id: string;
			unknown: boolean;
		}>(
			`select c.email::text as email, s.step_id, coalesce(s.output ->> 'delivery' = 'unknown', false) as unknown
		   from public.automation_step_runs s
		   join public.automation_runs r on r.id = s.run_id
		   join public.contacts c on c.id = r.subject_id
		  where r.automation_id = $1 and s.step_type = 'send_email'`,
			[automation]
		);
		expect(steps).toHaveLength(2 * (CONTACTS + LATE));
		for (const step of steps) {
			const subject = `${step.step_id === 'first' ? 'First' : 'Second'} for ${step.email}`;
			const count = mailbox.messages().filter((m) => m.subject === subject).length;
			if (step.unknown) expect(count).toBeLessThanOrEqual(1);
			else expect(count, subject).toBe(1);
		}
		// At most the sends in flight when it died (one per concurrent job).
		expect(steps.filter((s) => s.unknown).length).toBeLessThanOrEqual(4);
	}
);

it(
	'SIGTERM finishes the jobs in hand and exits cleanly, leaving no lease behind',
	{ timeout: 30_000 },
	async () => {
		const leases = async (pid: number) =>
			(
				await w.pool.query<{ n: number }>(
					'select count(*)::int as n from private.worker_heartbeats where pid = $1',
					[pid]
				)
			).rows[0]!.n;
		const child = startWorkerProcess();
		await until('its heartbeat', async () => (await leases(child.pid!)) === 1);
		const exited = new Promise<number | null>((resolve) =>
			child.once('exit', (code) => resolve(code))
		);
		child.kill('SIGTERM');
		expect(await exited).toBe(0);
		expect(await leases(child.pid!)).toBe(0);
	}
);
