// Reading Storage's requests: the caller from the bearer token, object keys from the path,
// JSON bodies with Storage's validation errors, and upload bodies (multipart or raw) as
// streams with their content type, cache control and user metadata.
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { Context } from 'hono';
import type { Caller } from './db.ts';
import { ERRORS } from './errors.ts';
import { boundaryOf, readMultipart } from './multipart.ts';
import type { Tokens } from './tokens.ts';

const bearer = (c: Context) => (c.req.header('authorization') ?? '').replace(/^Bearer\s+/i, '');

/** The verified caller; AccessDenied when the token does not verify. */
export function callerOf(c: Context, tokens: Tokens): Promise<Caller> {
	return tokens.caller(bearer(c));
}

/** For routes that also serve anonymous readers: an unverifiable token is the anon role. */
export async function optionalCallerOf(
	c: Context,
	tokens: Tokens
): Promise<{ caller: Caller; authenticated: boolean }> {
	try {
		return { caller: await tokens.caller(bearer(c)), authenticated: true };
	} catch {
		return { caller: { role: 'anon', claims: { role: 'anon' } }, authenticated: false };
	}
}

/**
 * The bucket and key after `prefix` (e.g. '/storage/v1/object/public/'), decoded: the key is
 * everything after the bucket, slashes included. A key that does not decode is InvalidKey.
 */
export function bucketAndKey(c: Context, prefix: string): { bucket: string; key: string } {
	const path = new URL(c.req.url).pathname;
	const rest = path.slice(path.indexOf(prefix) + prefix.length);
	const slash = rest.indexOf('/');
	const rawBucket = slash === -1 ? rest : rest.slice(0, slash);
	const rawKey = slash === -1 ? '' : rest.slice(slash + 1);
	try {
		return { bucket: decodeURIComponent(rawBucket), key: decodeURIComponent(rawKey) };
	} catch {
		throw ERRORS.invalidKey(rawKey);
	}
}

/** A JSON object body; Storage's 400 InvalidRequest when it is not one. */
export async function jsonBody(
	c: Context,
	{ optional = false } = {}
): Promise<Record<string, unknown>> {
	const text = await c.req.text();
	if (!text.trim()) {
		if (optional) return {};
		throw ERRORS.invalidRequest('body must be object');
	}
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		throw ERRORS.invalidRequest('Body is not valid JSON');
	}
	if (!value || typeof value !== 'object' || Array.isArray(value)) {
		throw ERRORS.invalidRequest('body must be object');
	}
	return value as Record<string, unknown>;
}

/** Field checks in the words of Storage's schema validation (`body/limit must be integer`). */
export const field = {
	string(body: Record<string, unknown>, name: string, required = false): string | undefined {
		const value = body[name];
		if (value === undefined || value === null) {
			if (required) throw ERRORS.invalidRequest(`body must have required property '${name}'`);
			return undefined;
		}
		if (typeof value !== 'string') throw ERRORS.invalidRequest(`body/${name} must be string`);
		return value;
	},
	integer(body: Record<string, unknown>, name: string, min: number, required = false) {
		const value = body[name];
		if (value === undefined || value === null) {
			if (required) throw ERRORS.invalidRequest(`body must have required property '${name}'`);
			return undefined;
		}
		if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
			throw ERRORS.invalidRequest(`body/${name} must be integer`);
		}
		if (value < min) throw ERRORS.invalidRequest(`body/${name} must be >= ${min}`);
		return value;
	},
	strings(body: Record<string, unknown>, name: string, required = false) {
		const value = body[name];
		if (value === undefined || value === null) {
			if (required) throw ERRORS.invalidRequest(`body must have required property '${name}'`);
			return undefined;
		}
		if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
			throw ERRORS.invalidRequest(`body/${name} must be array`);
		}
		return value as string[];
	}
};

export type UploadBody = {
	body: Readable;
	mimeType: string;
	cacheControl: string;
	declaredSize?: number;
	userMetadata: Record<string, unknown> | null;
};

/** The request body as a stream, straight from the socket when the server gives it. */
function rawBody(c: Context): Readable {
	const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
	if (incoming && !incoming.readableDidRead) return incoming;
	const web = c.req.raw.body;
	if (!web) return Readable.from([]);
	return Readable.fromWeb(web as import('node:stream/web').ReadableStream);
}

function parseJson(text: string | undefined): Record<string, unknown> | null {
	if (!text) return null;
	try {
		const value = JSON.parse(text) as unknown;
		return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
	} catch {
		return null;
	}
}

/** An upload's bytes and what describes them, as Storage reads them (multipart or raw). */
export async function uploadBody(c: Context): Promise<UploadBody> {
	const contentType = c.req.header('content-type') ?? '';
	if (contentType.toLowerCase().startsWith('multipart/form-data')) {
		const boundary = boundaryOf(contentType);
		if (!boundary) throw ERRORS.noContentProvided('Multipart: Boundary not found');
		const { fields, file } = await readMultipart(rawBody(c), boundary);
		if (!file) throw ERRORS.noContentProvided();
		return {
			body: file.stream,
			mimeType: fields.contentType || file.mimeType,
			cacheControl: fields.cacheControl ? `max-age=${fields.cacheControl}` : 'no-cache',
			userMetadata: parseJson(fields.metadata ?? fields.userMetadata)
		};
	}
	const length = c.req.header('content-length');
	const metadata = c.req.header('x-metadata');
	return {
		body: rawBody(c),
		mimeType: contentType || 'application/octet-stream',
		cacheControl: c.req.header('cache-control') ?? 'no-cache',
		declaredSize: length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined,
		userMetadata: metadata ? parseJson(Buffer.from(metadata, 'base64').toString('utf8')) : null
	};
}
