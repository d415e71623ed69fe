// Reading requests: JSON bodies validated with zod and mapped to GoTrue's errors (bad JSON or
// wrongly typed fields → 400 bad_json, too long → 400 validation_failed), the client IP the
// rate limits key on (X-Forwarded-For only from a trusted proxy), and the grant parameters
// recorded on sessions.
import { isIP } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { z } from 'zod';
import { badRequest } from './errors.ts';

/** Longest string field we accept; real values (emails, tokens, URLs) are far shorter. */
const MAX_FIELD = 4096;

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

/** user_metadata / app_metadata: any object; only GoTrue's 1 MB body limit bounds it. */
export const metadata = z
	.record(z.string(), z.unknown())
	.nullish()
	.transform((v) => v ?? undefined);

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

/** Addresses whose X-Forwarded-For is believed (AuthOptions.trustedProxies). */
export type ProxyTrust = { trustedProxies: ReadonlySet<string> };

/** `::ffff:127.0.0.1` (an IPv4 peer on a dual-stack socket) is 127.0.0.1. */
export function normalizeAddress(address: string): string {
	const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
	return (mapped?.[1] ?? address).toLowerCase();
}

/**
 * The client address rate limits key on. The socket's peer, unless that peer is a trusted
 * proxy (the app server, forwarding its visitor's address as Supabase's edge does): then the
 * first X-Forwarded-For entry. Anyone else could write any address there and dodge every
 * per-address limit by changing it on each request.
 */
export function clientIp(c: Context, trust: ProxyTrust): string {
	let peer = '';
	try {
		peer = normalizeAddress(getConnInfo(c).remote.address ?? '');
	} catch {
		// Not served by @hono/node-server (app.request() in a unit test): no socket.
	}
	if (!trust.trustedProxies.has(peer)) return peer;
	const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
	return forwarded ? normalizeAddress(forwarded) : peer;
}

export type GrantContext = { userAgent: string | null; ip: string | null };

export function grantContext(c: Context, trust: ProxyTrust): GrantContext {
	const ip = clientIp(c, trust);
	// auth.sessions.ip is inet: anything else (a bogus X-Forwarded-For) is not recorded.
	return { userAgent: c.req.header('user-agent') ?? null, ip: isIP(ip) ? ip : null };
}
