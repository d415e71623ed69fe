// Every table in an exposed schema must have RLS on. Later modules add their
// tables to the role × operation matrix; this guard catches any table that
// ships without RLS at all.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const EXPOSED_SCHEMAS = ['public'];

let testDb: TestDatabase;
let client: pg.Client;
beforeAll(async () => {
	testDb = await createTestDatabase();
	client = new pg.Client({ connectionString: testDb.url });
	await client.connect();
});
afterAll(async () => {
	await client.end();
	await testDb.drop();
});

it('has RLS enabled on every table in the exposed schemas', async () => {
	const { rows } = await client.query<{ table: string }>(
		`select n.nspname || '.' || c.relname as table
		   from pg_class c join pg_namespace n on n.oid = c.relnamespace
		  where c.relkind in ('r', 'p') and n.nspname = any($1) and not c.relrowsecurity`,
		[EXPOSED_SCHEMAS]
	);
	expect(rows.map((r) => r.table)).toEqual([]);
});

it('keeps helpers in the private schema out of reach of anon', async () => {
	const { rows } = await client.query<{ usable: boolean }>(
		`select has_schema_privilege('anon', 'private', 'usage') as usable`
	);
	expect(rows[0]?.usable).toBe(false);
});
