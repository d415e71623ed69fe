// Database failures as form answers: a field error when the failure names a
// field of the form, else a message above the form, with the mapped status.
import type { ActionFailure } from '@sveltejs/kit';
import { message, setError } from 'sveltekit-superforms';
import type { FormPathLeavesWithErrors, SuperValidated } from 'sveltekit-superforms';
import type { FormMessage } from '$lib/forms';
import { mapDbError } from './errors';

type Form<T extends Record<string, unknown>> = SuperValidated<T, FormMessage>;
type Failure<T extends Record<string, unknown>> = ActionFailure<{ form: Form<T> }>;

export const NOT_ALLOWED = 'You do not have permission to do that.';

const camelCase = (column: string) =>
	column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Answers a form with a database error (mapDbError); rethrows anything else.
 * `fieldMessages` words generic failures (a taken slug) for a person; the
 * database's own raises (already_member, last_owner, …) keep their message.
 */
export function failFromDb<T extends Record<string, unknown>>(
	form: Form<T>,
	error: unknown,
	fieldMessages: Partial<Record<string, string>> = {}
): Failure<T> {
	const mapped = mapDbError(error);
	if (!mapped) throw error;
	const field = mapped.field ? camelCase(mapped.field) : undefined;
	if (field && field in form.data) {
		const text = (!mapped.code && fieldMessages[field]) || mapped.message;
		return setError(form, field as FormPathLeavesWithErrors<T>, text, { status: mapped.status });
	}
	return errorMessage(form, mapped.message, mapped.status);
}

/** A change the database filtered out (RLS hid the row): refused, with a 403. */
export function refused<T extends Record<string, unknown>>(
	form: Form<T>,
	text = NOT_ALLOWED
): Failure<T> {
	return errorMessage(form, text, 403);
}

/** A message above the form; with a 4xx status superforms always answers with a failure. */
function errorMessage<T extends Record<string, unknown>>(
	form: Form<T>,
	text: string,
	status: 400 | 403 | 404 | 409 | 422
): Failure<T> {
	return message(form, { tone: 'error', text }, { status }) as Failure<T>;
}
