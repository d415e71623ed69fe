// Tenancy under RLS versus no RLS at all.
//
// 1,000 organizations × 1,000 brands (1M tenant rows). A typical org-scoped
// list — filter, sort, 50 rows — run as `authenticated` under RLS (role and
// JWT claims set locally, exactly as the app does per request) versus the same
// query as service_role (RLS bypassed) with an explicit org filter. Goal: the
// RLS ratio ≤ 1.2.
import { sql } from 'kysely';
import pg from 'pg';
import { createDatabase } from '../src/lib/server/db/client.ts';
import { asService, withRls } from '../src/lib/server/db/rls.ts';
import { compare, ms, startBenchDatabase } from './lib.ts';

const ORGS = Number(process.env.BENCH_ORGS ?? 1000);
const ROWS_PER_ORG = Number(process.env.BENCH_ROWS_PER_ORG ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 500);

const postgres = await startBenchDatabase();
try {
	const admin = new pg.Client({ connectionString: postgres.url });
	await admin.connect();
	console.log(`seeding ${ORGS} organizations × ${ROWS_PER_ORG} brands…`);
	let t = performance.now();
	await admin.query(`
		insert into auth.users (id, aud, role, email, created_at, updated_at)
		select gen_random_uuid(), 'authenticated', 'authenticated', 'user' || i || '@bench.test', now(), now()
		  from generate_series(1, ${ORGS}) i;
		insert into public.organizations (name, slug, created_by)
		select 'Org ' || n, 'org-' || n, u.id
		  from (select id, row_number() over (order by email) n from auth.users where email like '%@bench.test') u;
		insert into public.brands (org_id, name, city, country)
		select o.id, 'Brand ' || lpad(i::text, 5, '0'), (array['Paris','Lyon','Berlin','Madrid','Rome'])[1 + i % 5],
		       (array['FR','DE','ES','IT'])[1 + i % 4]
		  from public.organizations o, generate_series(1, ${ROWS_PER_ORG}) i;
		analyze;`);
	console.log(`seeded in ${((performance.now() - t) / 1000).toFixed(1)} s`);

	// The signed-in user: owner of one organization and member of two more, as people are.
	const { rows } = await admin.query<{ user_id: string; org_id: string }>(
		`select created_by as user_id, id as org_id from public.organizations order by slug limit 1`
	);
	const { user_id: userId, org_id: orgId } = rows[0]!;
	await admin.query(
		`insert into public.members (org_id, user_id, role)
		 select id, $1, 'member' from public.organizations where id <> $2 order by slug limit 2`,
		[userId, orgId]
	);
	await admin.end();

	const db = createDatabase(postgres.url, 2);
	const claims = { sub: userId, role: 'authenticated', aud: 'authenticated' };
	const list = (trx: Parameters<Parameters<typeof withRls>[2]>[0]) =>
		trx
			.selectFrom('brands')
			.select(['id', 'name', 'city', 'country'])
			.where('org_id', '=', orgId)
			.where('country', '=', 'FR')
			.orderBy('name')
			.limit(50)
			.execute();

	// Same rows either way, or the comparison means nothing.
	const [underRls, asServiceRole] = await Promise.all([
		withRls(db, claims, list),
		asService(db, list)
	]);
	if (underRls.length !== 50 || JSON.stringify(underRls) !== JSON.stringify(asServiceRole)) {
		throw new Error('RLS and service-role queries returned different rows');
	}
	const plan = await withRls(db, claims, (trx) =>
		sql<{ 'QUERY PLAN': string }>`explain select id, name from public.brands
			where org_id = ${orgId} and country = 'FR' order by name limit 50`.execute(trx)
	);

	t = performance.now();
	const result = await compare(
		RUNS,
		() => withRls(db, claims, list),
		() => asService(db, list)
	);
	await db.destroy();

	console.log(`\nplan under RLS:\n  ${plan.rows.map((r) => r['QUERY PLAN']).join('\n  ')}`);
	console.log(
		`\norg-scoped list (filter, sort, 50 rows) over ${ORGS * ROWS_PER_ORG} rows, ${RUNS} runs each`
	);
	console.log(`  authenticated under RLS   p50 ${ms(result.a.p50)}   p95 ${ms(result.a.p95)}`);
	console.log(`  service_role, no RLS      p50 ${ms(result.b.p50)}   p95 ${ms(result.b.p95)}`);
	const ratio = result.a.p50 / result.b.p50;
	console.log(`  ratio RLS / no RLS (p50)  ${ratio.toFixed(2)}   (goal ≤ 1.20)`);
	console.log(`  ratio RLS / no RLS (p95)  ${(result.a.p95 / result.b.p95).toFixed(2)}`);
} finally {
	await postgres.cleanup();
}
