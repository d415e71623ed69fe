// Storage's ETag algorithms (platform/storage/etag.ts, STORAGE_FILE_ETAG_ALGORITHM): md5 and
// mtime give Storage's formats everywhere an ETag shows (the object row's metadata, info,
// HEAD, GET, a listing), a conditional GET answers 304 for the current ETag and 200 for an
// old one, and a new version always gets a new ETag, even of the same size within one tick
// of the file system's clock (mtime), as does a copy; anything but md5 or mtime is refused
// with Storage's message. Without a hash, uploads write the socket's chunks as they came
// (writev, nothing copied) and keep the disk's guarantees: every byte, nothing left behind.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDisk } from '../../platform/storage/disk.ts';
import { etagAlgorithm, type EtagAlgorithm } from '../../platform/storage/etag.ts';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import { pieces } from './support.ts';

const MiB = 1 << 20;

const SHAPES: Record<EtagAlgorithm, RegExp> = {
	md5: /^"[0-9a-f]{32}"$/,
	// `"<mtimeMs in hex, with its fraction>-<size in hex>"`
	mtime: /^"[0-9a-f]+(\.[0-9a-f]+)?-[0-9a-f]+"$/
};

describe('STORAGE_FILE_ETAG_ALGORITHM', () => {
	it('is mtime unless set, md5 or mtime when set, and refuses anything else as Storage does', () => {
		expect(etagAlgorithm(undefined)).toBe('mtime');
		expect(etagAlgorithm('')).toBe('mtime');
		expect(etagAlgorithm('md5')).toBe('md5');
		expect(etagAlgorithm('mtime')).toBe('mtime');
		expect(() => etagAlgorithm('sha256')).toThrow(
			'FILE_STORAGE_ETAG_ALGORITHM env variable must be either "mtime" or "md5"'
		);
	});
});

describe('mtime ETags on the disk', () => {
	let root: string;
	beforeAll(async () => {
		root = await mkdtemp(join(tmpdir(), 'gd-etag-'));
	});
	afterAll(async () => {
		await rm(root, { recursive: true, force: true });
	});

	it("are the stored file's mtime and size, and differ for same-size files written at once", async () => {
		const disk = createDisk(root, { etagAlgorithm: 'mtime' });
		// ext4 stamps files from a clock that ticks every few milliseconds: written at the
		// same time, most of these share a tick, and without care most would share an ETag.
		const eTags = await Promise.all(
			Array.from({ length: 30 }, async (_, i) => {
				const version = randomUUID();
				const written = await disk.write(Readable.from([Buffer.from(`v${i % 10}`)]), 10);
				await disk.commit(written, version);
				const stats = await stat(join(root, 'objects', version.slice(0, 2), version));
				expect(written.eTag).toBe(`"${stats.mtimeMs.toString(16)}-${(2).toString(16)}"`);
				return written.eTag;
			})
		);
		expect(new Set(eTags).size).toBe(eTags.length);
	});
});

describe("a finished file's ETag (a TUS upload's part file)", () => {
	it('is the MD5 of its bytes (md5), or its stamped mtime and size (mtime)', async () => {
		const root = await mkdtemp(join(tmpdir(), 'gd-etag-'));
		try {
			const data = randomBytes(2.5 * MiB + 3);
			const path = join(root, 'part');
			await writeFile(path, data);
			const md5 = createDisk(root, { etagAlgorithm: 'md5' });
			expect(await md5.eTagOf(path)).toBe(`"${createHash('md5').update(data).digest('hex')}"`);
			const mtime = createDisk(root, { etagAlgorithm: 'mtime' });
			const eTag = await mtime.eTagOf(path);
			const stats = await stat(path);
			expect(eTag).toBe(`"${stats.mtimeMs.toString(16)}-${data.length.toString(16)}"`);
			expect(await mtime.eTagOf(path)).not.toBe(eTag);
		} finally {
			await rm(root, { recursive: true, force: true });
		}
	});
});

describe('uploads without a hash (mtime)', () => {
	let root: string;
	beforeAll(async () => {
		root = await mkdtemp(join(tmpdir(), 'gd-etag-'));
	});
	afterAll(async () => {
		await rm(root, { recursive: true, force: true });
	});
	it('stores every byte of uneven, tiny and empty bodies, one writev per MiB of chunks', async () => {
		const disk = createDisk(root, { etagAlgorithm: 'mtime' });
		const probe = await open(join(root, 'probe'), 'w');
		const writev = vi.spyOn(Object.getPrototypeOf(probe) as { writev: () => unknown }, 'writev');
		await probe.close();
		try {
			const data = randomBytes(3.5 * MiB + 1);
			const written = await disk.write(pieces(data, 65_537), data.length);
			expect(writev).toHaveBeenCalledTimes(4);
			expect(written.size).toBe(data.length);
			expect((await readFile(written.tempPath)).equals(data)).toBe(true);
			await disk.discard(written);
		} finally {
			writev.mockRestore();
		}
		// Chunks of a few bytes: each writev takes at most 1,024 of them (memory stays flat).
		for (const [data, size] of [
			[randomBytes(100_003), 7],
			[Buffer.alloc(0), 1],
			[randomBytes(MiB), 4096]
		] as const) {
			const written = await disk.write(pieces(data, size), 2 * MiB);
			expect(written.size).toBe(data.length);
			expect((await readFile(written.tempPath)).equals(data)).toBe(true);
			await disk.discard(written);
		}
		// Uploads at once keep their own bytes.
		const bodies = [2.2, 0.3, 4.9].map((m) => randomBytes(Math.round(m * MiB)));
		const all = await Promise.all(
			bodies.map((data, i) => disk.write(pieces(data, 16_384 + i * 977), data.length))
		);
		for (const [i, written] of all.entries()) {
			expect((await readFile(written.tempPath)).equals(bodies[i]!)).toBe(true);
			await disk.discard(written);
		}
	});

	it('refuses a body past the limit, and a body that breaks, leaving no temporary file', async () => {
		const disk = createDisk(root, { etagAlgorithm: 'mtime' });
		await expect(disk.write(pieces(randomBytes(3 * MiB), 65_536), 2 * MiB)).rejects.toMatchObject({
			code: 'EntityTooLarge'
		});
		const broken = Readable.from(
			(function* () {
				yield randomBytes(1.5 * MiB);
				throw new Error('connection reset');
			})()
		);
		await expect(disk.write(broken, 10 * MiB)).rejects.toThrow('connection reset');
		// A body that closes before its end (a client gone), mid-way or before the upload reads it.
		const cut = new Readable({ read() {} });
		cut.push(randomBytes(2.5 * MiB));
		setTimeout(() => cut.destroy(), 20);
		await expect(disk.write(cut, 10 * MiB)).rejects.toThrow('the body closed before its end');
		const gone = Readable.from([randomBytes(10)]);
		gone.destroy();
		await expect(disk.write(gone, 10 * MiB)).rejects.toThrow('the body closed before its end');
		expect(await readdir(join(root, 'tmp'))).toEqual([]);
	});

	it('fails an upload whose disk write fails, even one no later chunk waited for', async () => {
		const disk = createDisk(root, { etagAlgorithm: 'mtime' });
		const probe = await open(join(root, 'probe'), 'w');
		const handle = Object.getPrototypeOf(probe) as { writev: () => Promise<unknown> };
		await probe.close();
		await rm(join(root, 'probe'));
		const writev = vi.spyOn(handle, 'writev').mockRejectedValueOnce(new Error('ENOSPC'));
		try {
			// The first MiB's write fails long before the body ends.
			const slow = new Readable({ read() {} });
			slow.push(randomBytes(1.5 * MiB));
			setTimeout(() => {
				slow.push(randomBytes(MiB));
				slow.push(null);
			}, 50);
			await expect(disk.write(slow, 10 * MiB)).rejects.toThrow('ENOSPC');
			expect(await readdir(join(root, 'tmp'))).toEqual([]);
		} finally {
			writev.mockRestore();
		}
	});
});

describe.each(['md5', 'mtime'] as const)('%s ETags through the API', (algorithm) => {
	let platform: TestPlatform;
	let admin: ReturnType<typeof createClient>;
	const bucket = `t-etag-${algorithm}-${randomUUID().slice(0, 8)}`;
	const auth = () => ({ Authorization: `Bearer ${platform.serviceRoleKey}` });
	const url = (name: string) =>
		`${platform.apiUrl}/storage/v1/object/authenticated/${bucket}/${name}`;

	beforeAll(async () => {
		platform = await startTestPlatform({}, { etagAlgorithm: algorithm });
		admin = createClient(platform.apiUrl, platform.serviceRoleKey, {
			auth: { persistSession: false, autoRefreshToken: false }
		});
		const { error } = await admin.storage.createBucket(bucket);
		expect(error).toBeNull();
	}, 120_000);

	afterAll(async () => {
		await platform?.stop();
	});

	const files = () => admin.storage.from(bucket);

	async function rowEtag(name: string): Promise<string> {
		const { rows } = await platform.pool.query<{ etag: string }>(
			`select metadata ->> 'eTag' as etag from storage.objects where bucket_id = $1 and name = $2`,
			[bucket, name]
		);
		return rows[0]!.etag;
	}

	it('shows the same ETag in the row, info, HEAD, GET and a listing, and answers 304 for it', async () => {
		const body = randomBytes(3000);
		expect((await files().upload('a/one.bin', body)).error).toBeNull();
		const eTag = await rowEtag('a/one.bin');
		expect(eTag).toMatch(SHAPES[algorithm]);
		if (algorithm === 'mtime') expect(eTag.endsWith(`-${(3000).toString(16)}"`)).toBe(true);

		const info = await files().info('a/one.bin');
		expect(info.data?.etag).toBe(eTag);
		const head = await fetch(url('a/one.bin'), { method: 'HEAD', headers: auth() });
		expect(head.headers.get('etag')).toBe(eTag);
		const get = await fetch(url('a/one.bin'), { headers: auth() });
		expect(get.status).toBe(200);
		expect(get.headers.get('etag')).toBe(eTag);
		expect(Buffer.from(await get.arrayBuffer()).equals(body)).toBe(true);
		const listed = await files().list('a');
		expect(listed.data?.find((o) => o.name === 'one.bin')?.metadata?.eTag).toBe(eTag);

		const again = await fetch(url('a/one.bin'), {
			headers: { ...auth(), 'If-None-Match': eTag }
		});
		expect(again.status).toBe(304);
	});

	it('gives an overwrite of the same size a new ETag (and 200 to the old one), and a copy its own', async () => {
		const first = randomBytes(500);
		expect((await files().upload('b/same.bin', first)).error).toBeNull();
		const eTags = [await rowEtag('b/same.bin')];
		for (let i = 0; i < 4; i++) {
			const next = randomBytes(500);
			expect((await files().upload('b/same.bin', next, { upsert: true })).error).toBeNull();
			eTags.push(await rowEtag('b/same.bin'));
			const old = await fetch(url('b/same.bin'), {
				headers: { ...auth(), 'If-None-Match': eTags.at(-2)! }
			});
			expect(old.status).toBe(200);
			expect(Buffer.from(await old.arrayBuffer()).equals(next)).toBe(true);
		}
		expect(new Set(eTags).size).toBe(eTags.length);

		expect((await files().copy('b/same.bin', 'b/copy.bin')).error).toBeNull();
		const copied = await rowEtag('b/copy.bin');
		expect(copied).toMatch(SHAPES[algorithm]);
		// The same bytes: the same MD5; a new file: a new mtime.
		if (algorithm === 'md5') expect(copied).toBe(eTags.at(-1));
		else expect(copied).not.toBe(eTags.at(-1));
		const head = await fetch(url('b/copy.bin'), { method: 'HEAD', headers: auth() });
		expect(head.headers.get('etag')).toBe(copied);
	});
});
