// The disk's streaming (platform/storage/disk.ts): uploads store every byte with its MD5
// ETag and leave nothing behind when refused or broken; downloads sent from two reused
// 1 MiB blocks serve every byte as stored, hold no more than their two blocks whatever the
// file's size or the reader's speed, and stop when the reader goes away.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDisk, type Disk } from '../../platform/storage/disk.ts';
import { pieces } from './support.ts';

const MiB = 1 << 20;
let root: string;
let disk: Disk;

beforeAll(async () => {
	root = await mkdtemp(join(tmpdir(), 'gd-disk-'));
	disk = createDisk(root);
});

afterAll(async () => {
	await rm(root, { recursive: true, force: true });
});

const md5 = (data: Buffer) => `"${createHash('md5').update(data).digest('hex')}"`;

/** Stores `data` as a new version and returns the version id. */
async function store(data: Buffer): Promise<string> {
	const version = randomUUID();
	await disk.commit(await disk.write(pieces(data, 64 * 1024), data.length), version);
	return version;
}

/** A writable that collects what it is sent, taking `delayMs` per chunk. */
function collector(delayMs = 0) {
	const chunks: Buffer[] = [];
	let mostHeld = 0;
	const out: Writable = new Writable({
		highWaterMark: 1,
		write(chunk: Buffer, _encoding, done) {
			// Copied: the sender may reuse its block once `done` is called.
			chunks.push(Buffer.from(chunk));
			// Bytes handed over and not yet taken: this chunk and any queued behind it.
			mostHeld = Math.max(mostHeld, out.writableLength);
			setTimeout(done, delayMs);
		}
	});
	return { out, bytes: () => Buffer.concat(chunks), mostHeld: () => mostHeld };
}

describe('uploads', () => {
	it('stores every byte and the MD5 ETag of uneven chunks', async () => {
		// 3.5 MiB + 1 byte in pieces that never line up with a MiB.
		const data = randomBytes(3.5 * MiB + 1);
		const written = await disk.write(pieces(data, 65_537), data.length);
		expect(written.size).toBe(data.length);
		expect(written.eTag).toBe(md5(data));
		expect((await readFile(written.tempPath)).equals(data)).toBe(true);
		await disk.discard(written);
	});

	it('stores an empty body and a body of exactly one MiB', async () => {
		for (const data of [Buffer.alloc(0), randomBytes(MiB)]) {
			const written = await disk.write(pieces(data, 4096), MiB);
			expect((await readFile(written.tempPath)).equals(data)).toBe(true);
			expect(written.eTag).toBe(md5(data));
			await disk.discard(written);
		}
	});

	it('refuses a body past the limit, and a body that breaks, leaving no temporary file', async () => {
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
		expect(await readdir(join(root, 'tmp'))).toEqual([]);
	});

	it("writes whole MiB blocks, not the socket's small chunks, and hashes uploads side by side", async () => {
		// One disk write per MiB (the last block partly filled), whatever the chunks' size.
		const probe = await open(join(root, 'probe'), 'w');
		const writes = vi.spyOn(Object.getPrototypeOf(probe) as { write: () => unknown }, 'write');
		await probe.close();
		await rm(join(root, 'probe'));
		try {
			const data = randomBytes(5 * MiB + 3);
			const written = await disk.write(pieces(data, 64 * 1024), data.length);
			expect(writes).toHaveBeenCalledTimes(6);
			expect(written.eTag).toBe(md5(data));
			await disk.discard(written);
		} finally {
			writes.mockRestore();
		}
		// Uploads at once share the hashing worker and the spare blocks: each keeps its own bytes.
		const bodies = [2.2, 0.3, 4.9, 1].map((m) => randomBytes(Math.round(m * MiB)));
		const all = await Promise.all(
			bodies.map((data, i) => disk.write(pieces(data, 16_384 + i * 977), data.length))
		);
		for (const [i, written] of all.entries()) {
			expect(written.eTag).toBe(md5(bodies[i]!));
			expect((await readFile(written.tempPath)).equals(bodies[i]!)).toBe(true);
			await disk.discard(written);
		}
	});
});

describe('downloads from reused blocks', () => {
	it('sends a whole file and a range byte for byte, and ends the response', async () => {
		const data = randomBytes(2.5 * MiB + 7);
		const version = await store(data);
		const whole = collector();
		await disk.send(version, undefined, whole.out);
		expect(whole.out.writableEnded).toBe(true);
		// send() returns once the last block is handed over; the collector takes it a tick later.
		await finished(whole.out);
		expect(whole.bytes().equals(data)).toBe(true);

		const range = collector();
		await disk.send(version, { start: MiB - 3, end: 2 * MiB + 5 }, range.out);
		await finished(range.out);
		expect(range.bytes().equals(data.subarray(MiB - 3, 2 * MiB + 6))).toBe(true);
	});

	it('holds at most two blocks for a slow reader, whatever the file size', async () => {
		const data = randomBytes(8 * MiB);
		const version = await store(data);
		const slow = collector(5);
		await disk.send(version, undefined, slow.out);
		await finished(slow.out);
		expect(slow.bytes().equals(data)).toBe(true);
		expect(slow.mostHeld()).toBeGreaterThan(0);
		expect(slow.mostHeld()).toBeLessThanOrEqual(2 * MiB);
	});

	it('stops, rather than hanging, when the reader goes away mid-file', async () => {
		const version = await store(randomBytes(6 * MiB));
		const reader = collector(2);
		let received = 0;
		const sending = disk.send(version, undefined, reader.out);
		setTimeout(() => {
			received = reader.bytes().length;
			reader.out.destroy();
		}, 10);
		await expect(sending).rejects.toThrow();
		expect(received).toBeLessThan(6 * MiB);
	});
});
