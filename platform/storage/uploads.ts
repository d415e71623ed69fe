// The core of every upload, in Storage's order (supabase/storage src/storage/uploader.ts):
//
//   1. prepareUpload: the key is valid, the bucket exists, the MIME type is allowed and the
//      declared size fits; then the object row is written as the caller and rolled back, so RLS
//      says yes or no (INSERT; an upsert also SELECT and UPDATE) before any byte is stored (the
//      bucket and the permission in one round trip when both pass: db.ts bucketIfUploadAllowed);
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
	bucketIfUploadAllowed,
	findBucket,
	findObjectStatement,
	insertObject,
	insertObjectStatement,
	testPermission,
	upsertObject,
	type BucketRow,
	type Caller,
	type NewObject,
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
	// Both database checks in one round trip when they pass (the common case); when not, again
	// one by one below, so the refusal is the same one, in the same order, as without it.
	const allowed = await bucketIfUploadAllowed(
		deps.pool,
		target.caller,
		'object.upload',
		objectToTest(target),
		target.upsert
	);
	const bucket =
		allowed ??
		(await asService(deps.pool, 'object.upload', (tx) => findBucket(tx, target.bucketId)));
	const maxBytes = isEmptyFolder(target.objectName)
		? 0
		: Math.min(deps.fileSizeLimit, bucket.file_size_limit ?? Infinity);
	if (!isEmptyFolder(target.objectName)) {
		mustBeAllowedMimeType(target.mimeType, bucket.allowed_mime_types);
	}
	if (target.declaredSize !== undefined && target.declaredSize > maxBytes) {
		throw ERRORS.entityTooLarge();
	}
	if (!allowed) await canUpload(deps, target);
	return { ...target, bucket, maxBytes };
}

/** The row an upload's permission test writes (and rolls back). */
const objectToTest = (
	target: Pick<UploadTarget, 'bucketId' | 'objectName' | 'caller' | 'userMetadata'> &
		Partial<Pick<UploadTarget, 'mimeType' | 'declaredSize'>>
): NewObject => ({
	bucketId: target.bucketId,
	name: target.objectName,
	owner: target.caller.sub,
	version: randomUUID(),
	metadata: { mimetype: target.mimeType, contentLength: target.declaredSize },
	userMetadata: target.userMetadata ?? null
});

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
		(target.upsert ? upsertObject : insertObject)(tx, objectToTest(target))
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
	const values = {
		bucketId: upload.bucketId,
		name: upload.objectName,
		owner: upload.caller.sub,
		version,
		metadata,
		userMetadata: upload.userMetadata ?? null
	};
	try {
		// The transaction's first statement goes with its begin (withCaller's `first`): without
		// upsert the row is simply inserted (an existing key fails it: ResourceAlreadyExists, as
		// Storage answers); with upsert the current row is locked first, so the version it
		// replaces is the one whose bytes go. Two round trips then, three with upsert (instead
		// of four).
		const row = await asService(
			deps.pool,
			'object.upload',
			async (tx, [first]) => {
				let written = first as ObjectRow;
				if (upload.upsert) {
					const current = (first as ObjectRow | undefined) ?? null;
					replaced = current?.version ?? null;
					written = await (current ? upsertObject : insertObject)(tx, values);
				}
				await deps.disk.commit(file, version);
				committed = true;
				return written;
			},
			upload.upsert
				? findObjectStatement(upload.bucketId, upload.objectName, true)
				: insertObjectStatement(values)
		);
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
