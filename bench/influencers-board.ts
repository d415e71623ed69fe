// The influencer board at scale: `npm run bench:influencers-board`.
//
// An organization with 20,000 influencer records (60 % Cold, 30 % Active, 10 %
// Final; an owner, tags and a handle each) among 100,000 in five
// organizations, then, against a baseline measured in the same run (absolute
// times on a shared 2-core machine vary):
//   1. the board's first column (the Cold column's first 50 cards with their
//      owners and handles: what the page's server load reads per column),
//      built by the app's influencers.column under RLS as a member, against
//      the same two queries hand-written in SQL without RLS (as the
//      superuser): goal p95 ≤ 200 ms, ratio reported;
//   2. the whole board load (three columns and the column counts), as a member.
// Sizes: BENCH_INFLUENCERS (per organization, default 20,000), BENCH_RUNS.
import pg from 'pg';
import { createDatabase } from '../src/lib/server/db/client.ts';
import { withRls } from '../src/lib/server/db/rls.ts';
import { board, column } from '../src/lib/server/influencers/board.ts';
import { compare, ms, startBenchDatabase, summarize } from './lib.ts';

const PER_ORG = Number(process.env.BENCH_INFLUENCERS ?? 20_000);
const ORGS = 5;
const RUNS = Number(process.env.BENCH_RUNS ?? 200);

const secs = (t: number) => `${((performance.now() - t) / 1000).toFixed(1)} s`;

const postgres = await startBenchDatabase();
try {
	const admin = new pg.Client({ connectionString: postgres.url });
	await admin.connect();
	admin.on('error', () => {});

	console.log(`seeding ${(PER_ORG * ORGS).toLocaleString()} influencers in ${ORGS} organizations…`);
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
	// Set-based, like a restore: triggers off (events and audit entries of
	// 100,000 records are not what is measured); rows valid by every check,
	// board positions given (what the guard would have placed).
	await admin.query(`set session_replication_role = replica`);
	await admin.query(`
		with o as (select id, created_by, row_number() over (order by slug) - 1 as n from public.organizations)
		insert into public.influencers (org_id, name, status, board_position, owner_id, tags, email, created_at, updated_at)
		select o.id,
		       'Creator ' || i,
		       (case when i % 10 < 6 then 'cold' when i % 10 < 9 then 'active' else 'final' end)::public.influencer_status,
		       i,
		       case when i % 4 = 0 then null else o.created_by end,
		       array[(array['Beauty','Travel','Food','Tech','Fitness'])[1 + i % 5]],
		       'creator' || i || '@bench.test',
		       timestamptz '2025-01-01' + make_interval(secs => i * 60),
		       timestamptz '2025-01-01' + make_interval(secs => i * 60)
		  from generate_series(0, ${PER_ORG * ORGS - 1}) i
		  join o on o.n = i % ${ORGS}`);
	await admin.query(`
		insert into public.influencer_handles (org_id, influencer_id, platform, handle)
		select org_id, id, 'instagram', 'creator_' || replace(name, ' ', '_') from public.influencers`);
	await admin.query(`set session_replication_role = origin`);
	await admin.query(`vacuum analyze public.influencers, public.influencer_handles`);
	console.log(`seeded in ${secs(t)}`);

	const db = createDatabase(postgres.url, 2);
	const claims = { sub: memberId, role: 'authenticated' };
	const counted = await admin.query<{ n: number }>(
		`select count(*)::int as n from public.influencers where org_id = $1`,
		[orgA]
	);
	console.log(`organization A: ${counted.rows[0]!.n.toLocaleString()} influencers`);

	// 1. The Cold column's first cards.
	const viaApp = () => withRls(db, claims, (trx) => column(trx, orgA, 'cold'));
	const handWritten = async () => {
		const { rows } = await admin.query<{ id: string }>(
			`select i.id, i.name, i.status, i.tags, i.last_contacted_at, i.owner_id, i.board_position::text as position,
			        p.full_name as owner_name, p.email as owner_email
			   from public.influencers i left join public.profiles p on p.id = i.owner_id
			  where i.org_id = $1 and i.status = 'cold'
			  order by i.board_position, i.id limit 51`,
			[orgA]
		);
		await admin.query(
			`select influencer_id, platform, handle, profile_url, marketplace_profile_id
			   from public.influencer_handles where org_id = $1 and influencer_id = any($2::uuid[])
			  order by platform`,
			[orgA, rows.slice(0, 50).map((r) => r.id)]
		);
	};
	const first = await viaApp();
	if (first.cards.length === 0) throw new Error('the Cold column is empty');
	console.log(`Cold column: ${first.cards.length} cards, more: ${first.next ? 'yes' : 'no'}`);
	const col = await compare(RUNS, viaApp, handWritten);
	console.log(
		`first column (app, RLS as member): p50 ${ms(col.a.p50)}, p95 ${ms(col.a.p95)} (goal ≤ 200 ms)`
	);
	console.log(`hand-written, no RLS:              p50 ${ms(col.b.p50)}, p95 ${ms(col.b.p95)}`);
	console.log(`ratio p95: ${(col.a.p95 / col.b.p95).toFixed(2)}×`);

	// 2. The whole board (three columns and counts), as the page loads it.
	const samples: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		const s = performance.now();
		await withRls(db, claims, (trx) => board(trx, orgA));
		samples.push(performance.now() - s);
	}
	const whole = summarize(samples);
	console.log(`whole board (app, RLS as member): p50 ${ms(whole.p50)}, p95 ${ms(whole.p95)}`);

	await db.destroy();
	await admin.end();
} finally {
	await postgres.cleanup();
}
