// Requests no route can make sense of, refused once at the edge with a 400 that
// names the field, instead of a 500 from deep inside: a NUL character (Postgres
// text cannot hold one: error 22021 from any query that receives it), a form
// body that does not parse (a broken multipart upload), a header that is not
// valid percent-encoding.
import { error, type RequestEvent } from '@sveltejs/kit';
import type { z } from 'zod';

const NUL = '\u0000';

/** Content types SvelteKit hands to form actions; their bodies are read with formData(). */
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/** What is wrong with the address (path or query string), or null. */
export function urlProblem(url: URL): string | null {
	let path: string;
	try {
		path = decodeURIComponent(url.pathname);
	} catch {
		return null; // SvelteKit answers a malformed path with its own 400.
	}
	if (path.includes(NUL)) return 'The address contains a NUL character, which is not allowed.';
	for (const [name, value] of url.searchParams) {
		if (name.includes(NUL) || value.includes(NUL))
			return `The address parameter "${name.replaceAll(NUL, '')}" contains a NUL character, which is not allowed.`;
	}
	return null;
}

function isForm(request: Request): boolean {
	const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
	return request.method !== 'GET' && request.method !== 'HEAD' && FORM_TYPES.includes(type ?? '');
}

/**
 * What is wrong with a form body, or null. Reads a copy, so the route still
 * reads the body itself (as superforms and direct `formData()` calls do).
 */
export async function formProblem(request: Request): Promise<string | null> {
	if (!isForm(request)) return null;
	let data: FormData;
	try {
		data = await request.clone().formData();
	} catch {
		return 'The form could not be read: the request body is malformed. Reload the page and try again.';
	}
	for (const [name, value] of data) {
		const text = typeof value === 'string' ? value : value.name;
		if (name.includes(NUL) || text.includes(NUL))
			return `The field "${name.replaceAll(NUL, '')}" contains a NUL character, which cannot be stored. Remove it and try again.`;
	}
	return null;
}

/**
 * Refuses the request with a 400: as a form action's error when the page's
 * `use:enhance` sent it (it expects that shape), else as SvelteKit's own error
 * (its error page, or JSON for a client that asks for JSON).
 */
export function refuse(event: RequestEvent, message: string): Response {
	if (event.request.headers.get('x-sveltekit-action') === 'true') {
		return Response.json(
			{ type: 'error', error: { message } },
			{ status: 400, headers: { 'cache-control': 'no-store' } }
		);
	}
	error(400, message);
}

/** A percent-encoded header (a file name sent by the uploader), decoded; a 400 when it is not valid. */
export function decodedHeader(request: Request, name: string): string {
	const raw = request.headers.get(name) ?? '';
	let value: string;
	try {
		value = decodeURIComponent(raw);
	} catch {
		error(400, `The ${name} header is not valid percent-encoding.`);
	}
	if (value.includes(NUL)) error(400, `The ${name} header contains a NUL character.`);
	return value;
}

/**
 * A query string read with a schema; a value it refuses (a cursor too long to
 * be one of ours) is a 400 naming the parameter, not an exception.
 */
export function parseQuery<T extends z.ZodType>(
	schema: T,
	query: Record<string, string>
): z.output<T> {
	const parsed = schema.safeParse(query);
	if (parsed.success) return parsed.data;
	const issue = parsed.error.issues[0];
	const name = issue?.path.join('.') || 'the query string';
	error(400, `The address parameter "${name}" is not valid: ${issue?.message ?? 'wrong format'}.`);
}
