// Where the bytes live: one file per object version under the platform's data folder,
// `<root>/objects/<first two hex digits>/<version>`. Names never reach the file system (a
// key is only a row in storage.objects), so no key can point outside the folder, a move is
// a row update, and a new version replaces an old one atomically. Uploads stream into
// `<root>/tmp/` and are renamed into place only when complete, so nothing half-written is
// ever served; a refused or broken upload leaves nothing behind.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ERRORS } from './errors.ts';

export type Disk = {
	root: string;
	/** Streams `body` into a temporary file; refuses (and removes it) past `maxBytes`. */
	write(body: Readable, maxBytes: number): Promise<WrittenFile>;
	/** Makes a written file the bytes of `version`. */
	commit(file: WrittenFile, version: string): Promise<void>;
	/** Removes a temporary file that will not be committed. */
	discard(file: WrittenFile): Promise<void>;
	read(version: string, range?: { start: number; end: number }): Readable;
	size(version: string): Promise<number | null>;
	copy(fromVersion: string, toVersion: string): Promise<void>;
	remove(versions: Array<string | null>): Promise<void>;
};

export type WrittenFile = { tempPath: string; size: number; eTag: string };

const VERSION = /^[0-9a-f-]{36}$/;

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
			const hash = createHash('md5');
			let size = 0;
			const meter = new Transform({
				transform(chunk: Buffer, _encoding, done) {
					size += chunk.length;
					if (size > maxBytes) return done(ERRORS.entityTooLarge());
					hash.update(chunk);
					done(null, chunk);
				}
			});
			try {
				await pipeline(body, meter, createWriteStream(tempPath));
			} catch (error) {
				await rm(tempPath, { force: true });
				throw error;
			}
			return { tempPath, size, eTag: `"${hash.digest('hex')}"` };
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
				highWaterMark: 1 << 20
			});
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
				await pipeline(createReadStream(pathOf(fromVersion)), createWriteStream(tempPath));
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
