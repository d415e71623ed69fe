// Storage under RLS, as Storage checks it: the object row's INSERT is asked of the policies
// before a byte is stored (a refused upload leaves no row and no bytes), each operation needs
// its grants (upsert: insert + select + update; remove: select + delete; move: select +
// update), and signed URLs open only the path they were made for, until they expire.
// Test-only policies on storage.objects stand in for the app's: users write in the folder
// named after their id; "viewers" (a table of this test) may read everything, write nothing.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SupabaseClient } from '@supabase/supabase-js';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketName, startStorageTarget, type StorageTarget } from './support.ts';

let target: StorageTarget;
let admin: SupabaseClient;
let owner: Awaited<ReturnType<StorageTarget['signedInUser']>>;
let viewer: Awaited<ReturnType<StorageTarget['signedInUser']>>;
const bucket = bucketName('rls');
const text = (s: string) => Buffer.from(s, 'utf8');

async function filesOnDisk(): Promise<string[]> {
	const root = target.platform!.storageDir;
	const found: string[] = [];
	const walk = async (dir: string): Promise<void> => {
		for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
			if (entry.isDirectory()) await walk(join(dir, entry.name));
			else found.push(join(dir, entry.name));
		}
	};
	await walk(root);
	return found.sort();
}

async function rowCount(): Promise<number> {
	const { rows } = await target.platform!.pool.query<{ n: number }>(
		'select count(*)::int as n from storage.objects where bucket_id = $1',
		[bucket]
	);
	return rows[0]!.n;
}

function expectError(error: unknown, status: number, statusCode: string) {
	const e = error as { status?: number; statusCode?: string } | null;
	expect(e).not.toBeNull();
	expect({ status: e!.status, statusCode: e!.statusCode }).toEqual({ status, statusCode });
}

beforeAll(async () => {
	target = await startStorageTarget();
	if (!target.platform) return;
	admin = target.client(target.serviceRoleKey);
	owner = await target.signedInUser();
	viewer = await target.signedInUser();
	await target.platform.pool.query(`
		create table public.test_storage_viewers (user_id uuid primary key);
		grant select on public.test_storage_viewers to authenticated;
		create policy "Users read their own folder and viewers read all" on storage.objects
		  for select to authenticated using (
		    (storage.foldername(name))[1] = (select auth.uid()::text)
		    or exists (select from public.test_storage_viewers v where v.user_id = (select auth.uid())));
		create policy "Users upload into their own folder" on storage.objects
		  for insert to authenticated
		  with check ((storage.foldername(name))[1] = (select auth.uid()::text));
		create policy "Users delete in their own folder" on storage.objects
		  for delete to authenticated using ((storage.foldername(name))[1] = (select auth.uid()::text));
		create policy "Users read buckets" on storage.buckets for select to authenticated using (true);
	`);
	await target.platform.pool.query('insert into public.test_storage_viewers values ($1)', [
		viewer.id
	]);
	const created = await admin.storage.createBucket(bucket);
	if (created.error) throw created.error;
}, 120_000);

afterAll(async () => {
	await target?.stop();
});

describe.runIf(!process.env.SUPABASE_URL)('storage under RLS', () => {
	it('stores what a policy allows, owned by the uploader', async () => {
		const { error } = await owner.client.storage
			.from(bucket)
			.upload(`${owner.id}/a.txt`, text('a'));
		expect(error).toBeNull();
		const { rows } = await target.platform!.pool.query(
			'select owner, owner_id from storage.objects where bucket_id = $1 and name = $2',
			[bucket, `${owner.id}/a.txt`]
		);
		expect(rows).toEqual([{ owner: owner.id, owner_id: owner.id }]);
	});

	it('leaves no row and no bytes when a policy refuses the upload', async () => {
		const before = { rows: await rowCount(), files: await filesOnDisk() };
		const big = Buffer.alloc(2 << 20, 7);
		const raw = await owner.client.storage.from(bucket).upload(`someone-else/x.bin`, big);
		expectError(raw.error, 400, '403');
		expect(raw.error?.message).toBe('new row violates row-level security policy');
		const multipart = await owner.client.storage
			.from(bucket)
			.upload('someone-else/y.bin', new Blob([big]));
		expectError(multipart.error, 400, '403');
		expect({ rows: await rowCount(), files: await filesOnDisk() }).toEqual(before);
	});

	it('asks Postgres once before an allowed upload, twice after; refusals keep their order', async () => {
		// Every statement the Storage API sends during one request, counted on the pool it shares.
		const pool = target.platform!.pool;
		const sent: string[] = [];
		const watched = new WeakSet<object>();
		const watch = (client: pg.PoolClient) => {
			if (watched.has(client)) return;
			watched.add(client);
			const query = client.query.bind(client) as (...args: unknown[]) => unknown;
			client.query = ((...args: unknown[]) => {
				const first = args[0] as string | { text: string };
				sent.push(typeof first === 'string' ? first : first.text);
				return query(...args);
			}) as never;
		};
		pool.on('acquire', watch);
		const during = async (work: () => Promise<unknown>) => {
			sent.length = 0;
			await work();
			return sent.map((q) => q.trim().split(/\s+/).slice(0, 2).join(' '));
		};
		try {
			const mine = owner.client.storage.from(bucket);
			// The bucket and RLS's yes in one query (rolled back); then the row with its begin,
			// and the commit.
			const allowed = await during(async () => {
				expect((await mine.upload(`${owner.id}/trips.txt`, text('t'))).error).toBeNull();
			});
			expect(allowed).toEqual(['begin; select', 'begin; select', 'commit']);
			// Refused by RLS: asked again step by step, which says why; nothing kept.
			const before = { rows: await rowCount(), files: await filesOnDisk() };
			const refused = await during(async () => {
				const { error } = await mine.upload('someone-else/trips.txt', text('t'));
				expect(error?.message).toBe('new row violates row-level security policy');
			});
			expect(refused.length).toBeGreaterThan(1);
			expect({ rows: await rowCount(), files: await filesOnDisk() }).toEqual(before);
			// An unknown bucket is NoSuchBucket, not the row's foreign key.
			const { error: missing } = await owner.client.storage
				.from(`${bucket}-missing`)
				.upload(`${owner.id}/x.txt`, text('x'));
			expectError(missing, 400, '404');
			expect(missing?.message).toBe('Bucket not found');
		} finally {
			pool.off('acquire', watch);
			await owner.client.storage.from(bucket).remove([`${owner.id}/trips.txt`]);
		}
	});

	it('lets a viewer read but not upload', async () => {
		const theirs = viewer.client.storage.from(bucket);
		expect(await (await theirs.download(`${owner.id}/a.txt`)).data?.text()).toBe('a');
		expect((await theirs.list(owner.id)).data?.map((e) => e.name)).toEqual(['a.txt']);
		expectError((await theirs.upload(`${owner.id}/v.txt`, text('v'))).error, 400, '403');
		expectError((await theirs.createSignedUploadUrl(`${owner.id}/v.txt`)).error, 400, '403');
	});

	it('needs update to upsert over an object, delete to remove one, update to move one', async () => {
		const mine = owner.client.storage.from(bucket);
		const upsert = await mine.upload(`${owner.id}/a.txt`, text('new'), { upsert: true });
		expectError(upsert.error, 400, '403');
		expect(await (await mine.download(`${owner.id}/a.txt`)).data?.text()).toBe('a');
		expectError((await mine.move(`${owner.id}/a.txt`, `${owner.id}/b.txt`)).error, 400, '404');
		const removedByViewer = await viewer.client.storage.from(bucket).remove([`${owner.id}/a.txt`]);
		expect(removedByViewer.data).toEqual([]);
		expect(await rowCount()).toBe(1);
		const removed = await mine.remove([`${owner.id}/a.txt`]);
		expect(removed.data?.map((o) => o.name)).toEqual([`${owner.id}/a.txt`]);
		expect(await rowCount()).toBe(0);
		expect(await filesOnDisk()).toEqual([]);
	});

	it('refuses an expired signed URL and one whose path was swapped', async () => {
		const files = admin.storage.from(bucket);
		await files.upload(`${owner.id}/one.txt`, text('one'));
		await files.upload(`${owner.id}/two.txt`, text('two'));
		const { data } = await files.createSignedUrl(`${owner.id}/one.txt`, 60);
		const swapped = data!.signedUrl.replace('one.txt', 'two.txt');
		const refused = await fetch(swapped);
		expect(refused.status).toBe(400);
		expect(await refused.json()).toMatchObject({ statusCode: '400', code: 'InvalidSignature' });
		expect((await fetch(data!.signedUrl)).status).toBe(200);
		target.platform!.clock.advance(61_000);
		try {
			const expired = await fetch(data!.signedUrl);
			expect(expired.status).toBe(400);
			expect(await expired.json()).toMatchObject({
				statusCode: '400',
				code: 'ExpiredToken',
				message: 'The provided token has expired.'
			});
		} finally {
			target.platform!.clock.reset();
		}
	});

	it('refuses a download token used as an upload token', async () => {
		const { data } = await admin.storage.from(bucket).createSignedUrl(`${owner.id}/one.txt`, 60);
		const token = new URL(data!.signedUrl).searchParams.get('token')!;
		const { error } = await target
			.client(target.anonKey)
			.storage.from(bucket)
			.uploadToSignedUrl(`${owner.id}/one.txt`, token, text('overwrite'), { upsert: true });
		expectError(error, 400, '400');
	});
});
