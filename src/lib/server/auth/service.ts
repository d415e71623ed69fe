// What the auth pages do, as plain functions over the request's Supabase client.
// Each throws AuthFormError for a failure a person can act on; routes map it to
// a form message. Nothing here knows which Auth server answers.
import type { EmailOtpType } from '@supabase/supabase-js';
import type { Supabase } from './client';
import { AuthFormError, throwIfAuthError, toAuthFormError } from './errors';

export type SignUpInput = { fullName: string; email: string; password: string };

/**
 * 'confirm-email': the Auth server sent a confirmation link (or, for an address
 * that already has an account, pretends to, so sign-up does not reveal accounts).
 * 'signed-in': email confirmation is off and the session is already set.
 */
export type SignUpResult = 'confirm-email' | 'signed-in';

export async function signUp(
	supabase: Supabase,
	input: SignUpInput,
	emailRedirectTo: string
): Promise<SignUpResult> {
	const { data, error } = await supabase.auth.signUp({
		email: input.email,
		password: input.password,
		options: { emailRedirectTo, data: { full_name: input.fullName } }
	});
	throwIfAuthError(error);
	return data.session ? 'signed-in' : 'confirm-email';
}

export async function resendConfirmation(
	supabase: Supabase,
	email: string,
	emailRedirectTo: string
): Promise<void> {
	const { error } = await supabase.auth.resend({
		type: 'signup',
		email,
		options: { emailRedirectTo }
	});
	throwIfAuthError(error);
}

export async function signIn(
	supabase: Supabase,
	input: { email: string; password: string }
): Promise<void> {
	const { error } = await supabase.auth.signInWithPassword(input);
	throwIfAuthError(error);
}

/**
 * Emails a sign-in link and code to an existing account (no password needed). The
 * answer is the same whether or not the address has an account; only rate limits
 * and outages are reported.
 */
export async function sendSignInLink(
	supabase: Supabase,
	email: string,
	redirectTo: string
): Promise<void> {
	const { error } = await supabase.auth.signInWithOtp({
		email,
		options: { emailRedirectTo: redirectTo, shouldCreateUser: false }
	});
	if (!error) return;
	// An address without an account answers 422 otp_disabled ("Signups not allowed for
	// otp"): that must look like success, or the form would tell who has an account.
	if (error.status === 429 || (error.status ?? 500) >= 500) throw toAuthFormError(error);
}

/** The code from an email (sign-up, sign-in link, password reset, new address), into a session. */
export async function verifyEmailCode(
	supabase: Supabase,
	input: { email: string; code: string; type: EmailCodeType }
): Promise<void> {
	const { error } = await supabase.auth.verifyOtp({
		email: input.email,
		token: input.code,
		type: input.type
	});
	if (!error) return;
	if (error.code === 'otp_expired' || error.status === 403) {
		throw new AuthFormError(
			'That code is wrong or has expired. Check the newest email, or ask for a new one.',
			400,
			error.code ?? 'otp_expired',
			'code'
		);
	}
	throw toAuthFormError(error);
}

export const EMAIL_CODE_TYPES = ['signup', 'magiclink', 'recovery', 'email_change'] as const;
export type EmailCodeType = (typeof EMAIL_CODE_TYPES)[number];

/** Ends this browser's session only; other devices stay signed in. */
export async function signOut(supabase: Supabase): Promise<void> {
	const { error } = await supabase.auth.signOut({ scope: 'local' });
	// The local cookies are cleared even when the server no longer knows the session.
	if (error && error.status !== 401 && error.status !== 403 && error.status !== 404) {
		throw toAuthFormError(error);
	}
}

/**
 * Sends a recovery link if an account exists. The answer is the same either way;
 * only rate limits and outages are reported.
 */
export async function requestPasswordReset(
	supabase: Supabase,
	email: string,
	redirectTo: string
): Promise<void> {
	const { error } = await supabase.auth.resetPasswordForEmail(email, { redirectTo });
	if (!error) return;
	const failure = toAuthFormError(error);
	if (failure.status === 429 || failure.status === 503) throw failure;
	// Anything else (unknown address, unconfirmed account, …) must look like success.
}

/** Sets a new password for the signed-in user (the recovery session after a reset link). */
export async function updatePassword(supabase: Supabase, password: string): Promise<void> {
	const { error } = await supabase.auth.updateUser({ password });
	throwIfAuthError(error);
}

/** The PKCE `code` an Auth redirect brings back, exchanged for a session (cookie). */
export async function exchangeCode(supabase: Supabase, code: string): Promise<void> {
	const { error } = await supabase.auth.exchangeCodeForSession(code);
	if (error) throw new AuthFormError(error.message, 400, error.code ?? 'bad_code');
}

const EMAIL_OTP_TYPES: readonly EmailOtpType[] = [
	'signup',
	'invite',
	'magiclink',
	'recovery',
	'email_change',
	'email'
];

export function isEmailOtpType(value: string | null): value is EmailOtpType {
	return EMAIL_OTP_TYPES.includes(value as EmailOtpType);
}

/** A `token_hash` link (`/auth/confirm?token_hash=…&type=…`), verified into a session. */
export async function verifyTokenHash(
	supabase: Supabase,
	tokenHash: string,
	type: EmailOtpType
): Promise<void> {
	const { error } = await supabase.auth.verifyOtp({ token_hash: tokenHash, type });
	if (error) throw new AuthFormError(error.message, 400, error.code ?? 'otp_invalid');
}

/**
 * The implicit-flow tokens an Auth redirect puts in the URL fragment, turned into
 * a cookie session. setSession asks the Auth server for the user, so a forged
 * token is refused.
 */
export async function setSessionFromTokens(
	supabase: Supabase,
	tokens: { accessToken: string; refreshToken: string }
): Promise<void> {
	const { error } = await supabase.auth.setSession({
		access_token: tokens.accessToken,
		refresh_token: tokens.refreshToken
	});
	if (error) throw new AuthFormError(error.message, 400, error.code ?? 'bad_jwt');
}
