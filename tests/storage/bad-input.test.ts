// Bad input to Storage: each answered in Storage's error shape (HTTP 400 with the real status
// in the body's statusCode, or Storage's own status), and nothing half-written: no row in
// storage.objects and no file left in the platform's storage folder.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketName, startStorageTarget, type StorageTarget } from './support.ts';

let target: StorageTarget;
let admin: SupabaseClient;
const bucket = bucketName('bad');
const limited = bucketName('limited');

async function filesOnDisk(): Promise<string[]> {
	const found: string[] = [];
	const walk = async (dir: string): Promise<void> => {
		for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
			if (entry.isDirectory()) await walk(join(dir, entry.name));
			else found.push(join(dir, entry.name));
		}
	};
	await walk(target.platform!.storageDir);
	return found.sort();
}

async function rows(): Promise<string[]> {
	const result = await target.platform!.pool.query<{ name: string }>(
		'select bucket_id || $1 || name as name from storage.objects order by 1',
		['/']
	);
	return result.rows.map((r) => r.name);
}

/** Runs `fn` and checks that it wrote no row and no file. */
async function writesNothing(fn: () => Promise<void>) {
	const before = { rows: await rows(), files: await filesOnDisk() };
	await fn();
	// A refused upload's temporary file is removed once its stream closes.
	await new Promise((resolve) => setTimeout(resolve, 100));
	expect({ rows: await rows(), files: await filesOnDisk() }).toEqual(before);
}

function expectError(error: unknown, status: number, statusCode: string, code?: string) {
	const e = error as { status?: number; statusCode?: string; code?: string } | null;
	expect(e).not.toBeNull();
	expect({ status: e!.status, statusCode: e!.statusCode }).toEqual({ status, statusCode });
	if (code) expect(e!.code).toBe(code);
}

async function raw(path: string, init: RequestInit = {}) {
	const response = await fetch(`${target.url}/storage/v1${path}`, {
		...init,
		headers: { Authorization: `Bearer ${target.serviceRoleKey}`, ...init.headers }
	});
	return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
	target = await startStorageTarget();
	admin = target.client(target.serviceRoleKey);
	const created = [
		await admin.storage.createBucket(bucket),
		await admin.storage.createBucket(limited, {
			public: false,
			fileSizeLimit: 1000,
			allowedMimeTypes: ['image/png', 'text/*']
		})
	];
	for (const { error } of created) if (error) throw error;
}, 120_000);

afterAll(async () => {
	await target?.stop();
});

describe.runIf(!process.env.SUPABASE_URL)('bad input to Storage', () => {
	it('stores an empty file as an empty object (as Storage does), and refuses a form with no file', async () => {
		const { error } = await admin.storage.from(bucket).upload('empty.txt', Buffer.alloc(0));
		expect(error).toBeNull();
		expect((await admin.storage.from(bucket).info('empty.txt')).data?.size).toBe(0);
		await writesNothing(async () => {
			const form = new FormData();
			form.append('cacheControl', '60');
			const response = await raw(`/object/${bucket}/nofile.txt`, { method: 'POST', body: form });
			expect(response).toMatchObject({
				status: 400,
				body: { statusCode: '400', code: 'InvalidRequest' }
			});
		});
	});

	it('refuses a file over the bucket limit before storing it, raw or multipart', async () => {
		const files = admin.storage.from(limited);
		const big = Buffer.alloc(1500, 1);
		await writesNothing(async () => {
			const rawUpload = await files.upload('big.txt', big, { contentType: 'text/plain' });
			expectError(rawUpload.error, 400, '413', 'EntityTooLarge');
			const form = await files.upload('big.png', new Blob([big], { type: 'image/png' }));
			expectError(form.error, 400, '413', 'EntityTooLarge');
		});
		expect(
			(await files.upload('small.png', new Blob([Buffer.alloc(1000)], { type: 'image/png' }))).error
		).toBeNull();
	});

	it('refuses a MIME type the bucket does not allow (415)', async () => {
		await writesNothing(async () => {
			const { error } = await admin.storage
				.from(limited)
				.upload('page.html', Buffer.from('<p>'), { contentType: 'application/pdf' });
			expectError(error, 400, '415', 'InvalidMimeType');
			expect(error?.message).toBe('mime type application/pdf is not supported');
		});
	});

	it('refuses path traversal, absolute paths, NUL bytes and over-long names as InvalidKey', async () => {
		await admin.storage.from(bucket).upload('safe.txt', Buffer.from('safe'));
		await writesNothing(async () => {
			for (const path of [
				`/object/${bucket}/a%2F..%2F..%2Fescape.txt`,
				`/object/${bucket}/%2Fetc%2Fpasswd`,
				`/object/${bucket}/nul%00byte.txt`,
				`/object/${bucket}/${'n'.repeat(1000)}.txt`,
				`/object/${bucket}/caf%C3%A9.txt`
			]) {
				const response = await raw(path, {
					method: 'POST',
					body: 'x',
					headers: { 'content-type': 'text/plain' }
				});
				expect(response, path).toMatchObject({
					status: 400,
					body: { statusCode: '400', code: 'InvalidKey' }
				});
			}
			const files = admin.storage.from(bucket);
			expectError((await files.move('safe.txt', '../outside.txt')).error, 400, '400', 'InvalidKey');
			expectError((await files.copy('safe.txt', 'a/./b.txt')).error, 400, '400', 'InvalidKey');
			expectError((await files.createSignedUrl('../safe.txt', 60)).error, 400, '400');
		});
	});

	it('answers an unknown bucket with 404 in a 400, storing nothing', async () => {
		await writesNothing(async () => {
			const { error } = await admin.storage
				.from(bucketName('nope'))
				.upload('a.txt', Buffer.from('a'));
			expectError(error, 400, '404', 'NoSuchBucket');
		});
	});

	it('refuses a malformed or cut-off multipart body, storing nothing', async () => {
		await writesNothing(async () => {
			const boundary = 'XyZ';
			const cutOff =
				`--${boundary}\r\nContent-Disposition: form-data; name="cacheControl"\r\n\r\n60\r\n` +
				`--${boundary}\r\nContent-Disposition: form-data; name=""; filename="a.txt"\r\n` +
				`Content-Type: text/plain\r\n\r\n${'partial '.repeat(1000)}`;
			const response = await raw(`/object/${bucket}/cut.txt`, {
				method: 'POST',
				body: cutOff,
				headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }
			});
			expect(response).toMatchObject({
				status: 400,
				body: { statusCode: '400', code: 'InvalidRequest' }
			});
			const noBoundary = await raw(`/object/${bucket}/nb.txt`, {
				method: 'POST',
				body: 'whatever',
				headers: { 'content-type': 'multipart/form-data' }
			});
			expect(noBoundary.body).toMatchObject({ statusCode: '400', code: 'InvalidRequest' });
		});
	});

	it('refuses malformed JSON, invalid bucket names and out-of-range list options', async () => {
		const badJson = await raw(`/object/list/${bucket}`, {
			method: 'POST',
			body: '{"prefix":',
			headers: { 'content-type': 'application/json' }
		});
		expect(badJson).toMatchObject({
			status: 400,
			body: { statusCode: '400', code: 'InvalidRequest' }
		});
		expectError(
			(await admin.storage.createBucket('has/slash')).error,
			400,
			'400',
			'InvalidBucketName'
		);
		expectError((await admin.storage.from(bucket).list('', { limit: 0 })).error, 400, '400');
		const noPaths = await raw(`/object/${bucket}`, {
			method: 'DELETE',
			body: JSON.stringify({ prefixes: [] }),
			headers: { 'content-type': 'application/json' }
		});
		expect(noPaths.body).toMatchObject({ statusCode: '400', code: 'InvalidRequest' });
	});
});
