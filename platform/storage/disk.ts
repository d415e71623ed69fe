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
// then waited for its own disk write and MD5 still ran on the socket's thread. With the mtime
// ETag (etag.ts) nothing is hashed: the ETag comes from the finished file's stats, and the
// socket's chunks are written as they came, a writev per MiB, without copying them.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Stats } from 'node:fs';
import { copyFile, mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ERRORS } from './errors.ts';
import { mtimeEtag, type EtagAlgorithm } from './etag.ts';
import { md5, type Md5 } from './md5.ts';

export type Disk = {
	root: string;
	etagAlgorithm: EtagAlgorithm;
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
	/** The ETag of a finished file outside the store (a TUS upload's part file). */
	eTagOf(path: string): Promise<string>;
	/**
	 * Copies the bytes of a version; resolves with the copy's own ETag when it is not the
	 * source's (mtime: a copy is a new file), undefined when the source's still holds (md5).
	 */
	copy(fromVersion: string, toVersion: string): Promise<string | undefined>;
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
/** The most chunks in one writev (IOV_MAX): a body of tiny chunks holds no more than this. */
const WRITEV_CHUNKS = 1024;
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

/** A write's check that all `length` bytes went (a short write is an error, never a hole). */
const mustWriteAll =
	(length: number) =>
	({ bytesWritten }: { bytesWritten: number }) => {
		if (bytesWritten !== length) throw new Error(`wrote ${bytesWritten} of ${length} bytes`);
	};

/** The newest mtime (ms) this process gave a stored file; see `stampUnique`. */
let lastStamp = 0;

/**
 * The stats of a just-written file, its mtime made later than that of every file this process
 * wrote before. The mtime ETag is `mtime-size`, and ext4 takes file times from a clock that
 * ticks every few milliseconds (50 one-byte writes in a row here got 2 distinct mtimes), so
 * two same-size uploads in one tick would share an ETag and a client holding the first would
 * be told 304 for the second. Storage's file backend has that flaw; here a file whose mtime
 * is not past the last one is given the next free millisecond. The slot is taken before any
 * await, so concurrent uploads cannot pick the same one.
 */
async function stampUnique(file: FileHandle): Promise<Stats> {
	const stats = await file.stat();
	if (stats.mtimeMs > lastStamp) {
		lastStamp = stats.mtimeMs;
		return stats;
	}
	const next = Math.floor(lastStamp) + 1;
	lastStamp = next;
	await file.utimes(stats.atime, new Date(next));
	return file.stat();
}

/** The mtime ETag of the file at `path`, its mtime made unique first. */
async function stampedEtag(path: string): Promise<string> {
	const file = await open(path, 'r+');
	try {
		return mtimeEtag(await stampUnique(file));
	} finally {
		await file.close();
	}
}

async function md5OfFile(path: string): Promise<string> {
	const hash = createHash('md5');
	await pipeline(createReadStream(path, { highWaterMark: BLOCK }), hash);
	return `"${hash.digest('hex')}"`;
}

export function createDisk(root: string, options: { etagAlgorithm?: EtagAlgorithm } = {}): Disk {
	// Storage's own default when nothing is said (the platform passes its choice, etag.ts).
	const etagAlgorithm = options.etagAlgorithm ?? 'md5';
	const tmpDir = join(root, 'tmp');
	const pathOf = (version: string) => {
		// Versions are uuids this API makes; anything else is a bug, not a path.
		if (!VERSION.test(version)) throw new Error(`not a version id: ${version}`);
		return join(root, 'objects', version.slice(0, 2), version);
	};
	const ready = mkdir(tmpDir, { recursive: true });
	/** The version folders known to exist (see commit). */
	const folders = new Set<string>();

	return {
		root,
		etagAlgorithm,
		async write(body, maxBytes) {
			await ready;
			const tempPath = join(tmpDir, randomUUID());
			const file = await open(tempPath, 'w');
			const hash: Md5 | null = etagAlgorithm === 'md5' ? md5() : null;
			let size = 0;
			let position = 0;
			let block: Buffer | null = null;
			let filled = 0;
			/** This upload's blocks, and those of them written and hashed, free again. */
			const mine: Buffer[] = [];
			const returned: Buffer[] = [];
			const inFlight = new Set<Promise<unknown>>();
			/** Why writes (or hashes) failed, the first first. */
			const failures: unknown[] = [];
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
			/** Adds a write (and hash) to those in flight; `after` runs once it is done. */
			const track = (work: Promise<unknown>, after: () => void) => {
				const done: Promise<unknown> = work.then(
					() => {
						inFlight.delete(done);
						after();
					},
					(error: unknown) => {
						inFlight.delete(done);
						failures.push(error);
						throw error;
					}
				);
				// Awaited by `take` or `room` while in flight, and kept in `failures` for the end
				// (a write that fails unwatched has left the set): never lost, never unhandled.
				done.catch(() => {});
				inFlight.add(done);
			};
			/** Writes a full (or the last) block while the worker hashes it. */
			const flush = (full: Buffer, length: number) => {
				const at = position;
				position += length;
				track(
					Promise.all([
						file.write(full, 0, length, at).then(mustWriteAll(length)),
						hash?.update(full, length)
					]),
					() => returned.push(full)
				);
			};
			// Without a hash (mtime ETags) the socket's chunks are written as they are, gathered
			// into one writev per UPLOAD_BLOCK bytes (or WRITEV_CHUNKS chunks): nothing is copied
			// (a bare node:http receiver with each, 40 MB, three pairs alternating at load ~12:
			// 278–286 against 307–376 ms of CPU per 100 MB with the copy). Each chunk is a buffer
			// of its own (node:http's parser and the multipart reader never reuse one), held
			// until its write is done.
			let batch: Uint8Array[] = [];
			let batched = 0;
			const flushBatch = () => {
				const at = position;
				const length = batched;
				position += length;
				track(file.writev(batch, at).then(mustWriteAll(length)), () => {});
				batch = [];
				batched = 0;
			};
			/** Waits while UPLOAD_BLOCKS writes are in flight. */
			const room = async () => {
				while (inFlight.size >= UPLOAD_BLOCKS) await Promise.race(inFlight);
			};
			// The chunks are taken from 'data' events, the body paused (the socket with it:
			// backpressure) while UPLOAD_BLOCKS writes are in flight, rather than by `for await`
			// and its promise per chunk: a bare node:http receiver spent 135–150 ms of CPU per
			// 100 MB so against 161–178 (80 MB, three pairs alternating, load ~4); bench:storage's
			// Storage process 243–296 against 265–346 (mean 270 against 304, three pairs).
			const receiveChunks = () =>
				new Promise<void>((resolve, reject) => {
					let ended = false;
					const stop = (error: unknown) => {
						body.off('data', onData);
						reject(error instanceof Error ? error : new Error(String(error)));
					};
					const onData = (data: Uint8Array) => {
						size += data.length;
						if (size > maxBytes) return stop(ERRORS.entityTooLarge());
						batch.push(data);
						batched += data.length;
						if (batched < UPLOAD_BLOCK && batch.length < WRITEV_CHUNKS) return;
						flushBatch();
						if (inFlight.size < UPLOAD_BLOCKS) return;
						body.pause();
						room().then(() => body.resume(), stop);
					};
					if (body.destroyed) {
						return reject(body.errored ?? new Error('the body closed before its end'));
					}
					body.on('data', onData);
					body.once('end', () => {
						ended = true;
						resolve();
					});
					body.once('error', stop);
					body.once('close', () => {
						if (!ended) stop(new Error('the body closed before its end'));
					});
				});
			try {
				if (!hash) await receiveChunks();
				else
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
				if (batched > 0) flushBatch();
				await Promise.all(inFlight);
				if (failures.length > 0) throw failures[0];
				const eTag = hash ? `"${await hash.digest()}"` : mtimeEtag(await stampUnique(file));
				await file.close();
				return { tempPath, size, eTag };
			} catch (error) {
				hash?.abort();
				// As `for await` leaves a body it stops reading: the rest is not wanted.
				if (!hash && !body.destroyed) body.destroy();
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
			const folder = join(target, '..');
			// Each of the 256 folders is made once per process rather than once per upload (a
			// trip through libuv's threads each time); one removed since is made again.
			if (!folders.has(folder)) {
				await mkdir(folder, { recursive: true });
				folders.add(folder);
			}
			try {
				await rename(file.tempPath, target);
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
				await mkdir(folder, { recursive: true });
				await rename(file.tempPath, target);
			}
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
		eTagOf(path) {
			return etagAlgorithm === 'md5' ? md5OfFile(path) : stampedEtag(path);
		},
		async copy(fromVersion, toVersion) {
			await ready;
			const tempPath = join(tmpDir, randomUUID());
			try {
				await copyFile(pathOf(fromVersion), tempPath);
				// Storage's copy answers the new file's ETag: a new mtime, the same MD5.
				const eTag = etagAlgorithm === 'mtime' ? await stampedEtag(tempPath) : undefined;
				const target = pathOf(toVersion);
				await mkdir(join(target, '..'), { recursive: true });
				await rename(tempPath, target);
				return eTag;
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
