// The demo marketplace (platform/demo/85-marketplace.sql) loads through the
// ingestion function: 300 creators on 360 profiles, four monthly runs (the
// last one partial, its refusals logged), a follower trend on every profile.
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let testDb: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
	testDb = await createTestDatabase();
	client = new pg.Client({ connectionString: testDb.url });
	await client.connect();
	await client.query('begin');
	await client.query(await readFile('platform/demo/00-helpers.sql', 'utf8'));
	await client.query(await readFile('platform/demo/85-marketplace.sql', 'utf8'));
	await client.query('commit');
});
afterAll(async () => {
	await client.end();
	await testDb.drop();
});

it('loads 300 creators with a trend, three clean runs and a partial one', async () => {
	const runs = await client.query(
		`select run_id, status, profiles_created, profiles_updated, items_rejected
		   from public.data_runs order by created_at`
	);
	expect(runs.rows).toEqual([
		{
			run_id: 'demo-monthly-1',
			status: 'succeeded',
			profiles_created: 360,
			profiles_updated: 0,
			items_rejected: 0
		},
		{
			run_id: 'demo-monthly-2',
			status: 'succeeded',
			profiles_created: 0,
			profiles_updated: 360,
			items_rejected: 0
		},
		{
			run_id: 'demo-monthly-3',
			status: 'succeeded',
			profiles_created: 0,
			profiles_updated: 360,
			items_rejected: 0
		},
		{
			run_id: 'demo-monthly-4',
			status: 'succeeded',
			profiles_created: 0,
			profiles_updated: 360,
			items_rejected: 4
		}
	]);
	const { rows } = await client.query(
		`select count(*)::int profiles, count(distinct influencer_id)::int influencers,
		        (select count(*)::int from public.marketplace_profile_metrics) points
		   from public.marketplace_profiles`
	);
	expect(rows[0]).toEqual({ profiles: 360, influencers: 300, points: 1440 });
});
