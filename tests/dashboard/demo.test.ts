// The demo workspace's dashboard: after `npm run dev` seeds it, the rollups
// equal direct counts for every organization and the demo user's home shows
// the seeded contacts, runs, segments, import and activity.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../../platform/demo.ts';
import { createDatabase, type Database } from '../../src/lib/server/db/client.ts';
import { withRls } from '../../src/lib/server/db/rls.ts';
import * as dashboard from '../../src/lib/server/dashboard/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const DEMO_USER = 'd0d0d0d0-0000-4000-8000-000000000001';

let testDb: TestDatabase;
let admin: pg.Client;
let db: Database;

beforeAll(async () => {
	testDb = await createTestDatabase();
	await loadDemo(testDb.url);
	admin = new pg.Client({ connectionString: testDb.url });
	await admin.connect();
	db = createDatabase(testDb.url, 2);
});
afterAll(async () => {
	await db.destroy();
	await admin.end();
	await testDb.drop();
});

const rows = async (query: string) =>
	(await admin.query<{ k: string; n: string }>(query)).rows.map((r) => `${r.k}=${r.n}`);

describe('the demo workspace', () => {
	it('has rollups equal to direct counts, folded', async () => {
		expect(
			await rows(`select org_id || day::text || status as k, sum(n) as n from public.contact_daily_counts
			             group by org_id, day, status having sum(n) <> 0 order by 1`)
		).toEqual(
			await rows(`select org_id || (created_at at time zone 'UTC')::date::text || status as k, count(*) as n
			              from public.contacts group by 1 order by 1`)
		);
		expect(
			await rows(`select org_id || day::text || status as k, sum(n) as n from public.automation_run_daily_counts
			             group by org_id, day, status having sum(n) <> 0 order by 1`)
		).toEqual(
			await rows(`select org_id || (started_at at time zone 'UTC')::date::text || status as k, count(*) as n
			              from public.automation_runs group by 1 order by 1`)
		);
		const deltas = await admin.query(
			`select 1 from public.contact_daily_counts where batch <> 0
			 union all select 1 from public.automation_run_daily_counts where batch <> 0`
		);
		expect(deltas.rowCount).toBe(0);
	});

	it("shows the demo user's organization on its dashboard", async () => {
		const { rows: orgs } = await admin.query<{ id: string }>(
			`select id from public.organizations where created_by = $1 order by created_at limit 1`,
			[DEMO_USER]
		);
		const d = await withRls(db, { sub: DEMO_USER, role: 'authenticated' }, (trx) =>
			dashboard.load(trx, orgs[0]!.id)
		);
		expect(d.contacts.total).toBeGreaterThan(1000);
		expect(d.contacts.daily.at(-1)!.total).toBe(d.contacts.total);
		expect(d.contacts.daily[0]!.total).toBeLessThan(d.contacts.total);
		expect(d.automations.last30.completed).toBeGreaterThan(0);
		expect(d.segments.length).toBeGreaterThan(0);
		expect(d.imports.length).toBeGreaterThan(0);
		expect(d.activity.length).toBeGreaterThan(0);
	});
});
