// Reading requests: JSON bodies validated with zod and mapped to GoTrue's errors (bad JSON or
// wrongly typed fields → 400 bad_json, too long → 400 validation_failed), the client IP the
// rate limits key on, and the grant parameters recorded on sessions.
import { isIP } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { z } from 'zod';
import { badRequest } from './errors.ts';

/** Longest string field we accept; real values (emails, tokens, URLs) are far shorter. */
const MAX_FIELD = 4096;
/** user_metadata / app_metadata end up in every access token, so keep them small. */
export const MAX_METADATA_BYTES = 16 * 1024;

/** A string field as GoTrue reads it: absent or null means "". */
export const field = (max = MAX_FIELD) =>
	z
		.string()
		.max(max)
		.nullish()
		.transform((v) => v ?? '');

/** A string that may be absent (null/undefined) and is distinct from "" (e.g. a new password). */
export const optionalField = (max = MAX_FIELD) =>
	z
		.string()
		.max(max)
		.nullish()
		.transform((v) => v ?? undefined);

export const metadata = z
	.record(z.string(), z.unknown())
	.nullish()
	.transform((v) => v ?? undefined)
	.refine((v) => v === undefined || JSON.stringify(v).length <= MAX_METADATA_BYTES, {
		message: `must be at most ${MAX_METADATA_BYTES} bytes of JSON`
	});

export const flag = z
	.boolean()
	.nullish()
	.transform((v) => v ?? undefined);

export async function readJson<S extends z.ZodType>(
	c: Context,
	schema: S,
	opts: { allowEmpty?: boolean } = {}
): Promise<z.output<S>> {
	const raw = await c.req.text();
	let body: unknown;
	if (raw.trim() === '') {
		if (!opts.allowEmpty) throw badJson('unexpected end of JSON input');
		body = {};
	} else {
		try {
			body = JSON.parse(raw);
		} catch (error) {
			throw badJson(error instanceof Error ? error.message : 'invalid JSON');
		}
	}
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		throw badJson('the request body must be a JSON object');
	}
	const result = schema.safeParse(body);
	if (result.success) return result.data;
	const issue = result.error.issues[0];
	const path = issue?.path.map(String).join('.') || 'body';
	if (issue?.code === 'invalid_type') {
		throw badJson(
			`field "${path}" must be ${issue.expected === 'record' ? 'an object' : `a ${issue.expected}`}`
		);
	}
	if (issue?.code === 'too_big') {
		throw badRequest(
			'validation_failed',
			`${path} is too long (at most ${String(issue.maximum)} characters)`
		);
	}
	throw badRequest('validation_failed', `${path}: ${issue?.message ?? 'invalid value'}`);
}

function badJson(reason: string) {
	return badRequest('bad_json', `Could not parse request body as JSON: ${reason}`);
}

/**
 * The client address rate limits key on: the first X-Forwarded-For entry when a proxy (the
 * app server) forwards one, as Supabase's edge does, else the socket's peer.
 */
export function clientIp(c: Context): string {
	const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
	if (forwarded) return forwarded;
	try {
		return getConnInfo(c).remote.address ?? '';
	} catch {
		return '';
	}
}

export type GrantContext = { userAgent: string | null; ip: string | null };

export function grantContext(c: Context): GrantContext {
	const ip = clientIp(c);
	// auth.sessions.ip is inet: anything else (a bogus X-Forwarded-For) is not recorded.
	return { userAgent: c.req.header('user-agent') ?? null, ip: isIP(ip) ? ip : null };
}
