// The platform's `storage` schema is Supabase Storage's: the app's migrations create buckets
// and policies on storage.objects, and the Storage API relies on the columns, helpers,
// grants and RLS being the ones a Supabase project has.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../../platform/bootstrap.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

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

const columns = async (table: string) =>
	(
		await client.query<{ column_name: string }>(
			`select column_name from information_schema.columns
			  where table_schema = 'storage' and table_name = $1 order by column_name`,
			[table]
		)
	).rows.map((r) => r.column_name);

describe('the storage schema', () => {
	it('has the buckets and objects tables with Storage columns, RLS on both', async () => {
		expect(await columns('buckets')).toEqual(
			[
				'allowed_mime_types',
				'created_at',
				'file_size_limit',
				'id',
				'name',
				'owner',
				'owner_id',
				'public',
				'updated_at'
			].sort()
		);
		expect(await columns('objects')).toEqual(
			[
				'bucket_id',
				'created_at',
				'id',
				'last_accessed_at',
				'metadata',
				'name',
				'owner',
				'owner_id',
				'path_tokens',
				'updated_at',
				'user_metadata',
				'version'
			].sort()
		);
		const { rows } = await client.query<{ relname: string; relrowsecurity: boolean }>(
			`select relname, relrowsecurity from pg_class
			  where relnamespace = 'storage'::regnamespace and relname in ('buckets', 'objects')
			  order by relname`
		);
		expect(rows).toEqual([
			{ relname: 'buckets', relrowsecurity: true },
			{ relname: 'objects', relrowsecurity: true }
		]);
	});

	it('splits paths with foldername, filename and extension as Storage does', async () => {
		const { rows } = await client.query(
			`select storage.foldername('org/a/b.tar.gz') as folders,
			        storage.filename('org/a/b.tar.gz') as file,
			        storage.extension('org/a/b.tar.gz') as ext,
			        storage.extension('org/README') as bare`
		);
		expect(rows[0]).toEqual({ folders: ['org', 'a'], file: 'b.tar.gz', ext: 'gz', bare: 'README' });
	});

	it('gives the API roles the grants Supabase gives and lets RLS decide', async () => {
		const { rows } = await client.query<{ role: string; ok: boolean }>(
			`select r as role,
			        has_table_privilege(r, 'storage.objects', 'select,insert,update,delete')
			        and has_table_privilege(r, 'storage.buckets', 'select,insert,update,delete')
			        and has_function_privilege(r, 'storage.foldername(text)', 'execute') as ok
			   from unnest(array['anon', 'authenticated', 'service_role']) r order by r`
		);
		expect(rows.every((r) => r.ok)).toBe(true);
		// Without a policy, a signed-in user sees and writes nothing.
		await client.query('begin');
		try {
			await client.query(`insert into storage.buckets (id, name) values ('b', 'b')`);
			await client.query(`insert into storage.objects (bucket_id, name) values ('b', 'x/y.txt')`);
			await client.query('set local role authenticated');
			const seen = await client.query('select 1 from storage.objects');
			expect(seen.rowCount).toBe(0);
			await expect(
				client.query(`insert into storage.objects (bucket_id, name) values ('b', 'z.txt')`)
			).rejects.toThrow(/row-level security/);
		} finally {
			await client.query('rollback');
		}
	});

	it('lets a migration create policies that read the folder of a path', async () => {
		await client.query('begin');
		try {
			await client.query(`insert into storage.buckets (id, name) values ('b', 'b')`);
			await client.query(
				`create policy "Users write in their own folder" on storage.objects for insert
				   to authenticated with check ((storage.foldername(name))[1] = (select auth.uid()::text))`
			);
			const sub = '00000000-0000-4000-8000-000000000001';
			await client.query(
				`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`,
				[JSON.stringify({ sub, role: 'authenticated' })]
			);
			await client.query(`insert into storage.objects (bucket_id, name) values ('b', $1)`, [
				`${sub}/a.txt`
			]);
			await expect(
				client.query(`insert into storage.objects (bucket_id, name) values ('b', 'other/a.txt')`)
			).rejects.toThrow(/row-level security/);
		} finally {
			await client.query('rollback');
		}
	});

	it('refuses direct deletes outside the Storage API, as Supabase does', async () => {
		await client.query('begin');
		try {
			await client.query(`insert into storage.buckets (id, name) values ('b', 'b')`);
			await expect(client.query(`delete from storage.buckets`)).rejects.toThrow(
				/Direct deletion from storage tables is not allowed/
			);
		} finally {
			await client.query('rollback');
		}
	});

	it('creates nothing again where the schema exists (a Supabase project)', async () => {
		await client.query(`insert into storage.buckets (id, name) values ('kept', 'kept')`);
		// The app's migrations add buckets of their own: every bucket is still there, unchanged.
		const before = await client.query(`select * from storage.buckets order by id`);
		await bootstrap(db.url);
		const { rows } = await client.query(`select * from storage.buckets order by id`);
		expect(rows).toEqual(before.rows);
		expect(rows.map((r: { id: string }) => r.id)).toContain('kept');
	});
});
