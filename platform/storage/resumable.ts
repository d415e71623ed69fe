// Resumable uploads at /storage/v1/upload/resumable: the TUS 1.0.0 core protocol with the
// creation, creation-with-upload, termination and expiration extensions, as Supabase Storage
// serves it to tus-js-client (src/http/routes/tus in supabase/storage).
//
//   POST   /            create an upload (Upload-Length, Upload-Metadata: bucketName,
//                      objectName, contentType, cacheControl, metadata), optionally with its
//                      first chunk; answers 201 with the upload's URL in Location
//   HEAD   /<id>        how many bytes have arrived (Upload-Offset): where a client resumes
//   PATCH  /<id>        append a chunk at Upload-Offset (tus-js-client sends 6 MB chunks)
//   DELETE /<id>        abandon the upload and its bytes
//
// An upload not finished within a day (`expiresInMs`, Storage's default; Upload-Expires says
// when) answers 410 and is swept from the disk: see `sweepIfDue`.
//
// As Storage does it, the caller's right to write the object is checked under RLS (the INSERT,
// or the upsert with `x-upsert: true`) before an upload is accepted and again before every
// chunk, and the bucket's size limit and MIME types are checked against Upload-Length and
// contentType at creation: a refused upload leaves nothing on disk. Bytes collect in a part
// file outside the object store; the object (row and bytes) appears only when the last byte
// has arrived, made by the Storage API's own completion step.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { TusError } from './tus/errors.ts';
import {
	decodeUploadId,
	encodeUploadId,
	parseUploadMetadata,
	readSize,
	TUS_EXTENSIONS,
	TUS_VERSION,
	type UploadId
} from './tus/headers.ts';
import { UploadStore, type UploadInfo } from './tus/store.ts';

export { TusError } from './tus/errors.ts';

/** The object an upload writes, as the Storage API's permission and completion steps see it. */
export type UploadTarget = {
	bucket: string;
	name: string;
	/** `x-upsert: true` on the request: replace an existing object. */
	upsert: boolean;
	size: number;
	contentType: string;
	cacheControl: string;
	userMetadata: Record<string, unknown> | undefined;
};

/**
 * What the resumable endpoint needs from the Storage API; `Caller` is whoever the request's
 * JWT says it is. Each step throws the Storage API's own errors; `toTusError` turns them into
 * a status and message.
 */
export type ResumableBackend<Caller> = {
	/** The verified caller of a request (API key and Bearer token), or a refusal. */
	caller(c: Context): Promise<Caller>;
	/** The bucket's upload limits, read as the service (a missing bucket is refused). */
	bucketLimits(
		bucket: string
	): Promise<{ fileSizeLimit: number | null; allowedMimeTypes: string[] | null }>;
	/** Whether the caller may write the object (RLS, tested and rolled back); throws if not. */
	canUpload(caller: Caller, target: UploadTarget): Promise<void>;
	/**
	 * Makes the complete upload the object: its row under the caller's RLS and the part file's
	 * bytes (moved, not copied) in the object store; throws, leaving no object, when refused.
	 */
	complete(
		caller: Caller,
		target: UploadTarget & { version: string },
		partFile: string
	): Promise<void>;
	/** The status and message of an error the steps above threw, if it is a refusal. */
	toTusError(error: unknown): TusError | undefined;
};

export type ResumableOptions = {
	/** Where uploads in progress are kept (part files), e.g. `<data>/storage/.resumable`. */
	folder: string;
	/** The global upload limit (config.toml's [storage] file_size_limit), in bytes. */
	fileSizeLimit: number;
	/** How long an unfinished upload stays resumable; Storage's default is a day. */
	expiresInMs?: number;
	/**
	 * How often expired uploads are swept away (their part files deleted): at most this
	 * often, when an upload is created. Default: an hour.
	 */
	sweepEveryMs?: number;
	onLog?: (line: string) => void;
	now?: () => Date;
};

const OFFSET_OCTET_STREAM = 'application/offset+octet-stream';
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** Storage's cacheControl metadata: seconds become max-age, anything else no-cache. */
function cacheControlOf(value: string | null | undefined): string {
	return /^-?\d+$/.test(value ?? '') ? `max-age=${value}` : 'no-cache';
}

function userMetadataOf(value: string | null | undefined): Record<string, unknown> | undefined {
	if (!value) return undefined;
	try {
		const parsed: unknown = JSON.parse(value);
		return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
			? (parsed as Record<string, unknown>)
			: undefined;
	} catch {
		// Storage logs and ignores user metadata it cannot read.
		return undefined;
	}
}

/** A bucket's MIME list as Storage reads it: exact types or `type/*`. */
function mimeAllowed(contentType: string, allowed: string[]): boolean {
	const [type, subtype] = contentType.split('/');
	if (!type || subtype === undefined) return false;
	return allowed.some((entry) => {
		const [allowedType, allowedSubtype] = entry.split('/');
		return allowedType === type && (allowedSubtype === '*' || allowedSubtype === subtype);
	});
}

/** The request body, straight from the socket when the server gives it (fewer copies). */
function bodyOf(c: Context): Readable {
	const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
	if (incoming && !incoming.readableDidRead) return incoming;
	const body = c.req.raw.body;
	return body
		? Readable.fromWeb(body as import('node:stream/web').ReadableStream)
		: Readable.from([]);
}

export function resumableRoutes<Caller>(
	backend: ResumableBackend<Caller>,
	options: ResumableOptions
): Hono {
	const store = new UploadStore(options.folder);
	const now = options.now ?? (() => new Date());
	const expiresInMs = options.expiresInMs ?? DAY_MS;
	const sweepEveryMs = options.sweepEveryMs ?? HOUR_MS;
	const app = new Hono();

	// Uploads nobody finishes expire (Upload-Expires says when) and are swept away, so an
	// abandoned 1 GB upload does not hold the disk. The sweep runs when an upload is created,
	// at most once per `sweepEveryMs`: disk only fills while uploads are being made.
	let lastSweep = Number.NEGATIVE_INFINITY;
	let sweeping: Promise<void> | null = null;
	const sweepIfDue = async () => {
		const at = now();
		if (at.getTime() - lastSweep < sweepEveryMs) return;
		lastSweep = at.getTime();
		sweeping ??= store
			.sweepExpired(at, expiresInMs)
			.then((removed) => {
				if (removed.length)
					options.onLog?.(`storage: removed ${removed.length} expired resumable upload(s)`);
			})
			.catch((error: unknown) => {
				options.onLog?.(`storage: sweeping expired resumable uploads failed: ${String(error)}`);
			})
			.finally(() => (sweeping = null));
		await sweeping;
	};

	const targetOf = (c: Context, info: UploadInfo): UploadTarget => ({
		bucket: info.bucket,
		name: info.name,
		upsert: c.req.header('x-upsert') === 'true',
		size: info.size,
		contentType: info.contentType,
		cacheControl: info.cacheControl,
		userMetadata: info.userMetadata
	});

	/** The upload's URL: the creation URL plus its id, on the host the client called. */
	const uploadUrl = (c: Context, id: UploadId) => {
		const url = new URL(c.req.url);
		return `${url.origin}${url.pathname.replace(/\/+$/, '')}/${encodeUploadId(id)}`;
	};

	/**
	 * Appends the request's body at `claimed` (what the client says it has sent, checked once
	 * the upload is ours, so a writer that was still running cannot move it underneath; a
	 * newer request for the upload stops this one, and what it wrote stays) and,
	 * when that was the last byte, makes the object. An upload the completion step refuses is
	 * dropped with its bytes.
	 */
	const receive = async (
		c: Context,
		caller: Caller,
		id: UploadId,
		claimed: number,
		checked = false
	): Promise<{ info: UploadInfo; offset: number; complete: boolean }> =>
		store.exclusive(id.version, async (signal) => {
			const { info, offset } = await store.get(id, now());
			if (claimed !== offset) throw new TusError(409, 'Upload-Offset conflict');
			// Storage checks the caller's right to write the object before every chunk.
			if (!checked) await backend.canUpload(caller, targetOf(c, info));
			const next = await store.append(id.version, offset, info.size - offset, bodyOf(c), signal);
			if (next < info.size) return { info, offset: next, complete: false };
			try {
				await backend.complete(
					caller,
					{ ...targetOf(c, info), version: info.version },
					store.partPath(info.version)
				);
			} catch (error) {
				await store.remove(info.version);
				throw error;
			}
			await store.release(info.version);
			return { info, offset: next, complete: true };
		});

	const handle =
		(fn: (c: Context) => Promise<Response>) =>
		async (c: Context): Promise<Response> => {
			c.header('Tus-Resumable', TUS_VERSION);
			try {
				if (c.req.method !== 'OPTIONS' && c.req.header('tus-resumable') !== TUS_VERSION) {
					c.header('Tus-Version', TUS_VERSION);
					throw new TusError(412, 'Unsupported version');
				}
				return await fn(c);
			} catch (error) {
				const refusal = error instanceof TusError ? error : backend.toTusError(error);
				if (refusal) return c.text(refusal.message, refusal.status as ContentfulStatusCode);
				options.onLog?.(`storage: resumable upload failed: ${String(error)}`);
				return c.text('something went wrong', 500);
			}
		};

	const discover = handle((c) => {
		c.header('Tus-Version', TUS_VERSION);
		c.header('Tus-Extension', TUS_EXTENSIONS);
		c.header('Tus-Max-Size', String(options.fileSizeLimit));
		return Promise.resolve(c.body(null, 204));
	});
	app.options('/', discover);
	app.options('/:id', discover);

	app.post(
		'/',
		handle(async (c) => {
			const caller = await backend.caller(c);
			const size = readSize('Upload-Length', c.req.header('upload-length'));
			if (size === undefined) {
				throw new TusError(400, 'Upload-Length or Upload-Defer-Length header required');
			}
			const rawMetadata = c.req.header('upload-metadata');
			const metadata = parseUploadMetadata(rawMetadata);
			if (!rawMetadata) throw new TusError(400, 'Metadata header is required');
			const bucket = metadata.bucketName ?? '';
			const name = metadata.objectName ?? '';
			if (!bucket) throw new TusError(400, 'Bucket name invalid');
			if (!name) throw new TusError(400, 'Invalid key: ');

			const limits = await backend.bucketLimits(bucket);
			const maxSize = Math.min(
				limits.fileSizeLimit ?? options.fileSizeLimit,
				options.fileSizeLimit
			);
			if (size > maxSize) throw new TusError(413, 'Maximum size exceeded');
			const contentType = metadata.contentType || 'application/octet-stream';
			if (metadata.contentType && limits.allowedMimeTypes?.length) {
				if (!mimeAllowed(contentType, limits.allowedMimeTypes)) {
					throw new TusError(415, `mime type ${contentType} is not supported`);
				}
			}

			const created = now();
			const info: UploadInfo = {
				bucket,
				name,
				version: randomUUID(),
				size,
				contentType,
				cacheControl: cacheControlOf(metadata.cacheControl),
				userMetadata: userMetadataOf(metadata.metadata),
				rawMetadata,
				createdAt: created.toISOString(),
				expiresAt: new Date(created.getTime() + expiresInMs).toISOString()
			};
			// Refused here, nothing has been written yet.
			await backend.canUpload(caller, targetOf(c, info));
			await sweepIfDue();
			await store.create(info);

			c.header('Location', uploadUrl(c, info));
			c.header('Upload-Expires', new Date(info.expiresAt).toUTCString());
			const withData = c.req.header('content-type') === OFFSET_OCTET_STREAM;
			if (withData || size === 0) {
				const result = await receive(c, caller, info, 0, true);
				c.header('Upload-Offset', String(result.offset));
				if (result.complete) c.header('Tus-Complete', '1');
			}
			return c.body(null, 201);
		})
	);

	// Hono answers HEAD with the GET route (and drops the body); tus has no GET.
	app.get(
		'/:id',
		handle(async (c) => {
			if (c.req.method !== 'HEAD') throw new TusError(404, 'Not found');
			await backend.caller(c);
			const id = decodeUploadId(c.req.param('id')!);
			// Taking the upload stops a writer whose client has gone, so the offset is final.
			const { info, offset } = await store.exclusive(id.version, () => store.get(id, now()));
			c.header('Cache-Control', 'no-store');
			c.header('Upload-Offset', String(offset));
			c.header('Upload-Length', String(info.size));
			if (info.rawMetadata) c.header('Upload-Metadata', info.rawMetadata);
			c.header('Upload-Expires', new Date(info.expiresAt).toUTCString());
			return c.body(null, 200);
		})
	);

	app.patch(
		'/:id',
		handle(async (c) => {
			if (c.req.header('content-type') !== OFFSET_OCTET_STREAM) {
				throw new TusError(415, 'Invalid or missing content-type header');
			}
			const id = decodeUploadId(c.req.param('id')!);
			const caller = await backend.caller(c);
			const claimed = readSize('Upload-Offset', c.req.header('upload-offset'));
			if (claimed === undefined) throw new TusError(403, 'Upload-Offset header required');
			const result = await receive(c, caller, id, claimed);
			c.header('Upload-Offset', String(result.offset));
			c.header('Upload-Expires', new Date(result.info.expiresAt).toUTCString());
			if (result.complete) c.header('Tus-Complete', '1');
			return c.body(null, 204);
		})
	);

	app.delete(
		'/:id',
		handle(async (c) => {
			const id = decodeUploadId(c.req.param('id')!);
			const caller = await backend.caller(c);
			const { info } = await store.get(id, now());
			await backend.canUpload(caller, targetOf(c, info));
			await store.exclusive(info.version, () => store.remove(info.version));
			return c.body(null, 204);
		})
	);

	return app;
}
