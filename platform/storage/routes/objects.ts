// /storage/v1/object: uploads, downloads, info, list, move, copy, remove and signed URLs.
// Specific paths are registered before `/object/:bucket/*`, as Storage routes them.
import { Hono, type Context } from 'hono';
import type { Caller } from '../db.ts';
import { ERRORS } from '../errors.ts';
import type { StorageContext } from '../index.ts';
import * as objects from '../objects.ts';
import { renderHead, renderInfo, renderObject } from '../render.ts';
import { signedTransformations } from './render-image.ts';
import {
	bucketAndKey,
	callerOf,
	field,
	jsonBody,
	optionalCallerOf,
	uploadBody
} from '../request.ts';
import { canUpload, uploadObject } from '../uploads.ts';

const P = '/storage/v1/object/';
/** Storage's default lifetime of a signed upload URL: two hours. */
const SIGNED_UPLOAD_EXPIRES_IN = 7200;

export function objectRoutes(ctx: StorageContext): Hono {
	const app = new Hono();
	const signDeps = {
		...ctx,
		signDownload: (url: string, expiresIn: number, transformations?: string) =>
			ctx.tokens.signDownload(url, expiresIn, transformations)
	};

	/** Uploads the request's body as `caller`; the multipart stream is closed on refusal. */
	async function upload(c: Context, prefix: string, caller: Caller, upsert: boolean) {
		const { bucket, key } = bucketAndKey(c, prefix);
		const body = await uploadBody(c);
		try {
			const row = await uploadObject(
				ctx,
				{ bucketId: bucket, objectName: key, caller, upsert, ...body },
				body.body
			);
			return { row, path: `${bucket}/${key}` };
		} catch (error) {
			if (body.body !== (c.env as { incoming?: unknown } | undefined)?.incoming) {
				body.body.destroy();
			}
			throw error;
		}
	}

	app.post('/object/move', async (c) => {
		const caller = await callerOf(c, ctx.tokens);
		const body = await jsonBody(c);
		const bucketId = field.string(body, 'bucketId', true)!;
		const moved = await objects.move(ctx, caller, {
			bucketId,
			sourceKey: field.string(body, 'sourceKey', true)!,
			destinationKey: field.string(body, 'destinationKey', true)!,
			destinationBucket: field.string(body, 'destinationBucket') || bucketId
		});
		return c.json({ message: 'Successfully moved', Id: moved.id, Key: moved.name });
	});

	app.post('/object/copy', async (c) => {
		const caller = await callerOf(c, ctx.tokens);
		const body = await jsonBody(c);
		const bucketId = field.string(body, 'bucketId', true)!;
		const destinationBucket = field.string(body, 'destinationBucket') || bucketId;
		const destinationKey = field.string(body, 'destinationKey', true)!;
		const metadata = body.metadata as { cacheControl?: string; mimetype?: string } | undefined;
		const userMetadata = c.req.header('x-metadata');
		const row = await objects.copy(ctx, caller, {
			bucketId,
			sourceKey: field.string(body, 'sourceKey', true)!,
			destinationBucket,
			destinationKey,
			upsert: c.req.header('x-upsert') === 'true',
			copyMetadata: body.copyMetadata !== false,
			metadata: metadata && typeof metadata === 'object' ? metadata : undefined,
			userMetadata: userMetadata
				? (JSON.parse(Buffer.from(userMetadata, 'base64').toString('utf8')) as Record<
						string,
						unknown
					>)
				: undefined
		});
		return c.json({ Id: row.id, Key: `${destinationBucket}/${destinationKey}`, ...row });
	});

	app.post('/object/list/:bucket', async (c) => {
		const caller = await callerOf(c, ctx.tokens);
		const body = await jsonBody(c);
		const sortBy = body.sortBy as { column?: unknown; order?: unknown } | undefined;
		if (sortBy !== undefined && (typeof sortBy !== 'object' || sortBy === null)) {
			throw ERRORS.invalidRequest('body/sortBy must be object');
		}
		if (
			sortBy?.column !== undefined &&
			!['name', 'updated_at', 'created_at', 'last_accessed_at'].includes(sortBy.column as string)
		) {
			throw ERRORS.invalidRequest('body/sortBy/column must be equal to one of the allowed values');
		}
		if (sortBy?.order !== undefined && !['asc', 'desc'].includes(sortBy.order as string)) {
			throw ERRORS.invalidRequest('body/sortBy/order must be equal to one of the allowed values');
		}
		return c.json(
			await objects.list(ctx, caller, c.req.param('bucket'), {
				prefix: field.string(body, 'prefix', true)!,
				limit: field.integer(body, 'limit', 1),
				offset: field.integer(body, 'offset', 0),
				search: field.string(body, 'search'),
				sortBy: sortBy as { column?: string; order?: string } | undefined
			})
		);
	});

	app.post('/object/sign/:bucket', async (c) => {
		const caller = await callerOf(c, ctx.tokens);
		const body = await jsonBody(c);
		const expiresIn = field.integer(body, 'expiresIn', 1, true)!;
		const paths = field.strings(body, 'paths', true)!;
		if (paths.length === 0)
			throw ERRORS.invalidRequest('body/paths must NOT have fewer than 1 items');
		return c.json(
			await objects.signUrls(signDeps, caller, c.req.param('bucket'), paths, expiresIn)
		);
	});

	app.post('/object/sign/*', async (c) => {
		const caller = await callerOf(c, ctx.tokens);
		const { bucket, key } = bucketAndKey(c, `${P}sign/`);
		const body = await jsonBody(c);
		const expiresIn = field.integer(body, 'expiresIn', 1, true)!;
		const transformations = signedTransformations(body.transform);
		return c.json({
			signedURL: await objects.signUrl(signDeps, caller, bucket, key, expiresIn, transformations)
		});
	});

	app.get('/object/sign/*', async (c) => {
		const { bucket, key } = bucketAndKey(c, `${P}sign/`);
		const token = c.req.query('token');
		if (!token) throw ERRORS.invalidRequest("querystring must have required property 'token'");
		const payload = await ctx.tokens.verifySigned(token, `${bucket}/${key}`, 'download');
		const row = await objects.objectToRead(ctx, bucket, key, { kind: 'signed' });
		return renderObject(c, ctx.disk, row, {
			download: c.req.query('download'),
			expires: new Date(payload.exp * 1000)
		});
	});

	app.post('/object/upload/sign/*', async (c) => {
		const caller = await callerOf(c, ctx.tokens);
		const { bucket, key } = bucketAndKey(c, `${P}upload/sign/`);
		const upsert = c.req.header('x-upsert') === 'true';
		await canUpload(ctx, { bucketId: bucket, objectName: key, caller, upsert });
		const url = `${bucket}/${key}`;
		const token = await ctx.tokens.signUpload(url, SIGNED_UPLOAD_EXPIRES_IN, caller.sub, upsert);
		return c.json({ url: `/object/upload/sign/${url}?token=${token}`, token });
	});

	app.put('/object/upload/sign/*', async (c) => {
		const { bucket, key } = bucketAndKey(c, `${P}upload/sign/`);
		const token = c.req.query('token');
		if (!token) throw ERRORS.invalidRequest("querystring must have required property 'token'");
		const payload = await ctx.tokens.verifySigned(token, `${bucket}/${key}`, 'upload');
		// The token is the permission (RLS was asked when it was made): write as Storage's super
		// user, owned by whoever asked for the URL.
		const caller: Caller = {
			role: 'service_role',
			claims: { role: 'service_role' },
			sub: payload.owner
		};
		const { path } = await upload(c, `${P}upload/sign/`, caller, payload.upsert);
		return c.json({ Key: path });
	});

	const read =
		(prefix: string, access: (c: Context) => Promise<objects.ReadAccess>) => async (c: Context) => {
			const { bucket, key } = bucketAndKey(c, prefix);
			const row = await objects.objectToRead(ctx, bucket, key, await access(c));
			if (c.req.raw.method === 'HEAD') return renderHead(row);
			return renderObject(c, ctx.disk, row, { download: c.req.query('download') });
		};
	const asCaller = async (c: Context): Promise<objects.ReadAccess> => ({
		kind: 'caller',
		caller: await callerOf(c, ctx.tokens),
		authenticated: true
	});
	const asAnyone = async (c: Context): Promise<objects.ReadAccess> => ({
		kind: 'caller',
		...(await optionalCallerOf(c, ctx.tokens))
	});
	const asPublic = (): Promise<objects.ReadAccess> => Promise.resolve({ kind: 'public' });

	app.get('/object/public/*', read(`${P}public/`, asPublic));
	app.get('/object/authenticated/*', read(`${P}authenticated/`, asCaller));

	const info =
		(prefix: string, access: (c: Context) => Promise<objects.ReadAccess>) => async (c: Context) => {
			const { bucket, key } = bucketAndKey(c, prefix);
			return renderInfo(c, await objects.objectToRead(ctx, bucket, key, await access(c)));
		};
	app.get('/object/info/public/*', info(`${P}info/public/`, asPublic));
	app.get('/object/info/authenticated/*', info(`${P}info/authenticated/`, asCaller));
	app.get('/object/info/*', info(`${P}info/`, asAnyone));

	app.post('/object/*', async (c) => {
		const caller = await callerOf(c, ctx.tokens);
		const { row, path } = await upload(c, P, caller, c.req.header('x-upsert') === 'true');
		return c.json({ Id: row.id, Key: path });
	});
	app.put('/object/*', async (c) => {
		const caller = await callerOf(c, ctx.tokens);
		const { row, path } = await upload(c, P, caller, true);
		return c.json({ Id: row.id, Key: path });
	});

	app.delete('/object/:bucket', async (c) => {
		const caller = await callerOf(c, ctx.tokens);
		const prefixes = field.strings(await jsonBody(c), 'prefixes', true)!;
		if (prefixes.length === 0) {
			throw ERRORS.invalidRequest('body/prefixes must NOT have fewer than 1 items');
		}
		return c.json(await objects.remove(ctx, caller, c.req.param('bucket'), prefixes));
	});
	app.delete('/object/*', async (c) => {
		const caller = await callerOf(c, ctx.tokens);
		const { bucket, key } = bucketAndKey(c, P);
		await objects.removeOne(ctx, caller, bucket, key);
		return c.json({ message: 'Successfully deleted' });
	});

	app.get('/object/*', read(P, asAnyone));
	return app;
}
