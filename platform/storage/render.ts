// Serving an object as Storage's renderers do (src/storage/renderer): the bytes streamed from
// disk with Content-Type, ETag, Last-Modified, Cache-Control (or Expires for a signed URL),
// Accept-Ranges and Content-Disposition for ?download=; 206 for a Range, 304 when the
// client's copy is current; a HEAD gets the headers only; info gets the JSON description.
import { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { Context } from 'hono';
import type { ObjectRow } from './db.ts';
import type { Disk } from './disk.ts';
import { ERRORS } from './errors.ts';

export type RenderOptions = {
	download?: string;
	/** A signed URL's expiry, sent as Expires instead of the object's Cache-Control. */
	expires?: Date;
};

/** What Storage answers when a row has no bytes behind it. */
const missingBytes = () =>
	new Response(
		JSON.stringify({
			error: 'Not found',
			message: 'The resource was not found',
			statusCode: '404',
			code: 'NoSuchKey'
		}),
		{ status: 400, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } }
	);

/** Storage's Range parsing: one `bytes=a-b`, `a-` or `-n` range, 416 otherwise. */
export function parseRange(header: string, size: number): { start: number; end: number } {
	const match = /^bytes=(\d*)-(\d*)$/.exec(header);
	if (!match || size <= 0 || (!match[1] && !match[2])) throw ERRORS.invalidRange();
	if (!match[1]) {
		const suffix = Number(match[2]);
		if (!Number.isSafeInteger(suffix) || suffix <= 0) throw ERRORS.invalidRange();
		return { start: Math.max(size - suffix, 0), end: size - 1 };
	}
	const start = Number(match[1]);
	const end = match[2] ? Number(match[2]) : size - 1;
	if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start || start >= size) {
		throw ERRORS.invalidRange();
	}
	return { start, end: Math.min(end, size - 1) };
}

function contentDisposition(download: string | undefined): string | undefined {
	if (download === undefined) return undefined;
	if (download === '') return 'attachment;';
	const name = encodeURIComponent(download);
	return `attachment; filename=${name}; filename*=UTF-8''${name}`;
}

export async function renderObject(
	c: Context,
	disk: Disk,
	row: ObjectRow,
	options: RenderOptions = {}
): Promise<Response> {
	const size = row.version ? await disk.size(row.version) : null;
	if (size === null || !row.version) return missingBytes();
	const meta = row.metadata;
	const eTag = meta?.eTag ?? `"${row.version}"`;
	const lastModified = new Date(meta?.lastModified ?? row.updated_at);
	const headers = new Headers({
		'Accept-Ranges': 'bytes',
		// Storage never serves HTML as HTML from a bucket.
		'Content-Type': meta?.mimetype?.includes('text/html')
			? 'text/plain'
			: (meta?.mimetype ?? 'application/octet-stream'),
		ETag: eTag,
		'X-Robots-Tag': 'none',
		'Last-Modified': lastModified.toUTCString()
	});
	if (options.expires) headers.set('Expires', options.expires.toUTCString());
	else if (meta?.cacheControl) headers.set('Cache-Control', meta.cacheControl);
	const disposition = contentDisposition(options.download);
	if (disposition) headers.set('Content-Disposition', disposition);

	const ifNoneMatch = c.req.header('if-none-match');
	const ifModifiedSince = c.req.header('if-modified-since');
	const notModified = ifNoneMatch
		? ifNoneMatch === eTag || ifNoneMatch.split(/\s*,\s*/).includes(eTag)
		: ifModifiedSince !== undefined &&
			!Number.isNaN(Date.parse(ifModifiedSince)) &&
			Math.floor(lastModified.getTime() / 1000) <= Math.floor(Date.parse(ifModifiedSince) / 1000);
	if (notModified) return new Response(null, { status: 304, headers });

	const rangeHeader = c.req.header('range');
	const range = rangeHeader ? parseRange(rangeHeader, size) : undefined;
	const length = range ? range.end - range.start + 1 : size;
	headers.set('Content-Length', String(length));
	if (range) headers.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
	const status = range ? 206 : 200;
	if (c.req.raw.method === 'HEAD') return new Response(null, { status, headers });
	const outgoing = (c.env as { outgoing?: unknown } | undefined)?.outgoing;
	if (isNodeResponse(outgoing) && !outgoing.headersSent) {
		return sendDirect(c, outgoing, disk, { version: row.version, range }, status, headers);
	}
	const stream = disk.read(row.version, range);
	return new Response(Readable.toWeb(stream) as ReadableStream, { status, headers });
}

const isNodeResponse = (value: unknown): value is ServerResponse => value instanceof ServerResponse;

/**
 * Writes the file straight into Node's response when the node server is underneath: a
 * Response body would take every megabyte through a web stream and back into the socket,
 * which cost two thirds of the download's speed (bench:storage); the disk sends it in reused
 * blocks (disk.ts). The headers the gateway's middleware set before the handler ran (CORS)
 * are sent along; the node server is told the response is already out (its
 * x-hono-already-sent header).
 */
function sendDirect(
	c: Context,
	outgoing: ServerResponse,
	disk: Disk,
	bytes: { version: string; range?: { start: number; end: number } },
	status: number,
	headers: Headers
): Response {
	const head: Record<string, string> = {};
	for (const [name, value] of c.res.headers) head[name] = value;
	for (const [name, value] of headers) head[name] = value;
	outgoing.writeHead(status, head);
	// A client that goes away mid-download ends the sending with an error: nothing to answer.
	// A file that cannot be read after the head went out can only cut the response short.
	disk.send(bytes.version, bytes.range, outgoing).catch(() => outgoing.destroy());
	const sent = new Response(null, { headers: { 'x-hono-already-sent': 'true' } });
	// Reading .body takes it (and hono's copies of it) out of the node server's cache path,
	// which would write a second head.
	void sent.body;
	return sent;
}

/** The headers of an object without its bytes (HEAD /object/…): Storage's head renderer. */
export function renderHead(row: ObjectRow): Response {
	const meta = row.metadata;
	const headers = new Headers({
		'Accept-Ranges': 'bytes',
		'Content-Type': meta?.mimetype ?? 'application/octet-stream',
		ETag: meta?.eTag ?? '',
		'Last-Modified': new Date(meta?.lastModified ?? row.updated_at).toUTCString(),
		'Content-Length': String(meta?.size ?? 0)
	});
	if (meta?.cacheControl) headers.set('Cache-Control', meta.cacheControl);
	return new Response(null, { status: 200, headers });
}

/** GET /object/info/…: the object described in JSON, as Storage's info renderer writes it. */
export function renderInfo(c: Context, row: ObjectRow): Response {
	const meta = row.metadata;
	if (meta?.eTag) c.header('ETag', meta.eTag);
	if (meta?.cacheControl) c.header('Cache-Control', meta.cacheControl);
	if (meta?.lastModified) c.header('Last-Modified', new Date(meta.lastModified).toUTCString());
	return c.json({
		id: row.id,
		name: row.name,
		version: row.version,
		bucket_id: row.bucket_id,
		size: meta?.size ?? null,
		content_type: meta?.mimetype ?? null,
		cache_control: meta?.cacheControl ?? null,
		etag: meta?.eTag ?? null,
		metadata: row.user_metadata,
		last_modified: row.updated_at,
		created_at: row.created_at
	});
}
