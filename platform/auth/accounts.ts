// Account changes shared by several routes: signing up with an email (POST /signup, and
// /otp for an address nobody has yet), confirming an address, and the user JSON GoTrue
// returns for a repeated sign-up (so the response does not reveal that the address is taken).
import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { audit } from './audit.ts';
import { inTransaction, isUniqueViolation, type Db } from './db.ts';
import type { AuthDeps } from './deps.ts';
import { badRequest, unprocessable } from './errors.ts';
import { createFlowState } from './flow-state.ts';
import { sendConfirmation, type FlowType } from './mail/verification-mail.ts';
import { clearAllOneTimeTokens } from './one-time-tokens.ts';
import { checkPasswordStrength, hashPassword } from './passwords.ts';
import { referrer } from './redirects.ts';
import { grantContext } from './request.ts';
import { issueSession, type SessionJson } from './sessions.ts';
import { validatePkceParams } from './tokens.ts';
import {
	AUDIENCE,
	emailTakenBy,
	identitiesOf,
	insertEmailIdentity,
	insertUser,
	loadUserJson,
	mergeMetadata,
	updateUser,
	userJson,
	type Metadata,
	type UserRow
} from './users.ts';
import { validateEmail } from './validate.ts';

export type EmailSignup = {
	email: string;
	password: string;
	data: Metadata;
	codeChallenge: string;
	codeChallengeMethod: string;
};

export type SignupResult = { session: SessionJson } | { user: Record<string, unknown> };

export const flowOf = (codeChallenge: string): FlowType => (codeChallenge ? 'pkce' : 'implicit');

/** GoTrue's Signup for the email provider (internal/api/signup.go). */
export async function signUpWithEmail(
	c: Context,
	deps: AuthDeps,
	params: EmailSignup
): Promise<SignupResult> {
	const { settings } = deps;
	if (!settings.enableSignup) {
		throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
	}
	if (params.password === '') {
		throw badRequest('validation_failed', 'Signup requires a valid password');
	}
	checkPasswordStrength(params.password, settings);
	validatePkceParams(params.codeChallenge, params.codeChallengeMethod);
	if (!settings.emailEnabled) {
		throw badRequest('email_provider_disabled', 'Email signups are disabled');
	}
	const email = validateEmail(params.email);
	const flow = flowOf(params.codeChallenge);
	const redirectTo = referrer(c, settings);
	// Hash outside the transaction: bcrypt is slow and must not hold row locks.
	const existing = await emailTakenBy(deps.db, email);
	const passwordHash = existing ? null : await hashPassword(params.password);

	type Outcome = SignupResult | { repeated: UserRow };
	const outcome = await inTransaction(deps.db, async (tx): Promise<Outcome> => {
		const now = deps.now();
		let user: UserRow;
		if (existing) {
			if (existing.email_confirmed_at) return { repeated: existing };
			// Unconfirmed: keep the row as it is (we cannot know who is asking) but resend.
			user = existing;
		} else {
			try {
				user = await insertUser(
					tx,
					{
						email,
						passwordHash,
						userMetadata: params.data,
						appMetadata: { provider: 'email', providers: ['email'] }
					},
					now
				);
			} catch (error) {
				// Two sign-ups for one address at the same moment: the unique index decides.
				throw isUniqueViolation(error) ? emailExists() : error;
			}
		}
		const identities = await identitiesOf(tx, user.id);
		if (!identities.some((i) => i.provider === 'email')) {
			const identity = await insertEmailIdentity(tx, user, params.data, now);
			// GoTrue's RemoveUnconfirmedIdentities: an unconfirmed user's metadata becomes the new
			// identity's data (sub, email, email_verified, phone_verified, then the sign-up data).
			user = await updateUser(tx, user.id, { raw_user_meta_data: identity.identity_data }, now);
		}
		if (!settings.enableConfirmations) {
			await audit(tx, user, 'user_signedup', now, { provider: 'email' });
			user = await confirmEmail(tx, user, now);
			await audit(tx, user, 'login', now, { provider: 'email' });
			return { session: await issueSession(tx, deps, user, 'password', grantContext(c, deps)) };
		}
		await audit(tx, user, 'user_confirmation_requested', now, { provider: 'email' });
		if (flow === 'pkce') {
			await createFlowState(
				tx,
				{
					userId: user.id,
					providerType: 'email',
					method: 'email/signup',
					codeChallenge: params.codeChallenge,
					codeChallengeMethod: params.codeChallengeMethod
				},
				now
			);
		}
		user = await sendConfirmation(tx, deps, user, flow, redirectTo);
		return { user: await loadUserJson(tx, user) };
	});

	if ('repeated' in outcome) {
		await audit(deps.db, outcome.repeated, 'user_repeated_signup', deps.now(), {
			provider: 'email'
		});
		if (!settings.enableConfirmations) {
			throw unprocessable('user_already_exists', 'User already registered');
		}
		return { user: obfuscatedUser(email, params.data, deps.now()) };
	}
	return outcome;
}

export const emailExists = () =>
	unprocessable('email_exists', 'A user with this email address has already been registered');

/**
 * GoTrue's sanitizeUser: what a repeated sign-up gets back while confirmations are on. It
 * looks like a fresh, unconfirmed sign-up (with no identities), so the response does not
 * tell an attacker whether the address has an account.
 */
function obfuscatedUser(email: string, data: Metadata, now: Date): Record<string, unknown> {
	const json = userJson(
		{
			id: randomUUID(),
			aud: AUDIENCE,
			role: '',
			email,
			encrypted_password: null,
			email_confirmed_at: null,
			invited_at: null,
			confirmation_token: null,
			confirmation_sent_at: now,
			recovery_token: null,
			recovery_sent_at: null,
			email_change_token_new: null,
			email_change: null,
			email_change_sent_at: null,
			email_change_token_current: null,
			email_change_confirm_status: 0,
			last_sign_in_at: null,
			raw_app_meta_data: { provider: 'email', providers: ['email'] },
			raw_user_meta_data: data,
			created_at: now,
			updated_at: now,
			phone: null,
			phone_confirmed_at: null,
			phone_change: null,
			phone_change_sent_at: null,
			confirmed_at: null,
			reauthentication_token: null,
			reauthentication_sent_at: null,
			banned_until: null,
			deleted_at: null,
			is_anonymous: false,
			is_sso_user: false
		},
		[]
	);
	return json;
}

/** GoTrue's User.Confirm: the address is proven; pending links of any kind are void. */
export async function confirmEmail(tx: Db, user: UserRow, now: Date): Promise<UserRow> {
	const confirmed = await updateUser(
		tx,
		user.id,
		{
			confirmation_token: '',
			email_confirmed_at: now,
			raw_user_meta_data: mergeMetadata(user.raw_user_meta_data, { email_verified: true })
		},
		now
	);
	await clearAllOneTimeTokens(tx, user.id);
	return confirmed;
}
