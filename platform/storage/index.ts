// The local stand-in for Supabase Storage: a Hono app serving /storage/v1 with the routes,
// JSON shapes, status codes and error bodies @supabase/storage-js expects, rows in
// storage.buckets / storage.objects under RLS, and bytes on disk.
//
//   db.ts        transactions as the caller (RLS) or as service_role; rows
//   uploads.ts   prepare (RLS before bytes) → write (temp file) → finish: for every upload kind
//   objects.ts   read, list, sign, move, copy, remove       buckets.ts   bucket operations
//   disk.ts      bytes by version under the data folder     render.ts    downloads, Range, 304
//   etag.ts      STORAGE_FILE_ETAG_ALGORITHM: md5 or mtime (the platform's default)
//   names.ts     keys, bucket names, MIME lists, sizes      errors.ts    Storage's error bodies
//   tokens.ts    caller JWTs and signed-URL tokens          multipart.ts streaming form reader
//   routes/      thin HTTP handlers (render-image: /render/image, transform.ts; resumable:
//                /upload/resumable over TUS, resumable.ts and tus/)
import { Hono } from 'hono';
import type pg from 'pg';
import type { PlatformKeys } from '../keys.ts';
import { createDisk } from './disk.ts';
import { errorResponse } from './errors.ts';
import { etagAlgorithm, type EtagAlgorithm } from './etag.ts';
import { bucketRoutes } from './routes/buckets.ts';
import { objectRoutes } from './routes/objects.ts';
import { renderRoutes } from './routes/render-image.ts';
import { resumableUploadRoutes } from './routes/resumable.ts';
import { createTokens, type Tokens } from './tokens.ts';
import type { StorageDeps } from './uploads.ts';

export type StorageOptions = {
	/** Superuser pool to the database holding the storage schema. */
	db: pg.Pool;
	keys: PlatformKeys;
	/** Where the bytes live (e.g. <data dir>/storage). */
	dir: string;
	/** The project's upload limit in bytes; Supabase's default is 50 MiB. */
	fileSizeLimit?: number;
	/**
	 * md5 or mtime (etag.ts); unset: STORAGE_FILE_ETAG_ALGORITHM, Storage's setting, or the
	 * platform's default, mtime.
	 */
	etagAlgorithm?: EtagAlgorithm;
	now?: () => Date;
	onLog?: (line: string) => void;
};

export type StorageContext = StorageDeps & { tokens: Tokens };

export const DEFAULT_FILE_SIZE_LIMIT = 50 * 1024 * 1024;

export function createStorageContext(options: StorageOptions): StorageContext {
	const now = options.now ?? (() => new Date());
	return {
		pool: options.db,
		disk: createDisk(options.dir, {
			etagAlgorithm: options.etagAlgorithm ?? etagAlgorithm(process.env.STORAGE_FILE_ETAG_ALGORITHM)
		}),
		fileSizeLimit: options.fileSizeLimit ?? DEFAULT_FILE_SIZE_LIMIT,
		now,
		log: options.onLog ?? ((line) => console.error(line)),
		tokens: createTokens(options.keys, now)
	};
}

export function createStorageApp(options: StorageOptions | StorageContext): Hono {
	const ctx = 'tokens' in options ? options : createStorageContext(options);
	const v1 = new Hono();
	v1.route('/', bucketRoutes(ctx));
	v1.route('/', objectRoutes(ctx));
	v1.route('/', renderRoutes(ctx));
	v1.route('/upload/resumable', resumableUploadRoutes(ctx));
	v1.all('*', (c) =>
		c.json(
			{
				statusCode: '404',
				error: 'Not Found',
				message: `Route ${c.req.method}:${new URL(c.req.url).pathname} not found`,
				code: 'InvalidRequest'
			},
			404
		)
	);
	const app = new Hono();
	app.route('/storage/v1', v1);
	app.onError((error, c) => errorResponse(c, error, ctx.log));
	return app;
}

export { prepareUpload, canUpload, writeBytes, finishUpload, uploadObject } from './uploads.ts';
export type { StorageDeps, UploadTarget, PreparedUpload } from './uploads.ts';
