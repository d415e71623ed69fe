// /storage/v1/upload/resumable: the TUS protocol (platform/storage/resumable.ts) on the Storage
// API's own upload steps (uploads.ts), as Storage wires @tus/server to its Uploader:
//
//   creation    prepareUpload: key, bucket, MIME list, Upload-Length against the limits, and
//               the row's INSERT (or upsert) tried under RLS and rolled back, before a byte
//   each chunk  the same checks again, as the chunk's caller
//   last byte   finishUpload: the row written and the part file renamed into the object store
//               together; the part file's ETag (its MD5, or its mtime and size: etag.ts) is
//               the object's, as for any upload
import { join } from 'node:path';
import type { Hono } from 'hono';
import { asService, findBucket, type Caller } from '../db.ts';
import { fromPgError, StorageError } from '../errors.ts';
import type { StorageContext } from '../index.ts';
import { callerOf } from '../request.ts';
import {
	resumableRoutes,
	TusError,
	type ResumableBackend,
	type UploadTarget as TusTarget
} from '../resumable.ts';
import { finishUpload, prepareUpload, type UploadTarget } from '../uploads.ts';

function storageTarget(caller: Caller, target: TusTarget): UploadTarget {
	return {
		bucketId: target.bucket,
		objectName: target.name,
		caller,
		upsert: target.upsert,
		mimeType: target.contentType,
		cacheControl: target.cacheControl,
		declaredSize: target.size,
		userMetadata: target.userMetadata ?? null
	};
}

export function resumableUploadRoutes(ctx: StorageContext): Hono {
	const backend: ResumableBackend<Caller> = {
		caller: (c) => callerOf(c, ctx.tokens),
		async bucketLimits(bucket) {
			const row = await asService(ctx.pool, 'object.upload', (tx) => findBucket(tx, bucket));
			return { fileSizeLimit: row.file_size_limit, allowedMimeTypes: row.allowed_mime_types };
		},
		async canUpload(caller, target) {
			await prepareUpload(ctx, storageTarget(caller, target));
		},
		async complete(caller, target, partFile) {
			const prepared = await prepareUpload(ctx, storageTarget(caller, target));
			await finishUpload(ctx, prepared, {
				tempPath: partFile,
				size: target.size,
				eTag: await ctx.disk.eTagOf(partFile)
			});
		},
		toTusError(error) {
			const mapped = error instanceof StorageError ? error : fromPgError(error);
			return mapped ? new TusError(mapped.status, mapped.message) : undefined;
		}
	};
	return resumableRoutes(backend, {
		folder: join(ctx.disk.root, 'resumable'),
		fileSizeLimit: ctx.fileSizeLimit,
		now: ctx.now,
		onLog: ctx.log
	});
}
