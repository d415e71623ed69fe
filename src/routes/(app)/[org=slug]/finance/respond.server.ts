// What the finance routes share at their edge: domain and database errors as
// HTTP errors or form failures with the field at fault.
import { error } from '@sveltejs/kit';
import { mapDbError } from '$lib/server/db';
import * as finance from '$lib/server/finance';

/** For loads and endpoints: a known error as an HTTP error (thrown); anything else rethrown. */
export function throwHttp(e: unknown): never {
	if (e instanceof finance.DocumentNotFoundError) error(404, e.message);
	if (e instanceof finance.DocumentCursorError) error(400, e.message);
	const mapped = mapDbError(e);
	if (mapped) error(mapped.status, mapped.message);
	throw e;
}
