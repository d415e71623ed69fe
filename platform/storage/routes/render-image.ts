// /storage/v1/render/image: an object's image transformed (platform/storage/transform.ts), as
// Storage serves it (src/http/routes/render in supabase/storage):
//
//   GET /render/image/authenticated/<bucket>/<key>?width&height&resize&format&quality&download
//   GET /render/image/public/<bucket>/<key>?…      (public buckets only)
//   GET /render/image/sign/<bucket>/<key>?token=…  (the transformations are in the token)
//
// A transformation is allowed exactly when the download is: the object is found by the same
// step the /object routes use, with the same access (the caller under RLS, a public bucket, a
// signed token), so there is no way to see an image through here that could not be downloaded.
import { Readable } from 'node:stream';
import { Hono, type Context } from 'hono';
import type { ObjectRow } from '../db.ts';
import { ERRORS } from '../errors.ts';
import type { StorageContext } from '../index.ts';
import * as objects from '../objects.ts';
import { bucketAndKey, callerOf } from '../request.ts';
import {
	parseSignedTransformations,
	readTransformQuery,
	signedTransformationsOf,
	transformImage,
	TransformError,
	type TransformOptions
} from '../transform.ts';

const P = '/storage/v1/render/image/';

function contentDisposition(download: string | undefined): string | undefined {
	if (download === undefined) return undefined;
	if (download === '') return 'attachment;';
	const name = encodeURIComponent(download);
	return `attachment; filename=${name}; filename*=UTF-8''${name}`;
}

/** A createSignedUrl body's `transform`, as the transformations its token will carry. */
export function signedTransformations(transform: unknown): string | undefined {
	try {
		return signedTransformationsOf(transform);
	} catch (error) {
		if (error instanceof TransformError) throw ERRORS.invalidRequest(error.message);
		throw error;
	}
}

function queryOptions(c: Context): TransformOptions {
	try {
		return readTransformQuery(new URL(c.req.url).searchParams);
	} catch (error) {
		if (error instanceof TransformError) throw ERRORS.invalidRequest(error.message);
		throw error;
	}
}

export function renderRoutes(ctx: StorageContext): Hono {
	const app = new Hono();

	async function render(
		c: Context,
		row: ObjectRow,
		options: TransformOptions,
		expires?: Date
	): Promise<Response> {
		if (!row.version || (await ctx.disk.size(row.version)) === null) throw ERRORS.noSuchKey();
		let result;
		try {
			result = await transformImage(ctx.disk.read(row.version), options, {
				accept: c.req.header('accept')
			});
		} catch (error) {
			// imgproxy's refusals (not an image, too large) in Storage's words and status.
			if (error instanceof TransformError) throw ERRORS.invalidRequest(error.message);
			throw error;
		}
		const meta = row.metadata;
		const headers = new Headers({
			'Accept-Ranges': 'bytes',
			'Content-Type': result.contentType,
			'Content-Length': String(result.contentLength),
			'X-Robots-Tag': 'none',
			'Last-Modified': new Date(meta?.lastModified ?? row.updated_at).toUTCString()
		});
		if (meta?.eTag) headers.set('ETag', meta.eTag);
		if (expires) headers.set('Expires', expires.toUTCString());
		else if (meta?.cacheControl) headers.set('Cache-Control', meta.cacheControl);
		if (result.transformations.length > 0) {
			headers.set('X-Transformations', result.transformations.join(','));
		}
		const disposition = contentDisposition(c.req.query('download'));
		if (disposition) headers.set('Content-Disposition', disposition);
		return new Response(Readable.toWeb(result.body) as ReadableStream, { status: 200, headers });
	}

	app.get('/render/image/authenticated/*', async (c) => {
		const { bucket, key } = bucketAndKey(c, `${P}authenticated/`);
		const options = queryOptions(c);
		const caller = await callerOf(c, ctx.tokens);
		const row = await objects.objectToRead(ctx, bucket, key, {
			kind: 'caller',
			caller,
			authenticated: true
		});
		return render(c, row, options);
	});

	app.get('/render/image/public/*', async (c) => {
		const { bucket, key } = bucketAndKey(c, `${P}public/`);
		const options = queryOptions(c);
		const row = await objects.objectToRead(ctx, bucket, key, { kind: 'public' });
		return render(c, row, options);
	});

	app.get('/render/image/sign/*', async (c) => {
		const { bucket, key } = bucketAndKey(c, `${P}sign/`);
		const token = c.req.query('token');
		if (!token) throw ERRORS.invalidRequest("querystring must have required property 'token'");
		const payload = await ctx.tokens.verifySigned(token, `${bucket}/${key}`, 'download');
		const row = await objects.objectToRead(ctx, bucket, key, { kind: 'signed' });
		const transformations = (payload as { transformations?: unknown }).transformations;
		return render(
			c,
			row,
			parseSignedTransformations(typeof transformations === 'string' ? transformations : ''),
			new Date(payload.exp * 1000)
		);
	});

	return app;
}
