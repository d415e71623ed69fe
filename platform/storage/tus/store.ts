// Uploads in progress, on disk: `<folder>/<version>.part` holds the bytes received so far (its
// size is the upload's offset, so an offset survives a crash or a dropped connection exactly
// as far as bytes reached the disk) and `<version>.json` what the upload is. Nothing here is
// an object: the Storage API makes one of the part file only once it is complete.
//
// One request at a time writes an upload. A PATCH that arrives while an older one still holds
// the upload (its client gave up on a dead connection the server has not noticed yet) asks the
// older one to stop and waits for it, as @tus/server's lockers do.
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TusError } from './errors.ts';
import type { UploadId } from './headers.ts';

export type UploadInfo = UploadId & {
	size: number;
	contentType: string;
	cacheControl: string;
	/** User metadata (storage-js `metadata`), as the client sent it. */
	userMetadata: Record<string, unknown> | undefined;
	/** The raw Upload-Metadata header, echoed by HEAD. */
	rawMetadata: string | undefined;
	createdAt: string;
	expiresAt: string;
};

type Lock = { abort: AbortController; released: Promise<void> };

export class UploadStore {
	readonly folder: string;
	private readonly locks = new Map<string, Lock>();

	constructor(folder: string) {
		this.folder = folder;
	}

	partPath(version: string): string {
		return join(this.folder, `${version}.part`);
	}

	private infoPath(version: string): string {
		return join(this.folder, `${version}.json`);
	}

	async create(info: UploadInfo): Promise<void> {
		await mkdir(this.folder, { recursive: true });
		await writeFile(this.partPath(info.version), '', { flag: 'wx' });
		await writeFile(this.infoPath(info.version), JSON.stringify(info));
	}

	/** The upload and its offset; 404 when unknown or not this bucket/name, 410 when expired. */
	async get(id: UploadId, now: Date): Promise<{ info: UploadInfo; offset: number }> {
		let info: UploadInfo;
		let offset: number;
		try {
			info = JSON.parse(await readFile(this.infoPath(id.version), 'utf8')) as UploadInfo;
			offset = (await stat(this.partPath(id.version))).size;
		} catch {
			throw new TusError(404, 'The file for this url was not found');
		}
		if (info.bucket !== id.bucket || info.name !== id.name) {
			throw new TusError(404, 'The file for this url was not found');
		}
		if (new Date(info.expiresAt) <= now) {
			await this.remove(id.version);
			throw new TusError(410, 'The file for this url no longer exists');
		}
		return { info, offset };
	}

	async remove(version: string): Promise<void> {
		await rm(this.partPath(version), { force: true });
		await rm(this.infoPath(version), { force: true });
	}

	/**
	 * Removes every upload that expired (its part file and its description), as Storage's
	 * expired-upload cleanup does: an upload that is never finished does not keep its bytes.
	 * An upload being written is left to its writer; a part file whose description is gone
	 * (a crash between the two removals) goes once it is older than `orphanAgeMs`.
	 * Returns the versions removed.
	 */
	async sweepExpired(now: Date, orphanAgeMs: number): Promise<string[]> {
		const entries = await readdir(this.folder).catch(() => [] as string[]);
		const described = new Set(
			entries.filter((e) => e.endsWith('.json')).map((e) => e.slice(0, -'.json'.length))
		);
		const removed: string[] = [];
		const olderThan = async (entry: string, ms: number) => {
			const modified = await stat(join(this.folder, entry)).then(
				(s) => s.mtimeMs,
				() => null
			);
			return modified !== null && now.getTime() - modified > ms;
		};
		for (const entry of entries) {
			const version = entry.replace(/\.(json|part)$/, '');
			if (version === entry || this.locks.has(version)) continue;
			let expired: boolean;
			if (entry.endsWith('.json')) {
				let info: UploadInfo | null = null;
				try {
					info = JSON.parse(await readFile(join(this.folder, entry), 'utf8')) as UploadInfo;
				} catch {
					// Being written by a creation right now, or damaged: judged by its age.
				}
				expired = info ? new Date(info.expiresAt) <= now : await olderThan(entry, orphanAgeMs);
			} else {
				expired = !described.has(version) && (await olderThan(entry, orphanAgeMs));
			}
			if (expired) {
				await this.remove(version);
				removed.push(version);
			}
		}
		return removed;
	}

	/** Forgets the upload but keeps the part file: the object now owns it. */
	async release(version: string): Promise<void> {
		await rm(this.infoPath(version), { force: true });
	}

	/**
	 * Runs `fn` as the only writer of the upload. An older writer is asked to stop (its signal
	 * aborts) and awaited first; after `waitMs` the upload is reported locked (423).
	 */
	async exclusive<T>(
		version: string,
		fn: (signal: AbortSignal) => Promise<T>,
		waitMs = 10_000
	): Promise<T> {
		const deadline = Date.now() + waitMs;
		for (let held = this.locks.get(version); held; held = this.locks.get(version)) {
			held.abort.abort();
			const left = deadline - Date.now();
			if (left <= 0) throw new TusError(423, 'file currently locked');
			await Promise.race([held.released, new Promise((r) => setTimeout(r, left))]);
		}
		let release!: () => void;
		const lock: Lock = {
			abort: new AbortController(),
			released: new Promise<void>((resolve) => (release = resolve))
		};
		this.locks.set(version, lock);
		try {
			return await fn(lock.abort.signal);
		} finally {
			this.locks.delete(version);
			release();
		}
	}

	/**
	 * Appends `body` to the part file at `offset` (the part's current size), at most
	 * `room` bytes. Returns the new offset. A body that breaks off (a dropped connection,
	 * a newer request for the upload) keeps what reached the disk; a body longer than
	 * `room` is refused (413) and what it wrote is cut off again.
	 */
	async append(
		version: string,
		offset: number,
		room: number,
		body: Readable,
		signal: AbortSignal
	): Promise<number> {
		let received = 0;
		let tooLong = false;
		const count = new Transform({
			transform(chunk: Buffer, _encoding, done) {
				received += chunk.length;
				if (received > room) {
					tooLong = true;
					done(new TusError(413, "Upload's size exceeded"));
				} else done(null, chunk);
			}
		});
		const file = createWriteStream(this.partPath(version), { flags: 'r+', start: offset });
		try {
			await pipeline(body, count, file, { signal });
		} catch (error) {
			if (tooLong) {
				await truncate(this.partPath(version), offset);
				throw error;
			}
			// What was written stays: the client asks HEAD for the offset and goes on from there.
			// The offset is read once the file is closed, so no write still in flight is missed.
			if (!file.closed) await new Promise<void>((resolve) => file.once('close', () => resolve()));
		}
		return (await stat(this.partPath(version))).size;
	}
}
