// Turns Postgres errors into what a route can answer with: a status, the field
// at fault when we can tell, and a message a person can act on.
import { DatabaseError } from 'pg';

export type MappedDbError = {
	status: 400 | 403 | 404 | 409 | 422;
	field?: string;
	message: string;
	/** Set when one of our functions or triggers raised it on purpose (its hint), e.g. 'last_owner'. */
	code?: string;
};

/** Our own raises carry a snake_case code in `hint` and a message meant for people. */
function raisedOnPurpose(error: DatabaseError): { code: string; message: string } | null {
	return error.hint && /^[a-z_]+$/.test(error.hint)
		? { code: error.hint, message: error.message }
		: null;
}

/** Constraints whose name does not follow `<table>_[org_id_]<column>_<suffix>`. */
const CONSTRAINT_FIELDS: Record<string, string> = {
	invitations_pending_email_key: 'email'
};

/**
 * The user-facing field a constraint guards. Postgres names the key in `detail`
 * ("Key (org_id, slug)=(…)") only when RLS is off for the caller, so the
 * constraint's name is the dependable source.
 */
function fieldOf(error: DatabaseError): string | undefined {
	if (error.column) return error.column;
	const name = error.constraint;
	if (name) {
		if (CONSTRAINT_FIELDS[name]) return CONSTRAINT_FIELDS[name];
		const column = name
			.replace(new RegExp(`^${error.table ?? ''}_`), '')
			.replace(/_(key|pkey|fkey|check|format|reserved)$/, '')
			.replace(/^org_id_/, '');
		if (column && column !== name) return column;
	}
	return error.detail
		?.match(/^Key \(([^)]+)\)=/)?.[1]
		?.split(',')
		.pop()
		?.trim();
}

/** Nested deeper than the app's code or Postgres can walk (a rule tree thousands deep). */
const TOO_DEEP: MappedDbError = {
	status: 422,
	message: 'That is nested too deeply to be read. Simplify it and try again.'
};

export function mapDbError(error: unknown): MappedDbError | null {
	// A stack overflow on input is the app's 54001: the input is at fault, not the server.
	if (error instanceof RangeError && /call stack/i.test(error.message)) return TOO_DEEP;
	if (!(error instanceof DatabaseError)) return null;
	const mapped = mapByCode(error);
	const own = raisedOnPurpose(error);
	return mapped && own ? { ...mapped, ...own } : mapped;
}

function mapByCode(error: DatabaseError): MappedDbError | null {
	switch (error.code) {
		case '42501': // insufficient_privilege, including RLS with-check violations
			return { status: 403, message: 'You do not have permission to do that.' };
		case '23505': {
			const field = fieldOf(error);
			return { status: 409, field, message: `That ${field ?? 'value'} is already taken.` };
		}
		case '23514': // check_violation
			return { status: 422, field: fieldOf(error), message: 'That value is not allowed.' };
		case '23502': // not_null_violation
			return { status: 422, field: error.column, message: 'This field is required.' };
		case '23503': // foreign_key_violation
			// Every currency column references public.currencies (the one list).
			if (error.constraint?.endsWith('_currency_fkey') && error.table !== 'currencies')
				return { status: 422, field: 'currency', message: 'That is not a known currency.' };
			return {
				status: 409,
				field: fieldOf(error),
				message: 'A related record does not exist or is still in use.'
			};
		case '22P02': // invalid_text_representation (e.g. a malformed uuid)
		case '22001': // string_data_right_truncation
		case '22007': // invalid_datetime_format
		case '22008': // datetime_field_overflow
		case '22003': // numeric_value_out_of_range
			return { status: 400, field: error.column, message: 'A value has the wrong format.' };
		case '22021': // character_not_in_repertoire: a NUL byte in text
		case '22P05': // untranslatable_character: \u0000 in jsonb read as text
			return {
				status: 400,
				field: error.column,
				message: 'A value contains a NUL character, which cannot be stored.'
			};
		case '54001': // statement_too_complex: stack depth exceeded (input nested too deeply)
			return TOO_DEEP;
		case 'P0002': // no_data_found, raised by our functions for "not found or not yours"
			return { status: 404, message: error.message };
		case '22023': // invalid_parameter_value: a request our functions refuse (e.g. an expired invitation)
			return { status: 422, message: error.message };
		default:
			return null;
	}
}
