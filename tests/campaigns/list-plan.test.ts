// The workspace list filtered by status reads only campaigns in that status
// under RLS, as it does without: the enum's equality is not leakproof, so as a
// member `status = …` can never be an index condition (Postgres checks the
// policy first); one partial index per status lets the planner prove the
// filter from the index instead (campaigns_list_under_rls migration). An
// EXPLAIN guard, as a member, on enough campaigns for the planner to care;
// and the row estimates that decide between walking an index and sorting
// (campaigns_list_statistics migration).
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { campaignWorld, type CampaignWorld } from './world.ts';

let w: CampaignWorld;
beforeAll(async () => {
	w = await campaignWorld();
	// Set-based, triggers off (sections, events and audit are not what is measured).
	await w.admin.query(`set session_replication_role = replica`);
	await w.admin.query(
		`insert into public.campaigns (org_id, kind, brand_id, name, status, created_at)
		 select $1, 'email', $2, 'Campaign ' || i,
		        (array['draft','scheduled','active','completed','cancelled'])[1 + i % 5]::public.campaign_status,
		        timestamptz '2025-01-01' + make_interval(mins => i)
		   from generate_series(1, 5000) i`,
		[w.world.orgA, w.brandA]
	);
	await w.admin.query(`set session_replication_role = origin`);
	await w.admin.query(`analyze public.campaigns`);
});
afterAll(() => w.close());

type PlanNode = {
	'Node Type': string;
	'Index Name'?: string;
	'Relation Name'?: string;
	Filter?: string;
	'Index Cond'?: string;
	'Plan Rows'?: number;
	Plans?: PlanNode[];
};

function nodes(plan: PlanNode): PlanNode[] {
	return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

it('reads an organization’s active campaigns, newest first, from the active ones only', async () => {
	const plan = await w.as('member', async (trx) => {
		// The shape campaigns.list builds for a status filter (first and deep pages).
		const { rows } = await sql<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>`
			explain (format json)
			select c.id, c.name, c.status, b.name as brand_name, c.created_at
			  from public.campaigns as c inner join public.brands as b on b.id = c.brand_id
			 where c.org_id = ${w.world.orgA} and c.status = ${'active'}
			   and (c.created_at, c.id) < (${'2025-01-03T00:00:00Z'}::timestamptz, ${'ffffffff-ffff-4fff-bfff-ffffffffffff'}::uuid)
			 order by c.created_at desc, c.id desc limit 51`.execute(trx);
		return rows[0]!['QUERY PLAN'][0].Plan;
	});
	const scans = nodes(plan).filter((n) => n['Relation Name'] === 'campaigns');
	expect(scans).toHaveLength(1);
	expect(scans[0]).toMatchObject({ 'Index Name': 'campaigns_active_org_id_created_at_idx' });
	// Neither the status nor the cursor is left to a filter after the policy.
	expect(scans[0]!.Filter ?? '').not.toMatch(/status|created_at/);
	expect(scans[0]!['Index Cond']).toMatch(/created_at/);
	expect(nodes(plan).some((n) => n['Node Type'] === 'Sort')).toBe(false);
});

it('knows a brand belongs to one organization when it estimates the list’s rows', async () => {
	// Another organization with many brands: without the dependency statistics
	// the planner takes org A's one brand for 1/21 of org A's campaigns.
	await w.admin.query(`set session_replication_role = replica`);
	await w.admin.query(
		`with b as (
		   insert into public.brands (org_id, name)
		   select $1, 'Brand ' || g from generate_series(1, 20) g returning id)
		 insert into public.campaigns (org_id, kind, brand_id, name, status, created_at)
		 select $1, 'sms', (select id from b order by id offset i % 20 limit 1), 'Other ' || i, 'draft',
		        timestamptz '2025-01-01' + make_interval(mins => i)
		   from generate_series(1, 5000) i`,
		[w.world.orgB]
	);
	await w.admin.query(`set session_replication_role = origin`);
	await w.admin.query(`analyze public.campaigns`);
	const { rows: actual } = await w.admin.query<{ n: number }>(
		'select count(*)::int as n from public.campaigns where org_id = $1 and brand_id = $2',
		[w.world.orgA, w.brandA]
	);
	const { rows } = await w.admin.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(
		`explain (format json) select id from public.campaigns where org_id = $1 and brand_id = $2`,
		[w.world.orgA, w.brandA]
	);
	const estimate = rows[0]!['QUERY PLAN'][0].Plan['Plan Rows'];
	expect(estimate).toBeGreaterThan(actual[0]!.n / 1.5);
	expect(estimate).toBeLessThan(actual[0]!.n * 1.5);
});

it('checks the read policy after the list’s own date filters, keeping its row estimate', async () => {
	// Campaigns filtered by status, brand and dates: the index gives org A's
	// campaigns of the brand, the filters keep a few. The policy is checked on
	// what the leakproof date filters keep (one compare each), not first on
	// every row with a hash probe (campaigns_read_policy_after_list_filters).
	await w.admin.query(`set session_replication_role = replica`); // dates as seeded, no guard
	await w.admin.query(
		`update public.campaigns set starts_at = created_at, ends_at = created_at + interval '10 days'
		  where org_id = $1`,
		[w.world.orgA]
	);
	await w.admin.query(`set session_replication_role = origin`);
	await w.admin.query(`analyze public.campaigns`);
	const plan = await w.as('member', async (trx) => {
		const { rows } = await sql<{
			'QUERY PLAN': [{ Plan: PlanNode }];
		}>`
			explain (format json)
			select c.id, c.name, b.name as brand_name, c.created_at
			  from public.campaigns as c inner join public.brands as b on b.id = c.brand_id
			 where c.org_id = ${w.world.orgA} and c.status = ${'active'} and c.brand_id = ${w.brandA}
			   and c.ends_at >= ${'2025-01-01T00:00:00Z'} and c.starts_at < ${'2026-01-01T00:00:00Z'}
			 order by c.created_at desc, c.id desc limit 51`.execute(trx);
		return rows[0]!['QUERY PLAN'][0].Plan;
	});
	const scan = nodes(plan).find((n) => n['Relation Name'] === 'campaigns')!;
	const filter = scan.Filter ?? '';
	expect(filter).not.toMatch(/hashed SubPlan/);
	const policy = filter.indexOf('org_id = ANY');
	expect(policy).toBeGreaterThan(filter.indexOf('ends_at >='));
	expect(policy).toBeGreaterThan(filter.indexOf('starts_at <'));
	// The estimate without RLS, halved by the policy as before (the planner cannot
	// know the member belongs to the organization asked for): not a hundredth.
	const { rows } = await w.admin.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(
		`explain (format json) select id from public.campaigns
		  where org_id = $1 and status = 'active' and brand_id = $2
		    and ends_at >= '2025-01-01' and starts_at < '2026-01-01'`,
		[w.world.orgA, w.brandA]
	);
	const withoutRls = rows[0]!['QUERY PLAN'][0].Plan['Plan Rows'];
	const asMember = scan['Plan Rows']!;
	expect(asMember).toBeGreaterThanOrEqual(Math.floor(withoutRls / 2) - 1);
});
