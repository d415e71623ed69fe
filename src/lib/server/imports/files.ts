// Where uploaded import files live until the import has run. For now a
// directory on disk shared by the app and the worker; Supabase Storage will
// implement the same interface. References are `<org id>/<import id>`
// (contact_imports.file_ref), checked here so no reference can leave the root.
// Files are kept per organization, so deleting one removes a single folder.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface ImportFileStore {
	/** Stores a file; returns its size in bytes. */
	write(ref: string, data: Readable | AsyncIterable<Uint8Array> | Uint8Array): Promise<number>;
	/** Streams a stored file. */
	read(ref: string): Readable;
	/** The first `bytes` bytes (for sniffing encoding, delimiter and header). */
	head(ref: string, bytes: number): Promise<Buffer>;
	remove(ref: string): Promise<void>;
	/** Removes every file of an organization (it was deleted). */
	removeOrg(orgId: string): Promise<void>;
}

const REF = /^[0-9a-f-]{36}\/[0-9a-f-]{36}$/;
const ORG = /^[0-9a-f-]{36}$/;

export class LocalFileStore implements ImportFileStore {
	readonly root: string;

	constructor(root: string) {
		this.root = resolve(root);
	}

	private path(ref: string): string {
		if (!REF.test(ref)) throw new Error(`invalid import file reference "${ref}"`);
		return join(this.root, ref);
	}

	async write(
		ref: string,
		data: Readable | AsyncIterable<Uint8Array> | Uint8Array
	): Promise<number> {
		const path = this.path(ref);
		await mkdir(dirname(path), { recursive: true });
		const source = data instanceof Uint8Array ? Readable.from([data]) : Readable.from(data);
		await pipeline(source, createWriteStream(path));
		return (await stat(path)).size;
	}

	read(ref: string): Readable {
		return createReadStream(this.path(ref), { highWaterMark: 1 << 20 });
	}

	async head(ref: string, bytes: number): Promise<Buffer> {
		const file = await open(this.path(ref), 'r');
		try {
			const buffer = Buffer.alloc(bytes);
			const { bytesRead } = await file.read(buffer, 0, bytes, 0);
			return buffer.subarray(0, bytesRead);
		} finally {
			await file.close();
		}
	}

	async remove(ref: string): Promise<void> {
		await rm(this.path(ref), { force: true });
	}

	async removeOrg(orgId: string): Promise<void> {
		if (!ORG.test(orgId)) throw new Error(`invalid organization id "${orgId}"`);
		await rm(join(this.root, orgId), { recursive: true, force: true });
	}
}

/** The store the app and the worker share (IMPORT_FILES_DIR, default .data/imports). */
export function defaultFileStore(): ImportFileStore {
	return new LocalFileStore(process.env.IMPORT_FILES_DIR ?? '.data/imports');
}
