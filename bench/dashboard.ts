// `npm run bench:dashboard`: the organization dashboard at a million.
//
// One organization with BENCH_CONTACTS contacts (default 1M, created over a
// year, three statuses), BENCH_EVENTS events (default 1M: opens, clicks and
// visits of its contacts, plus imports and team changes), BENCH_RUNS_ROWS
// automation runs over 40 days, segments and imports; a second organization
// of the same size shares the tables. Seeded with triggers off (as fast as
// COPY-like inserts go), then the rollups are rebuilt with
// private.rebuild_dashboard_rollups — which the demo seed calls too.
//
// Measured, as a member under RLS, interleaved with a baseline in the same
// run: the dashboard's whole data load (src/lib/server/dashboard: every card)
// against the same load computing the contact and run numbers by scanning
// contacts and automation_runs (what the page would cost without rollups).
// Goal: p95 ≤ 300 ms at 1M contacts and 1M events. Also timed: the rebuild,
// and the cost of the rollup triggers on a 100,000-row insert statement.
import { sql } from 'kysely';
import pg from 'pg';
import { createDatabase } from '../src/lib/server/db/client.ts';
import { withRls, type Trx } from '../src/lib/server/db/rls.ts';
import * as dashboard from '../src/lib/server/dashboard/index.ts';
import { compare, ms, startBenchDatabase } from './lib.ts';

const N = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const RUN_ROWS = Number(process.env.BENCH_RUNS_ROWS ?? Math.round(N / 5));
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const BULK = Number(process.env.BENCH_BULK ?? 100_000);

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
		`seeding ${N.toLocaleString('en-US')} contacts, ${EVENTS.toLocaleString('en-US')} events and ${RUN_ROWS.toLocaleString('en-US')} runs per organization (two organizations)…`
	);
	const [world, seedMs] = await time(() => seed(admin));
	console.log(`  seeded in ${(seedMs / 1000).toFixed(1)} s`);
	const [, rebuildMs] = await time(() =>
		admin.query(`select private.rebuild_dashboard_rollups(null)`)
	);
	await admin.query(`vacuum analyze`);
	await admin.query(`checkpoint`);
	console.log(`  rollups rebuilt from the tables in ${ms(rebuildMs)}`);

	const claims = { sub: world.memberId, role: 'authenticated' };
	const asMember = <T>(fn: (trx: Trx) => Promise<T>) => withRls(db, claims, fn);

	// Same answers either way (checked once, then timed).
	const fromRollups = await asMember((trx) => dashboard.load(trx, world.orgA));
	const fromScans = await asMember((trx) => scanned(trx, world.orgA));
	if (
		fromRollups.contacts.total !== fromScans.total ||
		fromRollups.automations.last30.completed !== fromScans.completed30
	)
		throw new Error(
			`rollups disagree with the tables: ${JSON.stringify({ rollups: fromRollups.contacts.total, scans: fromScans.total })}`
		);
	console.log(
		`  ${fromRollups.contacts.total.toLocaleString('en-US')} contacts, ${fromRollups.automations.last30.completed.toLocaleString('en-US')} runs completed in 30 days: rollups and scans agree`
	);

	console.log(`\ndashboard load as a member under RLS, ${RUNS} runs each, interleaved:`);
	const { a, b } = await compare(
		RUNS,
		() => asMember((trx) => dashboard.load(trx, world.orgA)),
		() => asMember((trx) => scanned(trx, world.orgA)),
		Math.min(3, RUNS)
	);
	console.log(`  from rollups:  p50 ${ms(a.p50)}  p95 ${ms(a.p95)}`);
	console.log(`  by scanning:   p50 ${ms(b.p50)}  p95 ${ms(b.p95)}`);
	console.log(
		`  ratio (rollups / scans): p50 ${(a.p50 / b.p50).toFixed(3)}×, p95 ${(a.p95 / b.p95).toFixed(3)}× — goal p95 ≤ 300 ms: ${a.p95 <= 300 ? 'met' : 'MISSED'}`
	);

	// What the triggers cost a bulk statement: the same insert with the rollup
	// trigger and without it, each rolled back.
	const bulk = async (withRollup: boolean) => {
		await admin.query('begin');
		try {
			if (!withRollup)
				await admin.query(
					`alter table public.contacts disable trigger contacts_daily_counts_insert`
				);
			const [, t] = await time(() =>
				admin.query(
					`insert into public.contacts (org_id, email, status, source)
					 select $1, 'bulk' || i || '@bench.test', 'subscribed', 'import'
					   from generate_series(1, $2) i`,
					[world.orgC, BULK]
				)
			);
			return t;
		} finally {
			await admin.query('rollback');
		}
	};
	const without = await bulk(false);
	const withTrigger = await bulk(true);
	console.log(
		`\n${BULK.toLocaleString('en-US')}-row insert statement: ${ms(withTrigger)} with the rollup trigger, ${ms(without)} without (${(withTrigger / without).toFixed(2)}×)`
	);
	const [folded, foldMs] = await time(async () => {
		for (let i = 0; i < 200; i++)
			await admin.query(`insert into public.contacts (org_id, email) values ($1, $2)`, [
				world.orgA,
				`one${i}@bench.test`
			]);
		return (await admin.query<{ n: string }>(`select private.fold_dashboard_rollups() as n`))
			.rows[0]!.n;
	});
	console.log(`200 single inserts then a fold of their ${folded} deltas: ${ms(foldMs)}`);
} finally {
	await db.destroy();
	await admin.end();
	await postgres.cleanup();
}

/** The contact and run numbers the dashboard shows, by scanning, plus its other reads. */
async function scanned(trx: Trx, orgId: string) {
	const contacts = await sql<{ day: string; status: string; n: string }>`
		select (created_at at time zone 'UTC')::date::text as day, status, count(*) as n
		  from public.contacts where org_id = ${orgId} group by 1, 2`.execute(trx);
	const runs = await sql<{ day: string; status: string; n: string }>`
		select (started_at at time zone 'UTC')::date::text as day, status, count(*) as n
		  from public.automation_runs
		 where org_id = ${orgId} and started_at >= (now() at time zone 'UTC')::date - 29
		 group by 1, 2`.execute(trx);
	// The cards that read no rollup cost the same either way.
	await dashboard.load(trx, orgId);
	return {
		total: contacts.rows.reduce((s, r) => s + Number(r.n), 0),
		completed30: runs.rows
			.filter((r) => r.status === 'completed')
			.reduce((s, r) => s + Number(r.n), 0)
	};
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
	const orgA = await org('dash-a');
	const orgB = await org('dash-b');
	const orgC = await org('dash-c');
	await client.query(
		`insert into public.members (org_id, user_id, role) values ($1, $2, 'member')`,
		[orgA, memberId]
	);
	await client.query(`set session_replication_role = replica`);
	for (const o of [orgA, orgB]) {
		await client.query(
			`insert into public.contacts (org_id, email, first_name, status, source, created_at, updated_at)
			 select $1, 'p' || i || '@bench.test', 'P' || i,
			        (case when i % 20 = 0 then 'unsubscribed' when i % 97 = 0 then 'bounced' else 'subscribed' end)::public.contact_status,
			        'seed', now() - ((i::bigint * 7919) % (365 * 86400) || ' seconds')::interval, now()
			   from generate_series(1, $2) i`,
			[o, N]
		);
		// Events of the contacts (opens, clicks, visits) and, now and then, an
		// import or a team change: the types the activity card reads are rare.
		await client.query(
			`insert into public.events (org_id, type, subject_type, subject_id, payload, occurred_at)
			 select $1,
			        case when i % 5000 = 0 then 'contacts.imported' when i % 20000 = 1 then 'member.joined'
			             else (array['email.opened','page.visited','email.clicked'])[1 + i % 3] end,
			        case when i % 5000 = 0 then 'import' when i % 20000 = 1 then 'member' else 'contact' end,
			        case when i % 20000 = 1 then $3::uuid else gen_random_uuid() end,
			        case when i % 5000 = 0 then '{"inserted": 1000, "updated": 10}'::jsonb
			             when i % 20000 = 1 then '{"role": "member"}'::jsonb else '{}'::jsonb end,
			        now() - ((i::bigint * 104729) % (90 * 86400) || ' seconds')::interval
			   from generate_series(1, $2) i`,
			[o, EVENTS, memberId]
		);
		const automation = await one(
			`insert into public.automations (org_id, name) values ($1, 'Welcome series') returning id`,
			[o]
		);
		const version = await one(
			`insert into public.automation_versions (org_id, automation_id, version, definition)
			 values ($1, $2, 1, '{}') returning id`,
			[o, automation]
		);
		await client.query(
			`insert into public.automation_runs (org_id, automation_id, version_id, dedupe_key, status, error, started_at)
			 select $1, $2, $3, 'r' || i,
			        (case when i % 50 = 0 then 'failed' when i % 7 = 0 then 'waiting' else 'completed' end)::public.automation_run_status,
			        case when i % 50 = 0 then 'The mail server refused the message' end,
			        now() - ((i::bigint * 7919) % (40 * 86400) || ' seconds')::interval
			   from generate_series(1, $4) i`,
			[o, automation, version, RUN_ROWS]
		);
		await client.query(
			`insert into public.segments (org_id, name, rules, cached_count, refreshed_at)
			 select $1, 'Segment ' || k, '{"kind":"group","match":"all","rules":[]}', k * 1000, now()
			   from generate_series(1, 20) k`,
			[o]
		);
		await client.query(
			`insert into public.contact_imports (org_id, file_name, status, inserted_rows, updated_rows, created_at)
			 select $1, 'import-' || k || '.csv', 'completed', 1000, 10, now() - (k || ' days')::interval
			   from generate_series(1, 50) k`,
			[o]
		);
	}
	await client.query(`set session_replication_role = origin`);
	return { orgA, orgB, orgC, memberId };
}
