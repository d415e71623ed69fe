// Supabase Auth error codes become the field and sentence each form shows.
import {
	AuthApiError,
	AuthRetryableFetchError,
	AuthWeakPasswordError
} from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import { toAuthFormError } from '../../src/lib/server/auth/errors.ts';
import { linkErrorUrl, problemFor } from '../../src/lib/server/auth/link-errors.ts';

const apiError = (code: string, status = 400, message = 'server says no') =>
	new AuthApiError(message, status, code);

describe('toAuthFormError', () => {
	it.each(['email_exists', 'user_already_exists'])('puts %s on the email field', (code) => {
		const e = toAuthFormError(apiError(code, 422));
		expect(e).toMatchObject({ field: 'email', status: 409 });
		expect(e.message).toMatch(/already exists/);
	});

	it('puts weak_password on the password field with the reasons', () => {
		const e = toAuthFormError(
			new AuthWeakPasswordError('Password should be at least 10 characters.', 422, ['length'])
		);
		expect(e.field).toBe('password');
		expect(e.message).toContain('too short');
		expect(e.message).toContain('at least 10 characters');
	});

	it('says "Email or password is incorrect" for invalid_credentials, on the form', () => {
		const e = toAuthFormError(apiError('invalid_credentials'));
		expect(e).toMatchObject({ field: undefined, message: 'Email or password is incorrect.' });
	});

	it('offers to resend the confirmation for email_not_confirmed', () => {
		expect(toAuthFormError(apiError('email_not_confirmed')).action).toBe('resend-confirmation');
	});

	it.each(['over_email_send_rate_limit', 'over_request_rate_limit'])(
		'reports %s on the form as a 429',
		(code) => {
			const e = toAuthFormError(apiError(code, 429));
			expect(e).toMatchObject({ field: undefined, status: 429 });
		}
	);

	it('tells how long to wait before another email when the Auth server says so', () => {
		const e = toAuthFormError(
			apiError(
				'over_email_send_rate_limit',
				429,
				'For security purposes, you can only request this after 42 seconds.'
			)
		);
		expect(e.message).toBe('For your security, you can ask for another email in 42 seconds.');
	});

	it('does not echo an unknown server error, and answers 503 rather than 500', () => {
		const e = toAuthFormError(new AuthRetryableFetchError('fetch failed', 0));
		expect(e.status).toBe(503);
		expect(e.message).not.toContain('fetch failed');
	});
});

describe('email link errors', () => {
	it('names known problems and keeps only a clean code in the URL', () => {
		expect(problemFor('otp_expired').title).toMatch(/expired/);
		expect(problemFor('<script>').title).toMatch(/could not sign you in/);
		expect(linkErrorUrl('otp_expired')).toBe('/auth/error?error_code=otp_expired');
		expect(linkErrorUrl('"><img src=x>')).toBe('/auth/error?error_code=imgsrcx');
	});
});
