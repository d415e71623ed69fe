// /storage/v1/bucket: create, list, get, update, empty, delete.
import { Hono } from 'hono';
import * as buckets from '../buckets.ts';
import { ERRORS } from '../errors.ts';
import type { StorageContext } from '../index.ts';
import { callerOf, field, jsonBody } from '../request.ts';

function settings(body: Record<string, unknown>): buckets.BucketSettings {
	const isPublic = body.public;
	if (isPublic !== undefined && typeof isPublic !== 'boolean') {
		throw ERRORS.invalidRequest('body/public must be boolean');
	}
	const limit = body.file_size_limit;
	if (
		limit !== undefined &&
		limit !== null &&
		typeof limit !== 'number' &&
		typeof limit !== 'string'
	) {
		throw ERRORS.invalidRequest('body/file_size_limit must be integer,string');
	}
	const types = body.allowed_mime_types;
	if (types !== undefined && types !== null && !Array.isArray(types)) {
		throw ERRORS.invalidRequest('body/allowed_mime_types must be array');
	}
	return {
		public: isPublic,
		file_size_limit: limit,
		allowed_mime_types: types === null ? null : field.strings(body, 'allowed_mime_types')
	};
}

const queryInt = (value: string | undefined, name: string, min: number) => {
	if (value === undefined) return undefined;
	if (!/^\d+$/.test(value) || Number(value) < min) {
		throw ERRORS.invalidRequest(`querystring/${name} must be integer`);
	}
	return Number(value);
};

export function bucketRoutes(ctx: StorageContext): Hono {
	const app = new Hono();
	app.post('/bucket', async (c) => {
		const caller = await callerOf(c, ctx.tokens);
		const body = await jsonBody(c);
		const name = field.string(body, 'name', true)!;
		const id = field.string(body, 'id');
		return c.json(await buckets.create(ctx, caller, { ...settings(body), id, name }));
	});
	app.get('/bucket', async (c) => {
		const caller = await callerOf(c, ctx.tokens);
		return c.json(
			await buckets.list(ctx, caller, {
				limit: queryInt(c.req.query('limit'), 'limit', 1),
				offset: queryInt(c.req.query('offset'), 'offset', 0),
				sortColumn: c.req.query('sortColumn'),
				sortOrder: c.req.query('sortOrder'),
				search: c.req.query('search')
			})
		);
	});
	app.get('/bucket/:id', async (c) => {
		const caller = await callerOf(c, ctx.tokens);
		return c.json(await buckets.get(ctx, caller, c.req.param('id')));
	});
	app.put('/bucket/:id', async (c) => {
		const caller = await callerOf(c, ctx.tokens);
		await buckets.update(ctx, caller, c.req.param('id'), settings(await jsonBody(c)));
		return c.json({ message: 'Successfully updated' });
	});
	app.post('/bucket/:id/empty', async (c) => {
		const caller = await callerOf(c, ctx.tokens);
		await buckets.empty(ctx, caller, c.req.param('id'));
		return c.json({ message: 'Successfully emptied' });
	});
	app.delete('/bucket/:id', async (c) => {
		const caller = await callerOf(c, ctx.tokens);
		await buckets.remove(ctx, caller, c.req.param('id'));
		return c.json({ message: 'Successfully deleted' });
	});
	return app;
}
