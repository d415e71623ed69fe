// Supabase Auth's errors: an HTTP status, a stable error code and a message. How they are
// written depends on the API version the client asks for, exactly as GoTrue does it:
// supabase-js sends `X-Supabase-Api-Version: 2024-01-01` and gets `{ code, message }` with
// the version echoed back (it only trusts `code` when that header is there); clients that
// send no version get the original `{ code: <status>, error_code, msg }`.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The subset of GoTrue's error codes (internal/api/apierrors/errorcode.go) this API returns. */
export type ErrorCode =
	| 'unknown'
	| 'unexpected_failure'
	| 'validation_failed'
	| 'bad_json'
	| 'email_exists'
	| 'phone_exists'
	| 'bad_jwt'
	| 'not_admin'
	| 'no_authorization'
	| 'user_not_found'
	| 'session_not_found'
	| 'session_expired'
	| 'refresh_token_not_found'
	| 'refresh_token_already_used'
	| 'flow_state_not_found'
	| 'flow_state_expired'
	| 'signup_disabled'
	| 'user_banned'
	| 'email_provider_disabled'
	| 'phone_provider_disabled'
	| 'email_not_confirmed'
	| 'user_already_exists'
	| 'same_password'
	| 'otp_expired'
	| 'otp_disabled'
	| 'weak_password'
	| 'over_request_rate_limit'
	| 'over_email_send_rate_limit'
	| 'bad_code_verifier'
	| 'anonymous_provider_disabled'
	| 'invalid_credentials'
	| 'request_entity_too_large'
	| 'provider_disabled'
	| 'reauthentication_needed'
	| 'reauthentication_not_valid'
	| 'mfa_totp_enroll_not_enabled'
	| 'mfa_phone_enroll_not_enabled'
	| 'mfa_webauthn_enroll_not_enabled'
	| 'mfa_factor_not_found'
	| 'manual_linking_disabled'
	| 'identity_not_found';

export class AuthError extends Error {
	readonly status: ContentfulStatusCode;
	readonly code: ErrorCode;

	constructor(status: ContentfulStatusCode, code: ErrorCode, message: string) {
		super(message);
		this.name = 'AuthError';
		this.status = status;
		this.code = code;
	}
}

/** 422 with the reasons (`length`, `characters`) supabase-js exposes as `error.reasons`. */
export class WeakPasswordError extends AuthError {
	readonly reasons: string[];

	constructor(message: string, reasons: string[]) {
		super(422, 'weak_password', message);
		this.reasons = reasons;
	}
}

/**
 * GoTrue's OAuthError, for the OAuth-shaped requests of /token (id_token): always a 400 with
 * `{ error, error_description }`, whatever API version the client asks for.
 */
export class OAuthError extends Error {
	readonly error: string;
	readonly description: string;

	constructor(error: string, description: string) {
		super(`${error}: ${description}`);
		this.name = 'OAuthError';
		this.error = error;
		this.description = description;
	}
}

export function oauthErrorResponse(c: Context, error: OAuthError): Response {
	return c.json({ error: error.error, error_description: error.description }, 400);
}

export const badRequest = (code: ErrorCode, message: string) => new AuthError(400, code, message);
export const forbidden = (code: ErrorCode, message: string) => new AuthError(403, code, message);
export const notFound = (code: ErrorCode, message: string) => new AuthError(404, code, message);
export const unprocessable = (code: ErrorCode, message: string) =>
	new AuthError(422, code, message);
export const tooManyRequests = (code: ErrorCode, message: string) =>
	new AuthError(429, code, message);
export const internalError = (message: string) => new AuthError(500, 'unexpected_failure', message);

export const API_VERSION_HEADER = 'X-Supabase-Api-Version';
const API_VERSION_2024_01_01 = '2024-01-01';

/** True when the client asked for the 2024-01-01 error format (or a later date). */
export function wantsModernErrors(header: string | undefined): boolean {
	if (!header || !/^\d{4}-\d{2}-\d{2}$/.test(header)) return false;
	const asked = Date.parse(`${header}T00:00:00Z`);
	return !Number.isNaN(asked) && asked >= Date.parse(`${API_VERSION_2024_01_01}T00:00:00Z`);
}

export function errorResponse(c: Context, error: AuthError): Response {
	const modern = wantsModernErrors(c.req.header(API_VERSION_HEADER));
	c.header('x-sb-error-code', error.code);
	const weak =
		error instanceof WeakPasswordError ? { weak_password: { reasons: error.reasons } } : {};
	if (modern) {
		c.header(API_VERSION_HEADER, API_VERSION_2024_01_01);
		return c.json({ code: error.code, message: error.message, ...weak }, error.status);
	}
	return c.json(
		{ code: error.status, error_code: error.code, msg: error.message, ...weak },
		error.status
	);
}

/** Anything that is not an AuthError is a bug: log it, answer GoTrue's generic 500. */
export function unexpectedErrorResponse(
	c: Context,
	error: unknown,
	log: (line: string) => void
): Response {
	const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
	log(`auth: unexpected error on ${c.req.method} ${c.req.path}: ${detail}`);
	return errorResponse(
		c,
		internalError('Unexpected failure, please check server logs for more information')
	);
}
