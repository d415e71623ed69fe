// Storage's policies for the app's buckets, checked at the SQL level as Storage
// checks them: each statement runs as the caller's role with its JWT claims, in
// a transaction (tests/files/storage-api.test.ts does the same through
// supabase-js against the platform's /storage/v1). Also that public.files
// follows every insert, rename, move and delete of storage.objects.
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createTenancyWorld, type Persona, type TenancyWorld } from '../helpers/tenancy.ts';
import { seedObject } from './rls-expectations.ts';

let testDb: TestDatabase;
let world: TenancyWorld;
let client: pg.Client;

beforeAll(async () => {
	testDb = await createTestDatabase();
	world = await createTenancyWorld(testDb.url);
	client = new pg.Client({ connectionString: testDb.url });
	await client.connect();
});
afterAll(async () => {
	await client.end();
	await world.close();
	await testDb.drop();
});

type Result = { ok: true; rows: Record<string, unknown>[] } | { ok: false; code: string };

/** Runs one statement as the persona, committed when it succeeds (as a Storage request would be). */
type Actor = Persona | 'target';

async function as(persona: Actor, text: string, values: unknown[] = []): Promise<Result> {
	const claims = persona === 'anon' ? world.claims('anon') : world.users[persona].claims;
	await client.query('begin');
	try {
		// As the Storage API runs a request (it marks its own deletes as allowed).
		await client.query(
			`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true),
			        set_config('storage.allow_delete_query', 'true', true)`,
			[claims.role, JSON.stringify(claims)]
		);
		const result = await client.query<Record<string, unknown>>(text, values);
		await client.query('commit');
		return { ok: true, rows: result.rows };
	} catch (error) {
		await client.query('rollback');
		if (error instanceof pg.DatabaseError) return { ok: false, code: error.code ?? '' };
		throw error;
	}
}

/** An upload as Storage records it: owner from the token, metadata of the stored bytes. */
function upload(persona: Exclude<Actor, 'anon'>, bucket: string, name: string, size = 5) {
	const owner = world.users[persona].id;
	return as(
		persona,
		`insert into storage.objects (bucket_id, name, owner, owner_id, metadata, user_metadata)
		 values ($1, $2, $3::uuid, $3::text,
		         jsonb_build_object('size', $4::bigint, 'mimetype', 'image/png', 'eTag', '"d41d8"'),
		         '{"width": 64, "height": 48}')
		 returning id`,
		[bucket, name, owner, size]
	);
}

async function catalogue(name: string) {
	const { rows } = await client.query(
		`select org_id, bucket_id, folder, file_name, size, mime_type, checksum, width, height,
		        uploaded_by, alt_text, is_folder_marker
		   from public.files where name = $1`,
		[name]
	);
	return rows[0] as Record<string, unknown> | undefined;
}

const objectCount = async (name: string) =>
	Number(
		(
			await client.query<{ n: string }>(
				'select count(*) as n from storage.objects where name = $1',
				[name]
			)
		).rows[0]!.n
	);

describe('uploads', () => {
	it("a member uploads into their organization's folder, and the catalogue has the file", async () => {
		const name = `${world.orgA}/Spring launch/hero.png`;
		expect((await upload('member', 'org-files', name, 1234)).ok).toBe(true);
		expect(await catalogue(name)).toEqual({
			org_id: world.orgA,
			bucket_id: 'org-files',
			folder: 'Spring launch',
			file_name: 'hero.png',
			size: '1234',
			mime_type: 'image/png',
			checksum: 'd41d8',
			width: 64,
			height: 48,
			uploaded_by: world.users.member.id,
			alt_text: '',
			is_folder_marker: false
		});
	});

	it("a member of A cannot upload into B's folder, in any bucket; nothing is left behind", async () => {
		for (const bucket of ['org-files', 'campaign-creatives', 'site-public']) {
			const name = `${world.orgB}/sneaky-${bucket}.png`;
			expect(await upload('member', bucket, name)).toEqual({ ok: false, code: '42501' });
			expect(await objectCount(name)).toBe(0);
			expect(await catalogue(name)).toBeUndefined();
		}
	});

	it('a viewer cannot upload, an outsider neither, anon neither', async () => {
		const name = `${world.orgA}/viewer.png`;
		expect(await upload('viewer', 'org-files', name)).toEqual({ ok: false, code: '42501' });
		expect(await upload('outsider', 'org-files', name)).toEqual({ ok: false, code: '42501' });
		expect(
			await as('anon', `insert into storage.objects (bucket_id, name) values ('site-public', $1)`, [
				`${world.orgA}/anon.png`
			])
		).toEqual({ ok: false, code: '42501' });
		expect(await objectCount(name)).toBe(0);
	});

	it("paths that do not start with an organization's id are refused", async () => {
		for (const name of ['loose.png', `${world.orgA}`, `not-an-org/${world.orgA}/x.png`]) {
			expect(await upload('admin', 'org-files', name)).toMatchObject({ ok: false });
		}
		// Even for Storage's own role: every object of an app bucket has a catalogue row.
		await expect(seedObject(client, 'org-files', `${randomUUID()}/x.png`, null)).rejects.toThrow(
			/folder named after their organization/
		);
	});

	it("an upsert of one's own file updates the catalogue row, keeping its alt text", async () => {
		const name = `${world.orgA}/upsert.png`;
		expect((await upload('member', 'org-files', name, 10)).ok).toBe(true);
		await client.query(`update public.files set alt_text = 'Our logo' where name = $1`, [name]);
		const again = await as(
			'member',
			`insert into storage.objects (bucket_id, name, owner_id, metadata) values ('org-files', $1, $2, '{"size": 99, "mimetype": "image/png"}')
			 on conflict (bucket_id, name) do update set metadata = excluded.metadata`,
			[name, world.users.member.id]
		);
		expect(again.ok).toBe(true);
		expect(await catalogue(name)).toMatchObject({ size: '99', alt_text: 'Our logo', width: 64 });
	});
});

describe('reading', () => {
	let bName: string;
	beforeAll(async () => {
		bName = `${world.orgB}/secret/plan.pdf`;
		await seedObject(client, 'org-files', bName, world.users.outsider.id);
	});

	it("members of A list, download or sign nothing of B's (no rows through the policies)", async () => {
		for (const persona of ['viewer', 'member', 'admin', 'owner'] as const) {
			const listed = await as(
				persona,
				`select name from storage.objects where bucket_id = 'org-files' and name like $1`,
				[`${world.orgB}/%`]
			);
			expect(listed).toEqual({ ok: true, rows: [] });
			const catalogued = await as(persona, `select id from public.files where org_id = $1`, [
				world.orgB
			]);
			expect(catalogued).toEqual({ ok: true, rows: [] });
		}
	});

	it("viewers read their organization's files", async () => {
		const listed = await as(
			'viewer',
			`select name from storage.objects where bucket_id = 'org-files' and name = $1`,
			[`${world.orgA}/Spring launch/hero.png`]
		);
		expect(listed).toMatchObject({ ok: true, rows: [{}] });
	});

	it("anyone reads the public site's files, nobody else's without membership", async () => {
		const name = `${world.orgB}/site/logo.png`;
		await seedObject(client, 'site-public', name, world.users.outsider.id);
		for (const persona of ['anon', 'member'] as const) {
			expect(
				await as(persona, `select 1 from storage.objects where name = $1`, [name])
			).toMatchObject({ ok: true, rows: [{}] });
			expect(await as(persona, `select 1 from storage.objects where name = $1`, [bName])).toEqual({
				ok: true,
				rows: []
			});
		}
	});
	it("asks which buckets are the app's once per statement, not once per row", async () => {
		await client.query('begin');
		try {
			// A folder of another bucket (a bench's, a future module's), listed by a member.
			await client.query(
				`insert into storage.buckets (id, name) values ('per-row-probe', 'per-row-probe')`
			);
			await client.query(
				`insert into storage.objects (bucket_id, name, metadata)
				 select 'per-row-probe', 'folder/' || i || '.txt', '{}'::jsonb
				   from generate_series(1, 300) i`
			);
			// Function calls counted for this transaction (pg_stat_get_xact_function_calls).
			await client.query(`set local track_functions = 'all'`);
			const claims = world.users.member.claims;
			await client.query(
				`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`,
				[claims.role, JSON.stringify(claims)]
			);
			const listed = await client.query(
				`select name from storage.objects where bucket_id = 'per-row-probe' and name like 'folder/%'`
			);
			expect(listed.rows).toEqual([]);
			await client.query('reset role');
			const { rows } = await client.query<{ calls: number }>(
				`select coalesce(sum(pg_stat_get_xact_function_calls(p.oid)), 0)::int as calls
				   from pg_proc p join pg_namespace n on n.oid = p.pronamespace
				  where n.nspname = 'private' and p.proname in ('is_app_bucket', 'app_bucket_ids')`
			);
			expect(rows[0]!.calls).toBeLessThanOrEqual(1);
		} finally {
			await client.query('rollback');
		}
	});
});

describe('renaming, moving and deleting', () => {
	it('a member renames and moves their own file; the catalogue follows', async () => {
		const from = `${world.orgA}/drafts/banner.png`;
		const to = `${world.orgA}/Spring launch/Final/banner-v2.png`;
		expect((await upload('member', 'org-files', from)).ok).toBe(true);
		const moved = await as(
			'member',
			`update storage.objects set name = $2 where bucket_id = 'org-files' and name = $1 returning id`,
			[from, to]
		);
		expect(moved).toMatchObject({ ok: true, rows: [{}] });
		expect(await catalogue(from)).toBeUndefined();
		expect(await catalogue(to)).toMatchObject({
			folder: 'Spring launch/Final',
			file_name: 'banner-v2.png',
			width: 64
		});
	});

	it("a member cannot move their file into another organization's folder", async () => {
		const from = `${world.orgA}/mine.png`;
		expect((await upload('member', 'org-files', from)).ok).toBe(true);
		const moved = await as(
			'member',
			`update storage.objects set name = $2 where bucket_id = 'org-files' and name = $1`,
			[from, `${world.orgB}/mine.png`]
		);
		expect(moved).toEqual({ ok: false, code: '42501' });
		expect(await catalogue(from)).toMatchObject({ org_id: world.orgA });
	});

	it("a member cannot rename or delete a teammate's file; an admin can", async () => {
		const name = `${world.orgA}/shared/brief.pdf`;
		expect((await upload('target', 'org-files', name)).ok).toBe(true);
		const rename = await as(
			'member',
			`update storage.objects set name = $2 where name = $1 returning id`,
			[name, `${world.orgA}/shared/mine-now.pdf`]
		);
		expect(rename).toEqual({ ok: true, rows: [] });
		const remove = await as('member', `delete from storage.objects where name = $1 returning id`, [
			name
		]);
		expect(remove).toEqual({ ok: true, rows: [] });
		expect(await objectCount(name)).toBe(1);
		const byAdmin = await as('admin', `delete from storage.objects where name = $1 returning id`, [
			name
		]);
		expect(byAdmin).toMatchObject({ ok: true, rows: [{}] });
		expect(await catalogue(name)).toBeUndefined();
	});

	it('a member deletes their own file; a viewer deletes nothing', async () => {
		const name = `${world.orgA}/own-delete.png`;
		expect((await upload('member', 'org-files', name)).ok).toBe(true);
		expect(
			await as('viewer', `delete from storage.objects where name = $1 returning id`, [name])
		).toEqual({ ok: true, rows: [] });
		expect(
			await as('member', `delete from storage.objects where name = $1 returning id`, [name])
		).toMatchObject({ ok: true, rows: [{}] });
		expect(await catalogue(name)).toBeUndefined();
	});
});

describe('folders and usage', () => {
	it('keeps nested empty folders as placeholder rows, flagged', async () => {
		const name = `${world.orgA}/Brand/Logos/Old/.emptyFolderPlaceholder`;
		expect((await upload('member', 'org-files', name, 0)).ok).toBe(true);
		expect(await catalogue(name)).toMatchObject({
			folder: 'Brand/Logos/Old',
			is_folder_marker: true,
			size: '0'
		});
	});

	it("sums an organization's bytes for its members only", async () => {
		const member = await as('member', `select bytes, files from public.files_usage($1)`, [
			world.orgA
		]);
		const { rows } = await client.query<{ bytes: string }>(
			`select sum(size)::text as bytes from public.files where org_id = $1`,
			[world.orgA]
		);
		expect(member).toMatchObject({ ok: true, rows: [{ bytes: rows[0]!.bytes }] });
		const outsider = await as('outsider', `select bytes, files from public.files_usage($1)`, [
			world.orgA
		]);
		expect(outsider).toMatchObject({ ok: true, rows: [{ bytes: '0', files: '0' }] });
	});

	it('leaves no orphans on either side', async () => {
		const { rows } = await client.query('select * from private.files_orphans()');
		expect(rows).toEqual([]);
	});
});
