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

// Storage runs every request through the policies of these, as the caller.
it('has RLS enabled on the Storage tables the app keeps files in', async () => {
	const { rows } = await client.query<{ table: string; rls: boolean }>(
		`select n.nspname || '.' || c.relname as table, c.relrowsecurity as rls
		   from pg_class c join pg_namespace n on n.oid = c.relnamespace
		  where n.nspname = 'storage' and c.relname in ('buckets', 'objects') order by 1`
	);
	expect(rows).toEqual([
		{ table: 'storage.buckets', rls: true },
		{ table: 'storage.objects', rls: true }
	]);
});

it('keeps helpers in the private schema out of reach of anon', async () => {
	const { rows } = await client.query<{ usable: boolean }>(
		`select has_schema_privilege('anon', 'private', 'usage') as usable`
	);
	expect(rows[0]?.usable).toBe(false);
});

// Privileges the Data API roles never need on exposed tables: TRUNCATE skips
// RLS, REFERENCES lets a role probe keys with a foreign key of its own, TRIGGER
// attaches code to our tables, MAINTAIN takes locks that stop every tenant;
// UPDATE on a sequence is setval. (has_*_privilege counts PUBLIC and roles held.)
const API_ROLES = ['anon', 'authenticated'];
const TABLE_PRIVILEGES = ['TRIGGER', 'REFERENCES', 'TRUNCATE', 'MAINTAIN'];

async function excessPrivileges(): Promise<string[]> {
	const { rows } = await client.query<{ grant: string }>(
		`select r.role || ' has ' || p.privilege || ' on ' || n.nspname || '.' || c.relname as grant
		   from pg_class c
		   join pg_namespace n on n.oid = c.relnamespace
		  cross join unnest($2::text[]) r (role)
		  cross join unnest($3::text[]) p (privilege)
		  where n.nspname = any($1) and c.relkind in ('r', 'p', 'v', 'm', 'f')
		    and (has_table_privilege(r.role, c.oid, p.privilege)
		         or (p.privilege = 'REFERENCES' and has_any_column_privilege(r.role, c.oid, 'REFERENCES')))
		 union all
		 select r.role || ' has UPDATE on sequence ' || n.nspname || '.' || c.relname
		   from pg_class c
		   join pg_namespace n on n.oid = c.relnamespace
		  cross join unnest($2::text[]) r (role)
		  where n.nspname = any($1) and c.relkind = 'S' and has_sequence_privilege(r.role, c.oid, 'UPDATE')
		  order by 1`,
		[EXPOSED_SCHEMAS, API_ROLES, TABLE_PRIVILEGES]
	);
	return rows.map((r) => r.grant);
}

it('gives the API roles no TRIGGER, REFERENCES, TRUNCATE or MAINTAIN on exposed tables, nor UPDATE on sequences', async () => {
	expect(await excessPrivileges()).toEqual([]);
});

it('keeps those privileges away from tables and sequences that later migrations create', async () => {
	// As a migration would: the migration role (postgres) creates objects in public.
	await client.query('begin');
	try {
		await client.query(
			`create table public.catalog_probe (id bigint generated always as identity primary key, n serial)`
		);
		expect(await excessPrivileges()).toEqual([]);
		// Only those were taken away: the API still sees new tables as Supabase exposes them.
		const { rows } = await client.query<{ readable: boolean }>(
			`select has_table_privilege('authenticated', 'public.catalog_probe', 'SELECT') as readable`
		);
		expect(rows[0]?.readable).toBe(true);
	} finally {
		await client.query('rollback');
	}
});
