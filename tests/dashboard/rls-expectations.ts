// RLS expectations of the dashboard rollups (spread into tests/rls/expectations.ts):
// members read their organization's counts; only the triggers and the fold write them.
import type pg from 'pg';
import type { Row, TableSpec } from '../rls/expectations.ts';

const nobody = {
	anon: '----',
	outsider: '----',
	viewer: '----',
	member: '----',
	admin: '----',
	owner: '----'
};
const readers = { ...nobody, viewer: 's---', member: 's---', admin: 's---', owner: 's---' };

async function one(client: pg.Client, sql: string, values: unknown[]): Promise<Row> {
	return (await client.query<Row>(sql, values)).rows[0]!;
}

export const dashboardTables: Record<string, TableSpec> = {
	'public.contact_daily_counts': {
		seed: (c, w) =>
			one(
				c,
				`insert into public.contact_daily_counts (org_id, day, status, n)
				 values ($1, '2000-01-01', 'subscribed', 3) returning org_id, day::text as day, status, batch`,
				[w.orgA]
			),
		insert: (w) => ({ org_id: w.orgA, day: '2000-01-02', status: 'subscribed', n: 1000 }),
		update: { n: 1000 },
		expect: readers
	},
	'public.automation_run_daily_counts': {
		seed: (c, w) =>
			one(
				c,
				`insert into public.automation_run_daily_counts (org_id, day, status, n)
				 values ($1, '2000-01-01', 'failed', 3) returning org_id, day::text as day, status, batch`,
				[w.orgA]
			),
		insert: (w) => ({ org_id: w.orgA, day: '2000-01-02', status: 'completed', n: 1000 }),
		update: { n: 0 },
		expect: readers
	}
};
