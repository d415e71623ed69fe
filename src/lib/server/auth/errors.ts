// Supabase Auth errors, turned into what a form can show: the field at fault
// (if any), a sentence a person can act on, and the HTTP status of the answer.
import { isAuthError, isAuthWeakPasswordError, type AuthError } from '@supabase/supabase-js';

export type AuthField = 'email' | 'password' | 'code';

/** A failed Auth call, ready for a form. Services throw it; routes turn it into `fail()`. */
export class AuthFormError extends Error {
	override readonly name = 'AuthFormError';
	constructor(
		message: string,
		readonly status: 400 | 401 | 403 | 409 | 422 | 429 | 503,
		readonly code: string,
		readonly field?: AuthField,
		readonly action?: 'resend-confirmation'
	) {
		super(message);
	}
}

const WEAK_REASONS: Record<string, string> = {
	length: 'it is too short',
	characters: 'it needs a mix of character types (for example letters, digits and symbols)',
	pwned: 'it has appeared in a known data breach'
};

function weakPasswordMessage(error: AuthError): string {
	const reasons = isAuthWeakPasswordError(error)
		? error.reasons.map((r) => WEAK_REASONS[r]).filter((r) => r !== undefined)
		: [];
	const why = reasons.length > 0 ? `Choose a stronger password: ${reasons.join('; ')}.` : '';
	// The server's own sentence names its rule ("at least 10 characters", …).
	return [why, error.message].filter(Boolean).join(' ') || 'Choose a stronger password.';
}

/** Per-address spacing ("…only request this after 42 seconds") or the hourly cap. */
function emailRateLimitMessage(error: AuthError): string {
	const wait = /after (\d+) seconds?/.exec(error.message)?.[1];
	if (wait !== undefined) {
		const seconds = Math.max(1, Number(wait));
		return `For your security, you can ask for another email in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}.`;
	}
	return 'Too many emails have been sent for now. Wait a few minutes, then try again.';
}

export function toAuthFormError(error: AuthError): AuthFormError {
	const code = error.code ?? '';
	switch (code) {
		case 'email_exists':
		case 'user_already_exists':
			return new AuthFormError(
				'An account with this email already exists. Sign in instead.',
				409,
				code,
				'email'
			);
		case 'email_address_invalid':
			return new AuthFormError('This email address cannot be used.', 422, code, 'email');
		case 'email_address_not_authorized':
			return new AuthFormError('Emails cannot be sent to this address.', 422, code, 'email');
		case 'weak_password':
			return new AuthFormError(weakPasswordMessage(error), 422, code, 'password');
		case 'same_password':
			return new AuthFormError(
				'Choose a password different from your current one.',
				422,
				code,
				'password'
			);
		case 'invalid_credentials':
			return new AuthFormError('Email or password is incorrect.', 400, code);
		case 'email_not_confirmed':
			return new AuthFormError(
				'Confirm your email address first: open the link we emailed you, or send a new one.',
				403,
				code,
				undefined,
				'resend-confirmation'
			);
		case 'over_email_send_rate_limit':
			return new AuthFormError(emailRateLimitMessage(error), 429, code);
		case 'over_request_rate_limit':
			return new AuthFormError('Too many attempts. Wait a moment, then try again.', 429, code);
		case 'signup_disabled':
		case 'email_provider_disabled':
			return new AuthFormError('Sign-ups are closed at the moment.', 403, code);
		case 'user_banned':
			return new AuthFormError('This account is suspended.', 403, code);
		case 'session_not_found':
		case 'session_expired':
		case 'refresh_token_not_found':
		case 'refresh_token_already_used':
		case 'bad_jwt':
			return new AuthFormError('Your session has ended. Sign in again.', 401, code);
		case 'reauthentication_needed':
		case 'reauthentication_not_valid':
			return new AuthFormError(
				'For your security, sign in again before changing your password.',
				401,
				code
			);
		case 'validation_failed':
			return new AuthFormError(error.message || 'Check the form and try again.', 400, code);
	}
	if (error.status === 429) {
		return new AuthFormError('Too many attempts. Wait a moment, then try again.', 429, code);
	}
	console.error(`auth: unexpected error ${error.status ?? '-'} ${code}: ${error.message}`);
	return new AuthFormError(
		'We could not reach the sign-in service. Try again in a moment.',
		503,
		code || 'unexpected_failure'
	);
}

/** Throws the form-ready version of an Auth error; returns nothing when there is none. */
export function throwIfAuthError(error: AuthError | null): void {
	if (error) throw toAuthFormError(error);
}

export { isAuthError };
