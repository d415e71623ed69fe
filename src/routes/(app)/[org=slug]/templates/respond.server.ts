// What the template routes share at their edge: domain and database errors as
// statuses and words.
import { error } from '@sveltejs/kit';
import { mapDbError, NOT_ALLOWED } from '$lib/server/db';
import * as templates from '$lib/server/templates';
import type { TemplateIssue } from '$lib/templates/validate';

type Status = 400 | 403 | 404 | 409 | 422;

export function describeError(
	e: unknown
): { status: Status; message: string; field?: string; issues?: TemplateIssue[] } | null {
	if (e instanceof templates.TemplateNotFoundError) return { status: 404, message: e.message };
	if (e instanceof templates.TemplateReadOnlyError) return { status: 403, message: e.message };
	if (e instanceof templates.TemplateInvalidError)
		return { status: 422, message: e.message, issues: e.issues };
	const db = mapDbError(e);
	if (!db) return null;
	return {
		status: db.status,
		message: db.status === 403 ? NOT_ALLOWED : db.message,
		field: db.field
	};
}

/** For loads and endpoints: a known error as an HTTP error; anything else rethrown. */
export function throwHttp(e: unknown): never {
	const known = describeError(e);
	if (!known) throw e;
	error(known.status, known.message);
}
