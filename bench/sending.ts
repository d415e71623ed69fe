// Campaign sending versus a bare nodemailer loop, in one run, into the same
// local SMTP server that discards what it receives.
//
//   bare      the same rendered messages (compose() for each recipient) sent
//             by a pooled nodemailer transport with the same connections and
//             concurrency, nothing else: the ceiling of one process.
//   sender    one worker's sender (src/worker/sending/sender.ts): claims with
//             the throttle, sends, marks each sent with its event, until the
//             campaign is finished.
//   first     "send" (the status update that freezes the recipients) → the
//             first message at the server, on small campaigns, p50/p95.
//
// Goals (issue 15): sender ≥ 0.5× bare and ≥ 500 messages/s per worker on 2
// cores; first message p95 ≤ 2 s. `npm run bench:sending`; BENCH_RECIPIENTS
// (100,000), BENCH_FIRST_RUNS (20) adjust it. Run it at full size once: the
// machine is shared.
import pg from 'pg';
import { compose, type CampaignMessage } from '../src/worker/sending/compose.ts';
import { startSender } from '../src/worker/sending/sender.ts';
import { createPooledTransport } from '../src/worker/sending/smtp.ts';
import { startSink } from '../tests/sending/sink.ts';
import { percentile, startBenchDatabase } from './lib.ts';

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 100_000);
const FIRST_RUNS = Number(process.env.BENCH_FIRST_RUNS ?? 20);
const CONNECTIONS = 5;
const LANES = 2;
const SECRET = 'bench-unsubscribe-secret-0123456789';
const MAIL_FROM = 'Growthdesk <campaigns@send.bench.test>';

// Peak resident memory of this process (the sender, the bare loop and the
// sink run here; Postgres is its own process), sampled as it runs.
let peakRss = process.memoryUsage().rss;
const rssTimer = setInterval(() => {
	peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 250);
rssTimer.unref();
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

const db = await startBenchDatabase();
const sink = await startSink({ discard: true });
const admin = new pg.Client({ connectionString: db.url });
await admin.connect();
const q = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
	(await admin.query<T>(text, values)).rows;

try {
	console.log(`seeding ${RECIPIENTS.toLocaleString()} contacts…`);
	const seedStart = performance.now();
	const [user] = await q<{ id: string }>(
		`insert into auth.users (id, aud, role, email, created_at, updated_at)
		 values (gen_random_uuid(), 'authenticated', 'authenticated', 'owner@bench.test', now(), now()) returning id`
	);
	const [org] = await q<{ id: string }>(
		`insert into public.organizations (name, slug, created_by) values ('Bench', 'bench', $1) returning id`,
		[user!.id]
	);
	const orgId = org!.id;
	const [brand] = await q<{ id: string }>(
		`insert into public.brands (org_id, name, address, city, country)
		 values ($1, 'Bench brand', '1 Main Street', 'Lyon', 'France') returning id`,
		[orgId]
	);
	await q(
		`insert into public.contacts (org_id, email, first_name)
		 select $1, 'r' || g || '@bench.test', 'Reader ' || g from generate_series(1, $2::int) g`,
		[orgId, RECIPIENTS]
	);
	await q(`insert into private.message_throttles (org_id, rate_per_second) values ($1, 100000)`, [
		orgId
	]);
	const [audience] = await q<{ id: string }>(
		`insert into public.audiences (org_id, name) values ($1, 'Everyone') returning id`,
		[orgId]
	);
	console.log(`seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

	async function campaign(name: string, segmentOf?: number): Promise<string> {
		const [c] = await q<{ id: string }>(
			`insert into public.campaigns (org_id, kind, brand_id, name) values ($1, 'email', $2, $3) returning id`,
			[orgId, brand!.id, name]
		);
		let audienceId = audience!.id;
		if (segmentOf !== undefined) {
			// A small audience: one segment of 50 contacts.
			const [a] = await q<{ id: string }>(
				`insert into public.audiences (org_id, name) values ($1, $2) returning id`,
				[orgId, `Small ${name}`]
			);
			const [s] = await q<{ id: string }>(
				`insert into public.segments (org_id, name, rules) values ($1, $2, '{"op": "and", "rules": []}') returning id`,
				[orgId, `Small ${name}`]
			);
			await q(
				`insert into public.segment_memberships (org_id, segment_id, contact_id)
				 select $1, $2, id from public.contacts where org_id = $1 order by id offset $3 limit 50`,
				[orgId, s!.id, segmentOf * 50]
			);
			await q(
				`insert into public.audience_segments (org_id, audience_id, segment_id) values ($1, $2, $3)`,
				[orgId, a!.id, s!.id]
			);
			audienceId = a!.id;
		}
		await q(
			`insert into public.campaign_audiences (org_id, campaign_id, audience_id) values ($1, $2, $3)`,
			[orgId, c!.id, audienceId]
		);
		await q(
			`insert into public.message_sends (org_id, campaign_id, subject, content) values ($1, $2, $3, $4)`,
			[
				orgId,
				c!.id,
				'News for {{contact.first_name | "you"}}',
				{
					html: '<h1>This week</h1><p>Hi {{contact.first_name}}, here is what is new.</p>'.repeat(4)
				}
			]
		);
		return c!.id;
	}

	const big = await campaign('Bench newsletter');
	const sender = () =>
		startSender({
			connectionString: db.url,
			smtpUrl: sink.url,
			compose: { mailFrom: MAIL_FROM, appUrl: 'https://app.bench.test', unsubscribeSecret: SECRET },
			batch: 200,
			lanes: LANES,
			connections: CONNECTIONS,
			leaseSeconds: 60,
			retryBaseMs: 1000,
			maxAttempts: 8,
			pollMs: 200,
			log: (line) => console.error(line)
		});

	// --- bare: the same rendered messages through a pooled transport.
	const message: CampaignMessage = {
		campaignId: big,
		orgId,
		subject: 'News for {{contact.first_name | "you"}}',
		preheader: '',
		fromName: '',
		replyTo: null,
		content: {
			kind: 'html',
			html: '<h1>This week</h1><p>Hi {{contact.first_name}}, here is what is new.</p>'.repeat(4),
			text: null
		},
		postalAddress: 'Bench brand, 1 Main Street, Lyon, France',
		sender: {
			name: 'Bench',
			replyTo: null,
			primaryColor: '#4f46e5',
			fontFamily: 'Inter',
			logoUrl: null
		},
		links: []
	};
	const contacts = await q<{ id: string; email: string; first_name: string }>(
		`select id, email::text as email, first_name from public.contacts where org_id = $1`,
		[orgId]
	);
	const transport = createPooledTransport(sink.url, CONNECTIONS);
	let next = 0;
	const bareStart = performance.now();
	await Promise.all(
		Array.from({ length: CONNECTIONS * LANES }, async () => {
			while (next < contacts.length) {
				const c = contacts[next++]!;
				await transport.sendMail(
					compose(
						{ mailFrom: MAIL_FROM, appUrl: 'https://app.bench.test', unsubscribeSecret: SECRET },
						message,
						{ id: c.id, contact_id: c.id, address: c.email, attempts: 1, variant: 0 },
						c
					)
				);
			}
		})
	);
	const bareSeconds = (performance.now() - bareStart) / 1000;
	transport.close();
	const bareRate = contacts.length / bareSeconds;
	console.log(
		`bare nodemailer pool: ${contacts.length.toLocaleString()} in ${bareSeconds.toFixed(1)} s = ${bareRate.toFixed(0)} msg/s`
	);

	// --- sender: the whole campaign, one worker.
	const received = sink.deliveries.length;
	const s = sender();
	const sendStart = performance.now();
	await q(`update public.message_sends set status = 'sending' where campaign_id = $1`, [big]);
	for (;;) {
		const [p] = await q<{ status: string }>(
			`select status::text from public.message_sends where campaign_id = $1`,
			[big]
		);
		if (p!.status === 'finished') break;
		await new Promise((r) => setTimeout(r, 100));
	}
	const sendSeconds = (performance.now() - sendStart) / 1000;
	const sent = sink.deliveries.length - received;
	const senderRate = sent / sendSeconds;
	console.log(
		`sender (one worker): ${sent.toLocaleString()} in ${sendSeconds.toFixed(1)} s = ${senderRate.toFixed(0)} msg/s (freeze included)`
	);

	// --- first message: small campaigns, "send" → first delivery.
	const firsts: number[] = [];
	for (let i = 0; i < FIRST_RUNS; i++) {
		const id = await campaign(`First ${i}`, i);
		const before = sink.deliveries.length;
		const t0 = Date.now();
		await q(`update public.message_sends set status = 'sending' where campaign_id = $1`, [id]);
		while (sink.deliveries.length === before) await new Promise((r) => setTimeout(r, 2));
		firsts.push(sink.deliveries[before]!.at - t0);
		while (
			(
				await q<{ status: string }>(
					`select status::text from public.message_sends where campaign_id = $1`,
					[id]
				)
			)[0]!.status !== 'finished'
		)
			await new Promise((r) => setTimeout(r, 20));
	}
	await s.stop();
	firsts.sort((a, b) => a - b);
	const p95 = percentile(firsts, 95);
	console.log(
		`send → first message: p50 ${percentile(firsts, 50)} ms, p95 ${p95} ms over ${FIRST_RUNS} campaigns`
	);

	const ratio = senderRate / bareRate;
	console.log('');
	console.log(
		`sender / bare: ${ratio.toFixed(2)}× (goal ≥ 0.5×) ${ratio >= 0.5 ? 'met' : 'NOT met'}`
	);
	console.log(
		`per worker: ${senderRate.toFixed(0)} msg/s (goal ≥ 500) ${senderRate >= 500 ? 'met' : 'NOT met'}`
	);
	console.log(`first message p95: ${p95} ms (goal ≤ 2000) ${p95 <= 2000 ? 'met' : 'NOT met'}`);
	peakRss = Math.max(peakRss, process.memoryUsage().rss);
	console.log(`peak resident memory of the bench process: ${mb(peakRss)}`);
} finally {
	await admin.end();
	await sink.stop();
	await db.cleanup();
}
