// `npm run bench:message-report`: a message campaign's report at a million events.
//
// One email campaign sent to BENCH_RECIPIENTS people (default 100,000) with
// BENCH_EVENTS message events (default 1M: sends, deliveries, opens, clicks
// on four links, unsubscribes, bounces, complaints) over a week, plus a
// second organization's campaign of the same size in the same tables. Seeded
// with triggers off, then the rollups rebuilt from the events with
// private.rebuild_message_report (timed: that is the recount by scanning).
//
// Measured as a member under RLS, interleaved in the same run: the report
// page's whole data load (src/lib/server/tracking/report.ts, from the
// rollups) against the same numbers recounted by scanning the campaign's
// events. Goal: p95 ≤ 300 ms at 1M events. Also timed: what the rollup
// trigger adds to 10,000 opens recorded one statement each.
import { sql } from 'kysely';
import pg from 'pg';
import { createDatabase } from '../src/lib/server/db/client.ts';
import { withRls, type Trx } from '../src/lib/server/db/rls.ts';
import { report } from '../src/lib/server/tracking/report.ts';
import { compare, ms, startBenchDatabase } from './lib.ts';

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 100_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const SINGLES = Number(process.env.BENCH_SINGLES ?? 10_000);

const postgres = await startBenchDatabase();
const admin = new pg.Client({ connectionString: postgres.url });
await admin.connect();
const db = createDatabase(postgres.url, 2);
const time = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
	const t = performance.now();
	const out = await fn();
	return [out, performance.now() - t];
};

try {
	console.log(
		`seeding ${RECIPIENTS.toLocaleString('en-US')} recipients and ${EVENTS.toLocaleString('en-US')} events per campaign (two organizations)…`
	);
	const [world, seedMs] = await time(() => seed(admin));
	console.log(`  seeded in ${(seedMs / 1000).toFixed(1)} s`);
	const [, rebuildMs] = await time(async () => {
		for (const c of world.campaigns)
			await admin.query(`select private.rebuild_message_report($1)`, [c]);
	});
	await admin.query(`vacuum analyze`);
	await admin.query(`checkpoint`);
	console.log(
		`  rollups rebuilt from the events (a recount by scanning) in ${ms(rebuildMs / 2)} per campaign`
	);

	const claims = { sub: world.memberId, role: 'authenticated' };
	const asMember = <T>(fn: (trx: Trx) => Promise<T>) => withRls(db, claims, fn);
	const campaignId = world.campaigns[0]!;

	const fromRollups = await asMember((trx) => report(trx, world.orgA, campaignId));
	const fromScan = await asMember((trx) => scanned(trx, world.orgA, campaignId));
	const keys = ['sent', 'opens', 'uniqueOpens', 'clicks', 'uniqueClicks', 'bounces'] as const;
	for (const k of keys) {
		if (fromRollups.counts[k] !== fromScan[k]) {
			throw new Error(
				`rollups disagree with the events on ${k}: ${fromRollups.counts[k]} vs ${fromScan[k]}`
			);
		}
	}
	if (fromRollups.counts.opens === 0)
		throw new Error('the report is empty: the seed matched nothing');
	console.log(
		`  ${fromRollups.counts.opens.toLocaleString('en-US')} opens (${fromRollups.counts.uniqueOpens.toLocaleString('en-US')} people), ${fromRollups.counts.clicks.toLocaleString('en-US')} clicks: rollups and a recount agree`
	);

	const { rows: sizes } = await admin.query<{ hours: number; links: number }>(
		`select (select count(*)::int from public.message_report_hours where campaign_id = $1) as hours,
		        (select count(*)::int from public.message_link_clicks where campaign_id = $1) as links`,
		[campaignId]
	);
	console.log(`  the report reads ${sizes[0]!.hours} hourly rows and ${sizes[0]!.links} link rows`);

	console.log(`\nreport load as a member under RLS, ${RUNS} runs each, interleaved:`);
	const { a, b } = await compare(
		RUNS,
		() => asMember((trx) => report(trx, world.orgA, campaignId)),
		() => asMember((trx) => scanned(trx, world.orgA, campaignId)),
		Math.min(3, RUNS)
	);
	console.log(`  from rollups:   p50 ${ms(a.p50)}  p95 ${ms(a.p95)}`);
	console.log(`  by scanning:    p50 ${ms(b.p50)}  p95 ${ms(b.p95)}`);
	console.log(
		`  ratio (rollups / scan): p50 ${(a.p50 / b.p50).toFixed(4)}×, p95 ${(a.p95 / b.p95).toFixed(4)}× — goal p95 ≤ 300 ms: ${a.p95 <= 300 ? 'met' : 'MISSED'}`
	);

	// The trigger's cost: SINGLES opens, one insert statement each (as the
	// pixel records them), with the rollup trigger and without, rolled back.
	const singles = async (withRollup: boolean) => {
		await admin.query('begin');
		try {
			if (!withRollup)
				await admin.query(`alter table public.events disable trigger events_message_report`);
			const [, t] = await time(async () => {
				for (let i = 0; i < SINGLES; i++) {
					await admin.query(
						`insert into public.events (org_id, type, subject_type, subject_id, payload)
						 values ($1, 'message.opened', 'contact', gen_random_uuid(),
						         jsonb_build_object('campaign_id', $2::uuid, 'recipient_id', gen_random_uuid(),
						                            'contact_id', gen_random_uuid(), 'channel', 'email'))`,
						[world.orgA, campaignId]
					);
				}
			});
			return t;
		} finally {
			await admin.query('rollback');
		}
	};
	const without = await singles(false);
	const withTrigger = await singles(true);
	console.log(
		`\n${SINGLES.toLocaleString('en-US')} opens, one statement each: ${ms(withTrigger)} with the rollup trigger, ${ms(without)} without (${(withTrigger / without).toFixed(2)}×)`
	);
} finally {
	await db.destroy();
	await admin.end();
	await postgres.cleanup();
}

/** The report's numbers recounted from the campaign's events (no rollups). */
async function scanned(trx: Trx, orgId: string, campaignId: string) {
	// A member's statements are cut off after a few seconds; a scan of a
	// million events takes longer, and the baseline must finish to compare.
	await sql`set local statement_timeout = 0`.execute(trx);
	const { rows } = await sql<Record<string, number>>`
		select count(*) filter (where type = 'message.sent')::float8 as sent,
		       count(*) filter (where type = 'message.opened')::float8 as opens,
		       count(distinct payload->>'recipient_id') filter (where type = 'message.opened')::float8 as "uniqueOpens",
		       count(*) filter (where type = 'message.clicked')::float8 as clicks,
		       count(distinct payload->>'recipient_id') filter (where type = 'message.clicked')::float8 as "uniqueClicks",
		       count(*) filter (where type = 'message.bounced')::float8 as bounces
		  from public.events
		 where org_id = ${orgId} and type like 'message.%' and payload->>'campaign_id' = ${campaignId}`.execute(
		trx
	);
	await sql`
		select (occurred_at at time zone 'UTC')::date, count(*) from public.events
		 where org_id = ${orgId} and type in ('message.opened', 'message.clicked')
		   and payload->>'campaign_id' = ${campaignId} group by 1`.execute(trx);
	await sql`
		select payload->>'link', count(*), count(distinct payload->>'recipient_id') from public.events
		 where org_id = ${orgId} and type = 'message.clicked' and payload->>'campaign_id' = ${campaignId}
		 group by 1`.execute(trx);
	return rows[0]!;
}

async function seed(client: pg.Client) {
	const one = async (text: string, values: unknown[] = []) =>
		(await client.query<{ id: string }>(text, values)).rows[0]!.id;
	const user = (email: string, name: string) =>
		one(
			`with u as (insert into auth.users (id, aud, role, email, raw_user_meta_data, created_at, updated_at)
			   values (gen_random_uuid(), 'authenticated', 'authenticated', $1, jsonb_build_object('full_name', $2::text), now(), now())
			   returning id) select id from u`,
			[email, name]
		);
	const owner = await user('owner@bench.test', 'Olive Owner');
	const memberId = await user('member@bench.test', 'Mia Member');
	const org = (slug: string) =>
		one(
			`insert into public.organizations (name, slug, created_by) values ($1, $1, $2) returning id`,
			[slug, owner]
		);
	const orgA = await org('report-a');
	const orgB = await org('report-b');
	await client.query(
		`insert into public.members (org_id, user_id, role) values ($1, $2, 'member')`,
		[orgA, memberId]
	);
	const campaigns: string[] = [];
	for (const o of [orgA, orgB]) {
		const brand = await one(
			`insert into public.brands (org_id, name) values ($1, 'Shop') returning id`,
			[o]
		);
		const campaign = await one(
			`insert into public.campaigns (org_id, kind, brand_id, name) values ($1, 'email', $2, 'Spring sale') returning id`,
			[o, brand]
		);
		campaigns.push(campaign);
		await client.query(
			`insert into public.message_sends (org_id, campaign_id, subject) values ($1, $2, 'Spring')`,
			[o, campaign]
		);
		await client.query(`select private.message_register_links($1, $2)`, [
			campaign,
			[
				'https://shop.example/a',
				'https://shop.example/b',
				'https://shop.example/c',
				'https://shop.example/d'
			]
		]);
		await client.query(`set session_replication_role = replica`);
		await client.query(
			`insert into public.contacts (org_id, email, first_name, source)
			 select $1, 'p' || i || '@bench.test', 'P' || i, 'seed' from generate_series(1, $2) i`,
			[o, RECIPIENTS]
		);
		await client.query(
			`insert into public.message_recipients (org_id, campaign_id, contact_id, address, status, sent_at)
			 select $1, $2, c.id, c.email, 'sent', now() - interval '7 days' from public.contacts c where c.org_id = $1`,
			[o, campaign]
		);
		await client.query(
			`update public.message_sends set recipients = $2, sent = $2, status = 'finished' where campaign_id = $1`,
			[campaign, RECIPIENTS]
		);
		// Every recipient sent and (mostly) delivered; the rest of the events
		// opens (55%), clicks on four links (35%) and a few unsubscribes,
		// bounces and complaints, by recipients picked by a hash, over 7 days.
		await client.query(
			`with r as (select id, contact_id, row_number() over (order by id) as n from public.message_recipients where campaign_id = $2),
			      g as (select i, case when i <= $3 then 'message.sent'
			                           when i <= $3 * 19 / 10 then 'message.delivered'
			                           else (array['message.opened','message.opened','message.opened','message.opened','message.opened','message.opened',
			                                       'message.clicked','message.clicked','message.clicked','message.clicked',
			                                       'message.unsubscribed','message.bounced','message.complained'])[1 + (i::bigint * 7919) % 13] end as type
			              from generate_series(1, $4::int) i)
			 insert into public.events (org_id, type, subject_type, subject_id, payload, occurred_at)
			 select $1, g.type, 'contact', r.contact_id,
			        jsonb_build_object('campaign_id', $2::uuid, 'recipient_id', r.id, 'contact_id', r.contact_id, 'channel', 'email')
			          || case when g.type = 'message.clicked'
			                  then jsonb_build_object('url', 'https://shop.example/' || (array['a','b','c','d'])[1 + g.i % 4], 'link', g.i % 4)
			                  else '{}'::jsonb end,
			        now() - interval '7 days' + ((g.i::bigint * 104729) % (7 * 86400) || ' seconds')::interval
			   from g join r on r.n = 1 + case when g.i <= $3 * 19 / 10 then (g.i - 1) % $3 else (g.i::bigint * 2654435761) % $3 end`,
			[o, campaign, RECIPIENTS, EVENTS]
		);
		await client.query(`set session_replication_role = origin`);
	}
	return { orgA, orgB, memberId, campaigns };
}
