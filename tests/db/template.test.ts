import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

describe('the test template database', () => {
	let db: TestDatabase;
	let client: pg.Client;
	beforeAll(async () => {
		db = await createTestDatabase();
		client = new pg.Client({ connectionString: db.url });
		await client.connect();
	});
	afterAll(async () => {
		await client.end();
		await db.drop();
	});

	it('has the Supabase roles, auth schema and the migration history of the CLI', async () => {
		const roles = await client.query<{ rolname: string }>(
			`select rolname from pg_roles where rolname in ('anon','authenticated','service_role','authenticator') order by 1`
		);
		expect(roles.rows.map((r) => r.rolname)).toEqual([
			'anon',
			'authenticated',
			'authenticator',
			'service_role'
		]);
		const history = await client.query(
			'select version from supabase_migrations.schema_migrations order by version'
		);
		expect(history.rowCount).toBeGreaterThan(0);
		const users = await client.query(`select to_regclass('auth.users') is not null as ok`);
		expect(users.rows[0]).toEqual({ ok: true });
	});
});
