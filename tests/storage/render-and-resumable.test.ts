// /storage/v1/render/image and /storage/v1/upload/resumable on the local platform, through the
// clients an app uses: storage-js's `transform` options (download, getPublicUrl,
// createSignedUrl) and tus-js-client as Supabase documents it (6 MB chunks, x-upsert,
// bucketName/objectName/contentType/cacheControl metadata). A transformation is allowed
// exactly when the download is; a resumable upload becomes an object storage-js can download,
// and a refused one leaves nothing behind.
import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SupabaseClient } from '@supabase/supabase-js';
import sharp from 'sharp';
import { Upload, type UploadOptions } from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketName, startStorageTarget, type StorageTarget } from './support.ts';

const MB = 1024 * 1024;
let target: StorageTarget;
let admin: SupabaseClient;
let alice: Awaited<ReturnType<StorageTarget['signedInUser']>>;
let bob: Awaited<ReturnType<StorageTarget['signedInUser']>>;
const privateBucket = bucketName('img');
const publicBucket = bucketName('pub');
let photo: Buffer;

const sha = (bytes: Buffer | ArrayBuffer) =>
	createHash('sha256')
		.update(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes))
		.digest('hex');

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

beforeAll(async () => {
	target = await startStorageTarget();
	admin = target.client(target.serviceRoleKey);
	alice = await target.signedInUser();
	bob = await target.signedInUser();
	await target.platform!.pool.query(`
		create policy "Users read their own folder" on storage.objects for select to authenticated
		  using ((storage.foldername(name))[1] = (select auth.uid()::text));
		create policy "Users upload into their own folder" on storage.objects for insert to authenticated
		  with check ((storage.foldername(name))[1] = (select auth.uid()::text));
		create policy "Users replace in their own folder" on storage.objects for update to authenticated
		  using ((storage.foldername(name))[1] = (select auth.uid()::text));
	`);
	for (const [id, isPublic] of [
		[privateBucket, false],
		[publicBucket, true]
	] as const) {
		const { error } = await admin.storage.createBucket(id, { public: isPublic });
		if (error) throw error;
	}
	photo = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#3366cc' } })
		.jpeg()
		.toBuffer();
	for (const bucket of [privateBucket, publicBucket]) {
		const { error } = await alice.client.storage
			.from(bucket)
			.upload(`${alice.id}/photo.jpg`, photo, { contentType: 'image/jpeg' });
		if (error) throw error;
	}
}, 120_000);

afterAll(async () => {
	await target?.stop();
});

describe.runIf(!process.env.SUPABASE_URL)('image transformations', () => {
	it('download with transform: resized, as WebP only when asked or accepted', async () => {
		const { data, error } = await alice.client.storage
			.from(privateBucket)
			.download(`${alice.id}/photo.jpg`, { transform: { width: 100, height: 100 } });
		expect(error).toBeNull();
		const meta = await sharp(Buffer.from(await data!.arrayBuffer())).metadata();
		expect([meta.width, meta.height]).toEqual([100, 100]);

		const contain = await alice.client.storage
			.from(privateBucket)
			.download(`${alice.id}/photo.jpg`, {
				transform: { width: 100, height: 100, resize: 'contain', quality: 50 }
			});
		const containMeta = await sharp(Buffer.from(await contain.data!.arrayBuffer())).metadata();
		expect([containMeta.width, containMeta.height, containMeta.format]).toEqual([100, 50, 'jpeg']);
	});

	it('is refused exactly where the download is: another user’s private image is not found', async () => {
		const path = `${alice.id}/photo.jpg`;
		const download = await bob.client.storage.from(privateBucket).download(path);
		const transformed = await bob.client.storage
			.from(privateBucket)
			.download(path, { transform: { width: 50 } });
		expect(download.error).not.toBeNull();
		expect(transformed.error).not.toBeNull();
		const status = target.lastStatus();
		expect(status).toBe(400);
		expect((transformed.error as { statusCode?: string }).statusCode).toBe(
			(download.error as { statusCode?: string }).statusCode
		);
	});

	it('public URL with transform works for a public bucket only', async () => {
		const path = `${alice.id}/photo.jpg`;
		const url = alice.client.storage
			.from(publicBucket)
			.getPublicUrl(path, { transform: { width: 80, format: 'origin' } }).data.publicUrl;
		expect(url).toContain('/render/image/public/');
		const res = await fetch(url, { headers: { accept: 'image/webp,*/*' } });
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('image/jpeg');
		expect(res.headers.get('x-transformations')).toBe('width:80,resizing_type:fill');
		expect((await sharp(Buffer.from(await res.arrayBuffer())).metadata()).width).toBe(80);

		const negotiated = await fetch(url.replace('format=origin', ''), {
			headers: { accept: 'image/webp,*/*' }
		});
		expect(negotiated.headers.get('content-type')).toBe('image/webp');

		const privateUrl = alice.client.storage
			.from(privateBucket)
			.getPublicUrl(path, { transform: { width: 80 } }).data.publicUrl;
		const refused = await fetch(privateUrl);
		expect(refused.status).toBe(400);
		expect(await refused.json()).toMatchObject({ statusCode: '404', error: 'Bucket not found' });
	});

	it('bad options and non-images are 400s with the field or imgproxy’s reason', async () => {
		const base = `${target.url}/storage/v1/render/image/public/${publicBucket}/${alice.id}/photo.jpg`;
		const bad = await fetch(`${base}?width=abc`);
		expect(bad.status).toBe(400);
		expect(await bad.json()).toMatchObject({
			statusCode: '400',
			message: 'querystring/width must be integer'
		});
		const quality = await fetch(`${base}?quality=5`);
		expect(await quality.json()).toMatchObject({ message: 'querystring/quality must be >= 20' });

		await alice.client.storage
			.from(publicBucket)
			.upload(`${alice.id}/notes.txt`, Buffer.from('not an image'), { contentType: 'text/plain' });
		const text = await fetch(
			`${target.url}/storage/v1/render/image/public/${publicBucket}/${alice.id}/notes.txt?width=10`
		);
		expect(text.status).toBe(400);
		expect(await text.json()).toMatchObject({
			statusCode: '400',
			message: 'The source image is invalid or unsupported for rendering'
		});
	});

	it('a signed URL with transform serves the transformed image until it expires', async () => {
		const { data, error } = await alice.client.storage
			.from(privateBucket)
			.createSignedUrl(`${alice.id}/photo.jpg`, 60, { transform: { width: 40, height: 40 } });
		expect(error).toBeNull();
		expect(data!.signedUrl).toContain('/render/image/sign/');
		const res = await fetch(data!.signedUrl);
		expect(res.status).toBe(200);
		const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
		expect([meta.width, meta.height]).toEqual([40, 40]);
		expect(res.headers.get('expires')).toBeTruthy();

		// The token opens only its own path.
		const swapped = data!.signedUrl.replace(`${alice.id}/photo.jpg`, `${alice.id}/other.jpg`);
		expect((await fetch(swapped)).status).toBe(400);
	});
});

describe.runIf(!process.env.SUPABASE_URL)('resumable uploads through the platform', () => {
	const options = (
		who: typeof alice,
		metadata: Record<string, string>,
		extra: Partial<UploadOptions> = {}
	): UploadOptions => ({
		endpoint: `${target.url}/storage/v1/upload/resumable`,
		chunkSize: 6 * MB,
		retryDelays: [],
		uploadDataDuringCreation: true,
		removeFingerprintOnSuccess: true,
		headers: { authorization: `Bearer ${who.accessToken}`, apikey: target.anonKey },
		metadata: { contentType: 'application/octet-stream', cacheControl: '3600', ...metadata },
		...extra
	});
	const run = (upload: Upload) =>
		new Promise<void>((resolve, reject) => {
			upload.options.onSuccess = () => resolve();
			upload.options.onError = reject;
			upload.start();
		});

	it('a 20 MB upload in 6 MB chunks becomes an object storage-js downloads byte for byte', async () => {
		const bytes = randomBytes(20 * MB);
		const name = `${alice.id}/big.bin`;
		await run(new Upload(bytes, options(alice, { bucketName: privateBucket, objectName: name })));
		const { data, error } = await alice.client.storage.from(privateBucket).download(name);
		expect(error).toBeNull();
		expect(sha(await data!.arrayBuffer())).toBe(sha(bytes));
		const info = await alice.client.storage.from(privateBucket).info(name);
		expect(info.data).toMatchObject({ size: 20 * MB, cacheControl: 'max-age=3600' });

		// Upsert through TUS replaces it.
		const again = randomBytes(MB);
		const upsert = options(alice, { bucketName: privateBucket, objectName: name });
		upsert.headers = { ...upsert.headers, 'x-upsert': 'true' };
		await run(new Upload(again, upsert));
		const replaced = await alice.client.storage.from(privateBucket).download(name);
		expect(sha(await replaced.data!.arrayBuffer())).toBe(sha(again));
	});

	it('refuses another user’s folder before a byte is stored', async () => {
		const before = await filesOnDisk();
		const upload = new Upload(
			randomBytes(MB),
			options(bob, { bucketName: privateBucket, objectName: `${alice.id}/bob.bin` })
		);
		await expect(run(upload)).rejects.toThrow(/response code: 403.*row-level security/s);
		expect(await filesOnDisk()).toEqual(before);
		const { rows } = await target.platform!.pool.query(
			'select 1 from storage.objects where name = $1',
			[`${alice.id}/bob.bin`]
		);
		expect(rows).toHaveLength(0);
	});
});
