// The core of every upload, in Storage's order (supabase/storage src/storage/uploader.ts):
//
//   1. prepareUpload: the key is valid, the bucket exists, the MIME type is allowed and the
//      declared size fits; then the object row is written as the caller and rolled back, so RLS
//      says yes or no (INSERT; an upsert also SELECT and UPDATE) before any byte is stored;
//   2. writeBytes: the body streams into a temporary file, counted against the size limit;
//   3. finishUpload: the row is written (as Storage's super user, RLS already asked), the file
//      is renamed into place, and the bytes of a replaced version are removed after commit.
//
// Exported for every way bytes arrive (a standard upload, a signed upload URL, TUS).
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type pg from 'pg';
import {
	asService,
	findBucket,
	findObjectOrNull,
	insertObject,
	testPermission,
	upsertObject,
	type BucketRow,
	type Caller,
	type ObjectMetadata,
	type ObjectRow
} from './db.ts';
import type { Disk, WrittenFile } from './disk.ts';
import { ERRORS } from './errors.ts';
import { mustBeAllowedMimeType, mustBeValidKey } from './names.ts';

export type StorageDeps = {
	pool: pg.Pool;
	disk: Disk;
	/** The project's upload limit in bytes (config.toml [storage] file_size_limit). */
	fileSizeLimit: number;
	now: () => Date;
	log: (line: string) => void;
};

export type UploadTarget = {
	bucketId: string;
	objectName: string;
	/** Who uploads: RLS decides as this caller; the row's owner is its `sub`. */
	caller: Caller;
	/** Replace an existing object (x-upsert, PUT) rather than refuse it. */
	upsert: boolean;
	mimeType: string;
	cacheControl: string;
	/** The size announced before the bytes (Content-Length, TUS Upload-Length), if any. */
	declaredSize?: number;
	userMetadata?: Record<string, unknown> | null;
};

export type PreparedUpload = UploadTarget & {
	bucket: BucketRow;
	/** The most bytes this upload may store. */
	maxBytes: number;
};

/** Storage's folder placeholder: an empty object that makes a folder show in a listing. */
const isEmptyFolder = (name: string) => name.endsWith('.emptyFolderPlaceholder');

/** Checks everything that can refuse an upload before its bytes are read. */
export async function prepareUpload(
	deps: StorageDeps,
	target: UploadTarget
): Promise<PreparedUpload> {
	mustBeValidKey(target.objectName);
	const bucket = await asService(deps.pool, 'object.upload', (tx) =>
		findBucket(tx, target.bucketId)
	);
	const maxBytes = isEmptyFolder(target.objectName)
		? 0
		: Math.min(deps.fileSizeLimit, bucket.file_size_limit ?? Infinity);
	if (!isEmptyFolder(target.objectName)) {
		mustBeAllowedMimeType(target.mimeType, bucket.allowed_mime_types);
	}
	if (target.declaredSize !== undefined && target.declaredSize > maxBytes) {
		throw ERRORS.entityTooLarge();
	}
	await canUpload(deps, target);
	return { ...target, bucket, maxBytes };
}

/**
 * Asks RLS whether the caller may write the object row (INSERT; for an upsert, INSERT … ON
 * CONFLICT DO UPDATE, which also needs SELECT and UPDATE), writing nothing: Storage's canUpload.
 */
export async function canUpload(
	deps: StorageDeps,
	target: Pick<UploadTarget, 'bucketId' | 'objectName' | 'caller' | 'upsert' | 'userMetadata'> &
		Partial<Pick<UploadTarget, 'mimeType' | 'declaredSize'>>
): Promise<void> {
	await testPermission(deps.pool, target.caller, 'object.upload', (tx) =>
		(target.upsert ? upsertObject : insertObject)(tx, {
			bucketId: target.bucketId,
			name: target.objectName,
			owner: target.caller.sub,
			version: randomUUID(),
			metadata: { mimetype: target.mimeType, contentLength: target.declaredSize },
			userMetadata: target.userMetadata ?? null
		})
	);
}

/** Streams the body to a temporary file; EntityTooLarge (and nothing kept) past the limit. */
export function writeBytes(deps: StorageDeps, upload: PreparedUpload, body: Readable) {
	return deps.disk.write(body, upload.maxBytes);
}

/**
 * Makes the written bytes the object's: the row (inserted, or replaced on upsert) and the file
 * commit together; a replaced version's bytes go once the new row is committed.
 */
export async function finishUpload(
	deps: StorageDeps,
	upload: PreparedUpload,
	file: WrittenFile
): Promise<ObjectRow> {
	const version = randomUUID();
	const metadata: ObjectMetadata = {
		eTag: file.eTag,
		size: file.size,
		mimetype: upload.mimeType,
		cacheControl: upload.cacheControl,
		lastModified: deps.now().toUTCString(),
		contentLength: file.size,
		httpStatusCode: 200
	};
	let replaced: string | null = null;
	let committed = false;
	try {
		const row = await asService(deps.pool, 'object.upload', async (tx) => {
			const current = await findObjectOrNull(tx, upload.bucketId, upload.objectName, true);
			if (current && !upload.upsert) throw ERRORS.resourceAlreadyExists();
			replaced = current?.version ?? null;
			const values = {
				bucketId: upload.bucketId,
				name: upload.objectName,
				owner: upload.caller.sub,
				version,
				metadata,
				userMetadata: upload.userMetadata ?? null
			};
			const written = await (current ? upsertObject : insertObject)(tx, values);
			await deps.disk.commit(file, version);
			committed = true;
			return written;
		});
		await deps.disk.remove([replaced]);
		return row;
	} catch (error) {
		await (committed ? deps.disk.remove([version]) : deps.disk.discard(file));
		throw error;
	}
}

/** The three steps for a body that is all there is (a standard or signed-URL upload). */
export async function uploadObject(
	deps: StorageDeps,
	target: UploadTarget,
	body: Readable
): Promise<ObjectRow> {
	const prepared = await prepareUpload(deps, target);
	const file = await writeBytes(deps, prepared, body);
	return finishUpload(deps, prepared, file);
}
