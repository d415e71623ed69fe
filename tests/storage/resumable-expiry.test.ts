// Resumable uploads that are never finished expire after a day (Upload-Expires says when, as
// Supabase Storage does) and are swept from the platform's disk: an abandoned upload does not
// keep its bytes. The sweep runs when uploads are created, at most once an hour; an upload
// that has not expired is left alone.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketName, startStorageTarget, type StorageTarget } from './support.ts';

const HOUR = 60 * 60 * 1000;
let target: StorageTarget;
const bucket = bucketName('expiry');

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Creates an upload of `length` bytes and sends the first few: a started, unfinished upload. */
async function startUpload(name: string, length = 1000): Promise<{ url: string; version: string }> {
	const response = await fetch(`${target.url}/storage/v1/upload/resumable`, {
		method: 'POST',
		headers: {
			authorization: `Bearer ${target.serviceRoleKey}`,
			apikey: target.serviceRoleKey,
			'tus-resumable': '1.0.0',
			'upload-length': String(length),
			'upload-metadata': [
				`bucketName ${b64(bucket)}`,
				`objectName ${b64(name)}`,
				`contentType ${b64('text/plain')}`
			].join(','),
			'content-type': 'application/offset+octet-stream'
		},
		body: Buffer.alloc(100, 1)
	});
	expect(response.status).toBe(201);
	expect(response.headers.get('upload-offset')).toBe('100');
	const expires = Date.parse(response.headers.get('upload-expires') ?? '');
	expect(expires - target.platform!.clock.now().getTime()).toBeGreaterThan(23 * HOUR);
	const url = response.headers.get('location')!;
	// The URL's last segment names the bucket, the object and the upload's version.
	const id = Buffer.from(url.slice(url.lastIndexOf('/') + 1), 'base64url').toString('utf8');
	return { url, version: id.slice(id.lastIndexOf('/') + 1) };
}

async function uploadsOnDisk(): Promise<string[]> {
	const entries = await readdir(join(target.platform!.storageDir, 'resumable')).catch(() => []);
	return entries
		.map((e) => e.replace(/\.(json|part)$/, ''))
		.filter((e, i, a) => a.indexOf(e) === i);
}

async function offsetOf(url: string): Promise<number> {
	const response = await fetch(url, {
		method: 'HEAD',
		headers: {
			authorization: `Bearer ${target.serviceRoleKey}`,
			apikey: target.serviceRoleKey,
			'tus-resumable': '1.0.0'
		}
	});
	return response.status === 200 ? Number(response.headers.get('upload-offset')) : -response.status;
}

beforeAll(async () => {
	target = await startStorageTarget();
	if (!target.platform) return;
	const { error } = await target.client(target.serviceRoleKey).storage.createBucket(bucket);
	if (error) throw error;
}, 120_000);

afterAll(async () => {
	target?.platform?.clock.reset();
	await target?.stop();
});

describe.runIf(!process.env.SUPABASE_URL)('unfinished resumable uploads', () => {
	it('expire after a day and are swept from the disk; younger ones stay', async () => {
		const clock = target.platform!.clock;
		const first = await startUpload('a/first.txt');
		expect(await uploadsOnDisk()).toHaveLength(1);

		// Two hours on (a sweep is due), the first has not expired: it stays, resumable.
		clock.advance(2 * HOUR);
		const second = await startUpload('a/second.txt');
		expect(await offsetOf(first.url)).toBe(100);
		expect((await uploadsOnDisk()).length).toBe(2);

		// A day after the first began, creating another upload sweeps it away, bytes and all,
		// without anyone asking for it; the second (22 hours old) stays.
		clock.advance(23 * HOUR);
		await startUpload('a/third.txt');
		const left = await uploadsOnDisk();
		expect(left).toHaveLength(2);
		expect(left).not.toContain(first.version);
		expect(left).toContain(second.version);
		expect(await offsetOf(first.url)).toBe(-404);
		expect(await offsetOf(second.url)).toBe(100);

		// Nothing became an object.
		const { rows } = await target.platform!.pool.query(
			'select name from storage.objects where bucket_id = $1',
			[bucket]
		);
		expect(rows).toEqual([]);
	});
});
