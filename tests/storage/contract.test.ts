// The Storage contract, through @supabase/storage-js as the app uses it: every call the app
// makes, asserting the HTTP status Storage sends and the `statusCode` in its body (Storage
// answers most 4xx with HTTP 400 and the real status in the body). Runs against the local
// platform by default, and against a real project with SUPABASE_URL / SUPABASE_ANON_KEY /
// SUPABASE_SERVICE_ROLE_KEY set.
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketName, startStorageTarget, type StorageTarget } from './support.ts';

let target: StorageTarget;
let admin: SupabaseClient;
const privateBucket = bucketName('private');
const publicBucket = bucketName('public');

type ApiError = { status?: number; statusCode?: string; message: string } | null;

/** Asserts a storage-js error's HTTP status and body statusCode. */
function expectError(error: unknown, status: number, statusCode: string) {
	const e = error as ApiError;
	expect(e, 'expected an error').not.toBeNull();
	expect({ status: e!.status, statusCode: e!.statusCode }).toEqual({ status, statusCode });
}

function expectOk(error: unknown) {
	expect(error).toBeNull();
	expect(target.lastStatus()).toBe(200);
}

const text = (s: string) => Buffer.from(s, 'utf8');

beforeAll(async () => {
	target = await startStorageTarget();
	admin = target.client(target.serviceRoleKey);
}, 120_000);

afterAll(async () => {
	for (const bucket of [privateBucket, publicBucket]) {
		await admin.storage.emptyBucket(bucket);
		await admin.storage.deleteBucket(bucket);
	}
	await target?.stop();
});

describe('buckets', () => {
	it('creates a bucket, and refuses the same name twice with 409', async () => {
		const created = await admin.storage.createBucket(privateBucket, { public: false });
		expectOk(created.error);
		expect(created.data).toEqual({ name: privateBucket });
		const again = await admin.storage.createBucket(privateBucket);
		expectError(again.error, 400, '409');
		expectOk((await admin.storage.createBucket(publicBucket, { public: true })).error);
	});

	it('gets a bucket, and answers an unknown one with 404 in a 400', async () => {
		const { data, error } = await admin.storage.getBucket(privateBucket);
		expectOk(error);
		expect(data).toMatchObject({
			id: privateBucket,
			name: privateBucket,
			public: false,
			file_size_limit: null,
			allowed_mime_types: null
		});
		const missing = await admin.storage.getBucket(bucketName('missing'));
		expectError(missing.error, 400, '404');
		expect(missing.error?.message).toBe('Bucket not found');
	});

	it('lists buckets', async () => {
		const { data, error } = await admin.storage.listBuckets();
		expectOk(error);
		expect(data?.map((b) => b.id)).toEqual(expect.arrayContaining([privateBucket, publicBucket]));
	});

	it('updates visibility, size limit and MIME types', async () => {
		const bucket = bucketName('update');
		expectOk((await admin.storage.createBucket(bucket)).error);
		const updated = await admin.storage.updateBucket(bucket, {
			public: true,
			fileSizeLimit: '1MB',
			allowedMimeTypes: ['image/png', 'text/*']
		});
		expectOk(updated.error);
		const { data } = await admin.storage.getBucket(bucket);
		expect(data).toMatchObject({
			public: true,
			file_size_limit: 1_000_000,
			allowed_mime_types: ['image/png', 'text/*']
		});
		expectOk((await admin.storage.deleteBucket(bucket)).error);
	});

	it('refuses to delete a bucket that holds objects (409), then empties and deletes it', async () => {
		const bucket = bucketName('empty');
		expectOk((await admin.storage.createBucket(bucket)).error);
		expectOk((await admin.storage.from(bucket).upload('a/b.txt', text('x'))).error);
		expectError((await admin.storage.deleteBucket(bucket)).error, 400, '409');
		expectOk((await admin.storage.emptyBucket(bucket)).error);
		const listed = await admin.storage.from(bucket).list('a');
		expect(listed.data).toEqual([]);
		expectOk((await admin.storage.deleteBucket(bucket)).error);
		expectError((await admin.storage.getBucket(bucket)).error, 400, '404');
	});

	it('refuses a request with no valid token with 403 in a 400', async () => {
		const stranger = target.client(target.anonKey, 'not-a-jwt');
		expectError((await stranger.storage.listBuckets()).error, 400, '403');
	});
});

describe('objects', () => {
	const files = () => admin.storage.from(privateBucket);

	it('uploads a raw body with content type, cache control and metadata', async () => {
		const { data, error } = await files().upload('docs/readme.txt', text('hello storage'), {
			contentType: 'text/plain',
			cacheControl: '120',
			metadata: { campaign: 'spring' }
		});
		expectOk(error);
		expect(data).toMatchObject({
			path: 'docs/readme.txt',
			fullPath: `${privateBucket}/docs/readme.txt`
		});
		expect(data?.id).toMatch(/^[0-9a-f-]{36}$/);
	});

	it('uploads a multipart body (a Blob), keeping its type', async () => {
		const blob = new Blob([text('<svg/>')], { type: 'image/svg+xml' });
		expectOk((await files().upload('images/logo.svg', blob, { metadata: { alt: 'Logo' } })).error);
		const { data } = await files().info('images/logo.svg');
		expect(data).toMatchObject({
			contentType: 'image/svg+xml',
			size: 6,
			metadata: { alt: 'Logo' }
		});
	});

	it('refuses an existing key without upsert (409), replaces it with upsert', async () => {
		expectError((await files().upload('docs/readme.txt', text('again'))).error, 400, '409');
		expectOk((await files().upload('docs/v.txt', text('one'))).error);
		expectOk((await files().upload('docs/v.txt', text('two'), { upsert: true })).error);
		const { data } = await files().download('docs/v.txt');
		expect(await data?.text()).toBe('two');
	});

	it('updates an object in place', async () => {
		expectOk(
			(await files().update('docs/v.txt', text('three'), { contentType: 'text/csv' })).error
		);
		const { data, error } = await files().download('docs/v.txt');
		expectOk(error);
		expect(await data?.text()).toBe('three');
		expect(data?.type).toBe('text/csv');
	});

	it('downloads an object, and answers a missing one with 404 in a 400', async () => {
		const { data, error } = await files().download('docs/readme.txt');
		expectOk(error);
		expect(await data?.text()).toBe('hello storage');
		const missing = await files().download('docs/nothing.txt');
		expectError(missing.error, 400, '404');
	});

	it('describes an object (info) and says whether it exists', async () => {
		const { data, error } = await files().info('docs/readme.txt');
		expectOk(error);
		expect(data).toMatchObject({
			name: 'docs/readme.txt',
			bucketId: privateBucket,
			size: 13,
			contentType: 'text/plain',
			cacheControl: 'max-age=120',
			metadata: { campaign: 'spring' }
		});
		expect(data?.etag).toMatch(/^"[0-9a-f]{32}"$/);
		expect((await files().exists('docs/readme.txt')).data).toBe(true);
		const missing = await files().exists('docs/nothing.txt');
		expect(missing.data).toBe(false);
		expectError(missing.error, 400, '404');
	});

	it('answers HEAD with the headers of an object (and 400 for none)', async () => {
		const url = `${target.url}/storage/v1/object/${privateBucket}/docs/readme.txt`;
		const headers = { Authorization: `Bearer ${target.serviceRoleKey}` };
		const head = await fetch(url, { method: 'HEAD', headers });
		expect(head.status).toBe(200);
		expect(head.headers.get('content-length')).toBe('13');
		expect(head.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
		const none = await fetch(`${url}.missing`, { method: 'HEAD', headers });
		expect(none.status).toBe(400);
	});

	it('streams a large object whole to a browser, with the CORS and object headers', async () => {
		// 3 MiB and a bit: several of the disk's 1 MiB reads, so the stream's joins are checked.
		const big = Buffer.alloc(3 * (1 << 20) + 17);
		for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 11)) & 0xff;
		expectOk(
			(await files().upload('big/blob.bin', big, { contentType: 'application/x-test' })).error
		);
		const url = `${target.url}/storage/v1/object/authenticated/${privateBucket}/big/blob.bin`;
		const response = await fetch(url, {
			headers: { Authorization: `Bearer ${target.serviceRoleKey}`, Origin: 'https://app.test' }
		});
		expect(response.status).toBe(200);
		expect(response.headers.get('access-control-allow-origin')).toBe('*');
		expect(response.headers.get('access-control-expose-headers')).toContain('Content-Range');
		expect(response.headers.get('content-type')).toBe('application/x-test');
		expect(response.headers.get('content-length')).toBe(String(big.length));
		expect(Buffer.from(await response.arrayBuffer()).equals(big)).toBe(true);
		const tail = await fetch(url, {
			headers: { Authorization: `Bearer ${target.serviceRoleKey}`, Range: 'bytes=-5' }
		});
		expect(tail.status).toBe(206);
		expect(Buffer.from(await tail.arrayBuffer()).equals(big.subarray(-5))).toBe(true);
		expectOk((await files().remove(['big/blob.bin'])).error);
	});

	it('serves a Range (206), refuses a bad one (416), and answers a current copy with 304', async () => {
		const url = `${target.url}/storage/v1/object/authenticated/${privateBucket}/docs/readme.txt`;
		const auth = { Authorization: `Bearer ${target.serviceRoleKey}` };
		const partial = await fetch(url, { headers: { ...auth, Range: 'bytes=6-12' } });
		expect(partial.status).toBe(206);
		expect(partial.headers.get('content-range')).toBe('bytes 6-12/13');
		expect(await partial.text()).toBe('storage');
		const bad = await fetch(url, { headers: { ...auth, Range: 'bytes=50-60' } });
		expect(bad.status).toBe(416);
		expect(await bad.json()).toMatchObject({ statusCode: '416', error: 'invalid_range' });
		const full = await fetch(url, { headers: auth });
		const etag = full.headers.get('etag')!;
		expect(full.headers.get('cache-control')).toBe('max-age=120');
		await full.arrayBuffer();
		const again = await fetch(url, { headers: { ...auth, 'If-None-Match': etag } });
		expect(again.status).toBe(304);
	});

	it('sends ?download= as an attachment', async () => {
		const url = `${target.url}/storage/v1/object/authenticated/${privateBucket}/docs/readme.txt?download=notes.txt`;
		const response = await fetch(url, {
			headers: { Authorization: `Bearer ${target.serviceRoleKey}` }
		});
		expect(response.status).toBe(200);
		expect(response.headers.get('content-disposition')).toBe(
			"attachment; filename=notes.txt; filename*=UTF-8''notes.txt"
		);
		await response.arrayBuffer();
	});

	it('serves public URLs of a public bucket, and no private bucket through them', async () => {
		expectOk((await admin.storage.from(publicBucket).upload('site/hero.txt', text('hero'))).error);
		const { publicUrl } = admin.storage.from(publicBucket).getPublicUrl('site/hero.txt').data;
		const response = await fetch(publicUrl);
		expect(response.status).toBe(200);
		expect(await response.text()).toBe('hero');
		const hidden = admin.storage.from(privateBucket).getPublicUrl('docs/readme.txt').data.publicUrl;
		const refused = await fetch(hidden);
		expect(refused.status).toBe(400);
		expect(await refused.json()).toMatchObject({ statusCode: '404', error: 'Bucket not found' });
		// An anonymous reader of the non-public path of a public bucket is served too.
		const anon = await target
			.client(target.anonKey)
			.storage.from(publicBucket)
			.download('site/hero.txt');
		expect(await anon.data?.text()).toBe('hero');
	});

	it('lists a folder: sub-folders first with a null id, then objects; prefix, limit, offset, sortBy, search', async () => {
		for (const name of [
			'list/b.txt',
			'list/a.txt',
			'list/c.png',
			'list/sub/x.txt',
			'list/zed/y.txt'
		]) {
			expectOk((await files().upload(name, text(name))).error);
		}
		const all = await files().list('list');
		expectOk(all.error);
		expect(all.data?.map((e) => [e.name, e.id === null])).toEqual([
			['sub', true],
			['zed', true],
			['a.txt', false],
			['b.txt', false],
			['c.png', false]
		]);
		const file = all.data!.find((e) => e.name === 'a.txt')!;
		expect(file.metadata).toMatchObject({ size: 10, mimetype: 'text/plain;charset=UTF-8' });
		const page = await files().list('list', { limit: 2, offset: 1 });
		expect(page.data?.map((e) => e.name)).toEqual(['zed', 'a.txt']);
		const desc = await files().list('list', { sortBy: { column: 'name', order: 'desc' } });
		expect(desc.data?.map((e) => e.name)).toEqual(['zed', 'sub', 'c.png', 'b.txt', 'a.txt']);
		const found = await files().list('list', { search: 'b' });
		expect(found.data?.map((e) => e.name)).toEqual(['b.txt']);
		const nothing = await admin.storage.from(bucketName('none')).list('');
		expectOk(nothing.error);
		expect(nothing.data).toEqual([]);
	});

	it('lists a folder whatever the case of the prefix, as Storage matches names', async () => {
		expectOk((await files().upload('Cased/Report.txt', text('report'))).error);
		expectOk((await files().upload('Cased/Deeper/notes.txt', text('notes'))).error);
		for (const prefix of ['Cased', 'cased', 'CASED/']) {
			const { data, error } = await files().list(prefix);
			expectOk(error);
			expect(data?.map((e) => [e.name, e.id === null])).toEqual([
				['Deeper', true],
				['Report.txt', false]
			]);
		}
		const found = await files().list('cased', { search: 'rep' });
		expect(found.data?.map((e) => e.name)).toEqual(['Report.txt']);
	});

	it('moves an object', async () => {
		expectOk((await files().upload('move/from.txt', text('moving'))).error);
		const { data, error } = await files().move('move/from.txt', 'move/to.txt');
		expectOk(error);
		expect(data).toMatchObject({ message: 'Successfully moved' });
		expectError((await files().download('move/from.txt')).error, 400, '404');
		expect(await (await files().download('move/to.txt')).data?.text()).toBe('moving');
		expectError((await files().move('move/nothing.txt', 'move/x.txt')).error, 400, '404');
	});

	it('copies an object, also into another bucket', async () => {
		const { data, error } = await files().copy('docs/readme.txt', 'copy/readme.txt');
		expectOk(error);
		expect(data).toEqual({ path: `${privateBucket}/copy/readme.txt` });
		expect(await (await files().download('copy/readme.txt')).data?.text()).toBe('hello storage');
		const across = await files().copy('docs/readme.txt', 'copied.txt', {
			destinationBucket: publicBucket
		});
		expectOk(across.error);
		expect(await (await admin.storage.from(publicBucket).download('copied.txt')).data?.text()).toBe(
			'hello storage'
		);
		expectError((await files().copy('docs/readme.txt', 'copy/readme.txt')).error, 400, '409');
	});

	it('removes many objects at once, returning those removed', async () => {
		expectOk((await files().upload('rm/1.txt', text('1'))).error);
		expectOk((await files().upload('rm/2.txt', text('2'))).error);
		const { data, error } = await files().remove(['rm/1.txt', 'rm/2.txt', 'rm/none.txt']);
		expectOk(error);
		expect(data?.map((o) => o.name).sort()).toEqual(['rm/1.txt', 'rm/2.txt']);
		expect((await files().list('rm')).data).toEqual([]);
	});

	it('signs a download URL, and many at once (an error entry for what is not there)', async () => {
		const { data, error } = await files().createSignedUrl('docs/readme.txt', 60, {
			download: 'r.txt'
		});
		expectOk(error);
		const response = await fetch(data!.signedUrl);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-disposition')).toContain('filename=r.txt');
		expect(await response.text()).toBe('hello storage');
		expectError((await files().createSignedUrl('docs/none.txt', 60)).error, 400, '404');
		const many = await files().createSignedUrls(['docs/readme.txt', 'docs/none.txt'], 60);
		expectOk(many.error);
		expect(many.data?.[0]).toMatchObject({ path: 'docs/readme.txt', error: null });
		expect(many.data?.[1]).toMatchObject({
			path: 'docs/none.txt',
			signedUrl: null,
			error: 'Either the object does not exist or you do not have access to it'
		});
		expect(await (await fetch(many.data![0]!.signedUrl!)).text()).toBe('hello storage');
	});

	it('signs an upload URL that uploads without a session', async () => {
		const { data, error } = await files().createSignedUploadUrl('signed/up.txt');
		expectOk(error);
		const anon = target.client(target.anonKey).storage.from(privateBucket);
		const uploaded = await anon.uploadToSignedUrl('signed/up.txt', data!.token, text('via url'));
		expectOk(uploaded.error);
		expect(uploaded.data).toMatchObject({ fullPath: `${privateBucket}/signed/up.txt` });
		expect(await (await files().download('signed/up.txt')).data?.text()).toBe('via url');
		const reused = await anon.uploadToSignedUrl('signed/up.txt', data!.token, text('again'));
		expectError(reused.error, 400, '409');
	});

	it('refuses a signed-in user with no policy: upload 403, download 404, list empty', async () => {
		const user = await target.signedInUser();
		const theirs = user.client.storage.from(privateBucket);
		expectError((await theirs.upload(`${user.id}/a.txt`, text('no'))).error, 400, '403');
		expectError((await theirs.download('docs/readme.txt')).error, 400, '404');
		const listed = await theirs.list('docs');
		expectOk(listed.error);
		expect(listed.data).toEqual([]);
	});
});
