// Where the bytes live: one file per object version under the platform's data folder,
// `<root>/objects/<first two hex digits>/<version>`. Names never reach the file system (a
// key is only a row in storage.objects), so no key can point outside the folder, a move is
// a row update, and a new version replaces an old one atomically. Uploads stream into
// `<root>/tmp/` and are renamed into place only when complete, so nothing half-written is
// ever served; a refused or broken upload leaves nothing behind.
//
// A download is sent from two reused 1 MiB blocks, the next read while the last goes out
// (send): no buffer is allocated per read for the garbage collector to chase, which cut the
// Storage process's CPU per 100 MB downloaded about fivefold (bench:storage), and a slow
// reader holds two blocks whatever the file's size. Uploads are copied into blocks of shared
// memory, up to four in flight, each written while a worker thread hashes it (see UPLOAD_BLOCK
// and md5.ts); an earlier try with one block at a time measured no cheaper, because each block
// then waited for its own disk write and MD5 still ran on the socket's thread.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { ERRORS } from './errors.ts';
import { md5 } from './md5.ts';

export type Disk = {
	root: string;
	/** Streams `body` into a temporary file; refuses (and removes it) past `maxBytes`. */
	write(body: Readable, maxBytes: number): Promise<WrittenFile>;
	/** Makes a written file the bytes of `version`. */
	commit(file: WrittenFile, version: string): Promise<void>;
	/** Removes a temporary file that will not be committed. */
	discard(file: WrittenFile): Promise<void>;
	read(version: string, range?: { start: number; end: number }): Readable;
	/**
	 * Writes the bytes of `version` (or the inclusive `range` of them) into `out`, which it
	 * ends; resolves once all were handed to `out`, rejects if `out` goes away first.
	 */
	send(
		version: string,
		range: { start: number; end: number } | undefined,
		out: Writable
	): Promise<void>;
	size(version: string): Promise<number | null>;
	copy(fromVersion: string, toVersion: string): Promise<void>;
	remove(versions: Array<string | null>): Promise<void>;
};

export type WrittenFile = { tempPath: string; size: number; eTag: string };

const VERSION = /^[0-9a-f-]{36}$/;

/** The size of the blocks bytes move in. */
const BLOCK = 1 << 20;

/**
 * Uploads are copied from the socket's small chunks into blocks of shared memory: one disk
 * write per MiB instead of one per 64 KiB chunk (each a trip through libuv's thread pool, with
 * the socket paused meanwhile), and the md5 worker reads the same memory while it is written.
 * An upload holds at most UPLOAD_BLOCKS (memory stays flat whatever the file's size); blocks
 * are kept for the next upload, up to SPARE_BLOCKS.
 */
const UPLOAD_BLOCK = 1 << 20;
const UPLOAD_BLOCKS = 4;
const SPARE_BLOCKS = 16;
const spare: Buffer[] = [];

/**
 * Streams bytes [start, end) of `file` into `out` in blocks, reading the next block while the
 * last one is being sent; at most two blocks are in flight (a slow reader holds back the
 * reads, not the memory). Ends `out` after the last byte.
 */
async function sendBlocks(file: FileHandle, start: number, end: number, out: Writable) {
	const free = [Buffer.allocUnsafeSlow(BLOCK), Buffer.allocUnsafeSlow(BLOCK)];
	let wake: (() => void) | null = null;
	const gone = () => out.destroyed || out.writableEnded;
	out.on('close', () => wake?.());
	for (let position = start; position < end;) {
		while (free.length === 0 && !gone()) await new Promise<void>((resolve) => (wake = resolve));
		if (gone()) throw new Error('the response closed before the file was sent');
		const buffer = free.pop()!;
		const { bytesRead } = await file.read(buffer, 0, Math.min(BLOCK, end - position), position);
		if (bytesRead === 0) break;
		position += bytesRead;
		// The block is reused once the socket has taken it (the write's callback).
		out.write(buffer.subarray(0, bytesRead), () => {
			free.push(buffer);
			wake?.();
		});
	}
	if (gone()) throw new Error('the response closed before the file was sent');
	out.end();
}

export function createDisk(root: string): Disk {
	const tmpDir = join(root, 'tmp');
	const pathOf = (version: string) => {
		// Versions are uuids this API makes; anything else is a bug, not a path.
		if (!VERSION.test(version)) throw new Error(`not a version id: ${version}`);
		return join(root, 'objects', version.slice(0, 2), version);
	};
	const ready = mkdir(tmpDir, { recursive: true });

	return {
		root,
		async write(body, maxBytes) {
			await ready;
			const tempPath = join(tmpDir, randomUUID());
			const file = await open(tempPath, 'w');
			const hash = md5();
			let size = 0;
			let position = 0;
			let block: Buffer | null = null;
			let filled = 0;
			/** This upload's blocks, and those of them written and hashed, free again. */
			const mine: Buffer[] = [];
			const returned: Buffer[] = [];
			const inFlight = new Set<Promise<void>>();
			const take = async (): Promise<Buffer> => {
				for (;;) {
					const back = returned.pop();
					if (back) return back;
					if (mine.length < UPLOAD_BLOCKS) {
						const next = spare.pop() ?? Buffer.from(new SharedArrayBuffer(UPLOAD_BLOCK));
						mine.push(next);
						return next;
					}
					// Every block is being written: the socket waits (backpressure) until one is back.
					await Promise.race(inFlight);
				}
			};
			/** Writes a full (or the last) block while the worker hashes it. */
			const flush = (full: Buffer, length: number) => {
				const at = position;
				position += length;
				const done: Promise<void> = Promise.all([
					file.write(full, 0, length, at),
					hash.update(full, length)
				]).then(
					() => {
						inFlight.delete(done);
						returned.push(full);
					},
					(error: unknown) => {
						inFlight.delete(done);
						throw error;
					}
				);
				// Awaited below or by `take`; never an unhandled rejection meanwhile.
				done.catch(() => {});
				inFlight.add(done);
			};
			try {
				for await (const data of body as AsyncIterable<Uint8Array>) {
					size += data.length;
					if (size > maxBytes) throw ERRORS.entityTooLarge();
					for (let at = 0; at < data.length;) {
						if (!block) {
							block = await take();
							filled = 0;
						}
						const n = Math.min(UPLOAD_BLOCK - filled, data.length - at);
						block.set(data.subarray(at, at + n), filled);
						filled += n;
						at += n;
						if (filled === UPLOAD_BLOCK) {
							flush(block, filled);
							block = null;
						}
					}
				}
				if (block && filled > 0) flush(block, filled);
				await Promise.all(inFlight);
				await file.close();
				return { tempPath, size, eTag: `"${await hash.digest()}"` };
			} catch (error) {
				hash.abort();
				await Promise.allSettled(inFlight);
				await file.close().catch(() => {});
				await rm(tempPath, { force: true });
				throw error;
			} finally {
				// Nothing reads this upload's blocks any more (every write and hash has settled).
				for (const b of mine) if (spare.length < SPARE_BLOCKS) spare.push(b);
			}
		},
		async commit(file, version) {
			const target = pathOf(version);
			await mkdir(join(target, '..'), { recursive: true });
			await rename(file.tempPath, target);
		},
		async discard(file) {
			await rm(file.tempPath, { force: true });
		},
		read(version, range) {
			return createReadStream(pathOf(version), {
				start: range?.start,
				end: range?.end,
				highWaterMark: BLOCK
			});
		},
		async send(version, range, out) {
			const file = await open(pathOf(version), 'r');
			try {
				await sendBlocks(file, range?.start ?? 0, range ? range.end + 1 : Infinity, out);
			} finally {
				await file.close();
			}
		},
		async size(version) {
			try {
				return (await stat(pathOf(version))).size;
			} catch {
				return null;
			}
		},
		async copy(fromVersion, toVersion) {
			await ready;
			const tempPath = join(tmpDir, randomUUID());
			try {
				await copyFile(pathOf(fromVersion), tempPath);
				const target = pathOf(toVersion);
				await mkdir(join(target, '..'), { recursive: true });
				await rename(tempPath, target);
			} finally {
				await rm(tempPath, { force: true });
			}
		},
		async remove(versions) {
			await Promise.all(
				versions.filter((v): v is string => !!v).map((v) => rm(pathOf(v), { force: true }))
			);
		}
	};
}
