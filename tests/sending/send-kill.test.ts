// Fault test: a 10,000-recipient campaign is sent by two real worker processes
// (`node src/worker/main.ts`), one of which is killed with SIGKILL at 20
// random moments and started again. Every recipient must get exactly one
// message (one Message-ID, counted in a real SMTP server), no recipient two
// different messages, nobody skipped, and the campaign is finished only when
// recipients = sent + failed + suppressed.
//
// What cannot be ruled out, and is bounded instead: a kill after the SMTP
// server accepted a message (its 250 may even be on the wire) and before the
// worker's mark committed. SMTP cannot be asked "did you take this one?", so
// the next claim sends that message again, with the same Message-ID. The
// sender keeps each process to SEND_SMTP_CONNECTIONS messages in flight, each
// marked before its slot sends another, so one kill repeats at most that many
// messages; the test checks that bound for every kill, and that no message is
// repeated other than by a kill.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSink, type Sink } from './sink.ts';
import {
	addContacts,
	emailCampaign,
	progress,
	sendingWorld,
	TEST_UNSUBSCRIBE_SECRET,
	until,
	type SendingWorld
} from './world.ts';

const RECIPIENTS = Number(process.env.SEND_KILL_RECIPIENTS ?? 10_000);
const KILLS = Number(process.env.SEND_KILL_KILLS ?? 20);
// Messages in flight per worker process: what one kill may repeat, at most.
const IN_FLIGHT = 5;

let w: SendingWorld;
let sink: Sink;
const children = new Set<ChildProcess>();
const output: string[] = [];

beforeAll(async () => {
	w = await sendingWorld();
	sink = await startSink();
});
afterAll(async () => {
	for (const child of children) child.kill('SIGKILL');
	await sink.stop();
	await w.close();
});

function startWorkerProcess(): ChildProcess {
	const child = spawn(process.execPath, ['src/worker/main.ts'], {
		env: {
			...process.env,
			DATABASE_URL: w.testDb.url,
			WORKER_DATABASE_URL: w.testDb.url,
			APP_URL: 'http://app.test',
			UNSUBSCRIBE_SECRET: TEST_UNSUBSCRIBE_SECRET,
			SMTP_URL: sink.url,
			MAIL_FROM: 'Growthdesk <campaigns@send.growthdesk.test>',
			WORKER_CONCURRENCY: '2',
			WORKER_POLL_INTERVAL_MS: '100',
			WORKER_LEASE_SECONDS: '2',
			SEND_LEASE_SECONDS: '4',
			SEND_BATCH: '50',
			SEND_SMTP_CONNECTIONS: String(IN_FLIGHT)
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	for (const stream of [child.stdout, child.stderr]) {
		stream.setEncoding('utf8');
		stream.on('data', (chunk: string) => output.push(chunk));
	}
	children.add(child);
	child.once('exit', () => children.delete(child));
	return child;
}

async function kill(child: ChildProcess) {
	const exited = new Promise((r) => child.once('exit', r));
	child.kill('SIGKILL');
	await exited;
}

it(
	'SIGKILL at 20 random moments: every recipient gets exactly one message, none twice, none skipped',
	{ timeout: 420_000 },
	async () => {
		await addContacts(w, RECIPIENTS);
		// A few who must not get it: unsubscribed, bounced, and a second contact
		// with an address already on the list cannot exist (unique), so duplicates
		// are covered in the rules test.
		await w.admin.query(
			`update public.contacts set status = 'unsubscribed' where org_id = $1 and email in ('p1@example.test', 'p2@example.test')`,
			[w.world.orgA]
		);
		await w.admin.query(
			`update public.contacts set status = 'bounced' where org_id = $1 and email = 'p3@example.test'`,
			[w.world.orgA]
		);
		const campaign = await emailCampaign(w, { rate: 1000 });
		await w.admin.query(
			`update public.message_sends set status = 'sending' where campaign_id = $1`,
			[campaign]
		);
		expect(await progress(w, campaign)).toMatchObject({
			status: 'sending',
			recipients: RECIPIENTS,
			suppressed: 3
		});

		const steady = startWorkerProcess();
		let victim = startWorkerProcess();
		let kills = 0;
		const killedAt: number[] = [];
		const started = Date.now();
		while (kills < KILLS) {
			// A random moment: after a random number of further deliveries (or a
			// random short while, whichever comes first).
			const target = sink.deliveries.length + 20 + Math.floor(Math.random() * 250);
			const until_ = Date.now() + 200 + Math.random() * 1500;
			await until(
				'a random moment',
				() => sink.deliveries.length >= target || Date.now() >= until_,
				30_000
			);
			if ((await progress(w, campaign)).status !== 'sending') break;
			await kill(victim);
			// Once it has exited: everything the victim sent was taken before this.
			killedAt.push(Date.now());
			kills++;
			if (process.env.SEND_KILL_DEBUG)
				console.log(
					kills,
					sink.deliveries.length,
					await progress(w, campaign),
					output.join('').slice(-300)
				);
			victim = startWorkerProcess();
		}
		await until(
			'the campaign to finish',
			async () => (await progress(w, campaign)).status === 'finished',
			280_000
		).catch(async (e: Error) => {
			const now = JSON.stringify(await progress(w, campaign));
			throw new Error(`${e.message} (${now}, ${kills} kills)\n${output.join('').slice(-4000)}`);
		});
		const elapsed = Date.now() - started;
		await kill(steady);
		await kill(victim);

		const final = await progress(w, campaign);
		expect(final).toMatchObject({
			recipients: RECIPIENTS,
			sent: RECIPIENTS - 3,
			failed: 0,
			suppressed: 3
		});
		expect(kills).toBe(KILLS);

		// Exactly one message per recipient: one Message-ID each, the one the
		// recipient row fixed; nobody missing; nobody unsubscribed emailed.
		const { rows } = await w.admin.query<{ id: string; address: string; status: string }>(
			`select id, address::text, status::text from public.message_recipients where campaign_id = $1`,
			[campaign]
		);
		const expected = new Map(rows.filter((r) => r.status === 'sent').map((r) => [r.address, r.id]));
		const ids = new Map<string, Set<string>>();
		for (const d of sink.deliveries) {
			const set = ids.get(d.to) ?? new Set<string>();
			set.add(d.messageId);
			ids.set(d.to, set);
		}
		const missing = [...expected.keys()].filter((a) => !ids.has(a));
		const twoMessages = [...ids].filter(([, set]) => set.size !== 1).map(([a]) => a);
		const wrongId = [...expected].filter(
			([a, id]) => ![...(ids.get(a) ?? [])].every((m) => m === `<${id}@send.growthdesk.test>`)
		);
		const unexpected = [...ids.keys()].filter((a) => !expected.has(a));
		expect(missing).toEqual([]);
		expect(twoMessages).toEqual([]);
		expect(wrongId).toEqual([]);
		expect(unexpected).toEqual([]);

		// Copies of the same message: each one's first delivery was taken by the
		// server from a worker killed before it could mark it, so it belongs to
		// the first kill after it. None may be left over (a copy with no kill
		// after its first delivery), and no kill may repeat more messages than a
		// process has in flight.
		const first = new Map<string, number>();
		const copiesPerKill: number[] = Array.from({ length: kills }, () => 0);
		let unexplained = 0;
		for (const d of sink.deliveries) {
			const at = first.get(d.messageId);
			if (at === undefined) {
				first.set(d.messageId, d.at);
				continue;
			}
			const k = killedAt.findIndex((t) => t >= at);
			if (k === -1) unexplained++;
			else copiesPerKill[k]!++;
		}
		const copies = sink.deliveries.length - expected.size;
		console.log(
			`send-kill: ${RECIPIENTS} recipients, ${kills} kills, ${elapsed} ms, ${copies} repeated deliveries of the same Message-ID (per kill: ${copiesPerKill.join(' ')})`
		);
		expect(unexplained).toBe(0);
		expect(Math.max(0, ...copiesPerKill)).toBeLessThanOrEqual(IN_FLIGHT);
		expect(copies).toBeLessThanOrEqual(KILLS * IN_FLIGHT);

		const events = await w.admin.query<{ type: string; n: number }>(
			`select type, count(*)::int as n from public.events where org_id = $1 and type like 'message.%' group by type`,
			[w.world.orgA]
		);
		expect(Object.fromEntries(events.rows.map((r) => [r.type, r.n]))).toEqual({
			'message.sent': RECIPIENTS - 3,
			'message.suppressed': 3
		});
	}
);
