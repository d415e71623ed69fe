// Campaigns at scale: `npm run bench:campaigns`.
//
// An organization with 100,000 campaigns among 1,000,000 in the database
// (ten organizations, several brands and folders each, every status and
// kind, dates spread over three years), then, against baselines measured in
// the same run (absolute times on a shared 2-core machine vary):
//   1. the workspace's filtered list page (status + brand + a date range,
//      newest first, 50 rows; first pages and deep keyset pages), built by the
//      app's campaigns.list under RLS as a member, against the same query
//      hand-written in SQL without RLS (as the superuser): goal p95 ≤ 50 ms and
//      ≤ 1.5× the baseline;
//   2. a wizard step save (save_campaign_section, a new revision each time) as
//      a member: goal p95 ≤ 30 ms.
// Sizes: BENCH_CAMPAIGNS (total, default 1,000,000), BENCH_RUNS.
import pg from 'pg';
import { createDatabase } from '../src/lib/server/db/client.ts';
import { withRls } from '../src/lib/server/db/rls.ts';
import * as campaigns from '../src/lib/server/campaigns/campaigns.ts';
import { list, encodeCursor } from '../src/lib/server/campaigns/list.ts';
import { compare, ms, startBenchDatabase, summarize } from './lib.ts';

const TOTAL = Number(process.env.BENCH_CAMPAIGNS ?? 1_000_000);
const ORGS = 10;
const RUNS = Number(process.env.BENCH_RUNS ?? 200);

const secs = (t: number) => `${((performance.now() - t) / 1000).toFixed(1)} s`;

const postgres = await startBenchDatabase();
try {
	const admin = new pg.Client({ connectionString: postgres.url });
	await admin.connect();
	// `finally` stops the cluster under this client when a step fails: without a listener its
	// "terminating connection" would crash the process and hide the step's own error.
	admin.on('error', () => {});

	console.log(`seeding ${TOTAL.toLocaleString()} campaigns in ${ORGS} organizations…`);
	const t = performance.now();
	await admin.query(`
		insert into auth.users (id, aud, role, email, created_at, updated_at)
		select gen_random_uuid(), 'authenticated', 'authenticated', 'owner-' || i || '@bench.test', now(), now()
		  from generate_series(0, ${ORGS - 1}) i
		union all
		select gen_random_uuid(), 'authenticated', 'authenticated', 'member-a@bench.test', now(), now()`);
	await admin.query(`
		insert into public.organizations (name, slug, created_by)
		select 'org-' || i, 'org-' || i, u.id from generate_series(0, ${ORGS - 1}) i
		  join auth.users u on u.email = 'owner-' || i || '@bench.test'`);
	const { rows: orgRows } = await admin.query<{ id: string }>(
		`select id from public.organizations order by slug`
	);
	const orgA = orgRows[0]!.id;
	const memberId = (
		await admin.query<{ id: string }>(
			`select id from auth.users where email = 'member-a@bench.test'`
		)
	).rows[0]!.id;
	await admin.query(
		`insert into public.members (org_id, user_id, role) values ($1, $2, 'member')`,
		[orgA, memberId]
	);
	await admin.query(`
		insert into public.brands (org_id, name)
		select o.id, 'Brand ' || b from public.organizations o, generate_series(1, 8) b`);
	await admin.query(`
		insert into public.campaign_folders (org_id, name)
		select o.id, 'Folder ' || f from public.organizations o, generate_series(1, 20) f`);
	// Status and brand follow the row's place within its organization (i / ORGS), not i itself:
	// derived from i they were correlated with the organization and the measured filter matched
	// no row. Hours in bigint: i * 7919 overflows an integer past 271,000 rows.
	// Set-based, like a restore: triggers off (sections, events and audit entries
	// of a million campaigns are not what is measured); rows valid by every check.
	await admin.query(`set session_replication_role = replica`);
	await admin.query(`
		with o as (select id, row_number() over (order by slug) - 1 as n from public.organizations),
		     b as (select org_id, array_agg(id order by name) as ids from public.brands group by org_id),
		     f as (select org_id, array_agg(id order by name) as ids from public.campaign_folders group by org_id)
		insert into public.campaigns (org_id, kind, brand_id, name, folder_id, owner_id, status, starts_at, ends_at,
		                              budget_amount, currency, version, submitted_version, created_at, updated_at)
		select o.id,
		       (array['influencer','email','sms','whatsapp'])[1 + i % 4]::public.campaign_kind,
		       b.ids[1 + (i / ${ORGS} / 5) % 8],
		       'Campaign ' || i || ' ' || (array['spring','summer','autumn','winter','launch','restock','vip'])[1 + i % 7],
		       case when i % 3 = 0 then null else f.ids[1 + (i / 11) % 20] end,
		       null,
		       (array['draft','scheduled','active','completed','cancelled'])[1 + (i / ${ORGS}) % 5]::public.campaign_status,
		       s.starts_at, s.starts_at + make_interval(days => 3 + i % 60),
		       (100 + i % 50000)::numeric, 'EUR', 1, 1,
		       timestamptz '2024-01-01' + make_interval(secs => i * 90), timestamptz '2024-01-01' + make_interval(secs => i * 90)
		  from generate_series(0, ${TOTAL - 1}) i
		  join o on o.n = i % ${ORGS}
		  join b on b.org_id = o.id
		  join f on f.org_id = o.id
		  cross join lateral (select timestamptz '2024-01-01' + make_interval(hours => ((i::bigint * 7919) % 26280)::int) as starts_at) s`);
	await admin.query(`set session_replication_role = origin`);
	await admin.query(`vacuum analyze public.campaigns`);
	console.log(`seeded in ${secs(t)}`);

	const db = createDatabase(postgres.url, 2);
	const claims = { sub: memberId, role: 'authenticated' };
	const { rows: brandRows } = await admin.query<{ id: string }>(
		`select id from public.brands where org_id = $1 order by name limit 1`,
		[orgA]
	);
	const brand = brandRows[0]!.id;
	const counted = await admin.query<{ n: number }>(
		`select count(*)::int as n from public.campaigns where org_id = $1`,
		[orgA]
	);
	console.log(`organization A: ${counted.rows[0]!.n.toLocaleString()} campaigns`);

	// 1. The filtered list: status + brand + campaigns running in 2025, newest first.
	const filter = {
		status: 'active' as const,
		brand,
		from: '2025-01-01',
		to: '2025-12-31',
		sort: 'newest' as const
	};
	// Deep pages: cursors taken from the middle of the result.
	const { rows: deep } = await admin.query<{ created_at: Date; id: string }>(
		`select created_at, id from public.campaigns
		  where org_id = $1 and status = 'active' and brand_id = $2
		    and ends_at >= '2025-01-01' and starts_at < '2026-01-01'
		  order by created_at desc, id desc offset 300 limit 1`,
		[orgA, brand]
	);
	const cursors = [
		undefined,
		deep[0] ? encodeCursor({ v: deep[0].created_at.toISOString(), id: deep[0].id }) : undefined
	];
	let k = 0;
	// Read-only, as the campaigns page's load runs it.
	const viaApp = () =>
		withRls(
			db,
			claims,
			(trx) => list(trx, orgA, { ...filter, after: cursors[k++ % cursors.length] }),
			{ readOnly: true }
		);
	let j = 0;
	const handWritten = async () => {
		const after = j++ % cursors.length === 0 ? null : deep[0]!;
		await admin.query(
			`select c.id, c.name, c.kind, c.status, b.name as brand_name, c.folder_id, c.starts_at, c.ends_at,
			        c.budget_amount, c.currency, c.created_at
			   from public.campaigns c join public.brands b on b.id = c.brand_id
			  where c.org_id = $1 and c.status = 'active' and c.brand_id = $2
			    and c.ends_at >= '2025-01-01' and c.starts_at < '2026-01-01'
			    and ($3::timestamptz is null or (c.created_at, c.id) < ($3::timestamptz, $4::uuid))
			  order by c.created_at desc, c.id desc limit 51`,
			[orgA, brand, after?.created_at ?? null, after?.id ?? null]
		);
	};
	const firstPage = await viaApp();
	// An empty result would time nothing worth timing.
	if (firstPage.rows.length === 0) throw new Error('the measured filter matches no campaign');
	console.log(
		`list page: ${firstPage.rows.length} rows, next page: ${firstPage.next ? 'yes' : 'no'}`
	);
	const listed = await compare(RUNS, viaApp, handWritten);
	const ratio = listed.a.p95 / listed.b.p95;
	console.log(
		`filtered list (app, RLS as member): p50 ${ms(listed.a.p50)}, p95 ${ms(listed.a.p95)} (goal ≤ 50 ms)`
	);
	console.log(
		`hand-written, no RLS:               p50 ${ms(listed.b.p50)}, p95 ${ms(listed.b.p95)}`
	);
	console.log(`ratio p95: ${ratio.toFixed(2)}× (goal ≤ 1.5×)`);

	// 2. A wizard step save as a member: a campaign made through the app, saved RUNS times.
	const id = await withRls(db, claims, (trx) =>
		campaigns.create(trx, orgA, { kind: 'influencer', name: 'Bench wizard', brandId: brand })
	);
	let revision = 1;
	const save = async (i: number) => {
		const result = await withRls(db, claims, (trx) =>
			campaigns.saveSection(
				trx,
				id,
				'objective',
				{ objective: `Reach ${i}`, kpis: [{ metric: 'reach', target: String(1000 + i) }] },
				revision
			)
		);
		if (!result.saved) throw new Error('unexpected conflict');
		revision = result.revision;
	};
	for (let i = 0; i < 20; i++) await save(i);
	const samples: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		const s = performance.now();
		await save(1000 + i);
		samples.push(performance.now() - s);
	}
	const saved = summarize(samples);
	console.log(`wizard step save: p50 ${ms(saved.p50)}, p95 ${ms(saved.p95)} (goal ≤ 30 ms)`);

	await db.destroy();
	await admin.end();
} finally {
	await postgres.cleanup();
}
