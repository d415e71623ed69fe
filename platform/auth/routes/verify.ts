// GET /verify (the link in the emails: verifies, then redirects to `redirect_to` with the
// session in the fragment, `?code=` for PKCE, or `#error=…`) and POST /verify (verifyOtp:
// token_hash + type, or email + token + type). GoTrue's verify.go.
import { Hono } from 'hono';
import { z } from 'zod';
import { confirmEmail } from '../accounts.ts';
import { audit } from '../audit.ts';
import { inTransaction, type Db } from '../db.ts';
import type { AuthDeps } from '../deps.ts';
import { AuthError, badRequest, forbidden, unprocessable } from '../errors.ts';
import { issueAuthCode, type FlowMethod } from '../flow-state.ts';
import {
	clearAllOneTimeTokens,
	clearOneTimeToken,
	findOneTimeToken,
	type OneTimeTokenType
} from '../one-time-tokens.ts';
import { hashPassword, randomPassword } from '../passwords.ts';
import { referrer } from '../redirects.ts';
import { clientIp, field, grantContext, readJson } from '../request.ts';
import { issueSession, type SessionJson } from '../sessions.ts';
import { PKCE_PREFIX, tokenHash } from '../tokens.ts';
import {
	findUserByEmail,
	findUserById,
	identitiesOf,
	insertEmailIdentity,
	isBanned,
	lockUser,
	mergeMetadata,
	updateIdentityData,
	updateUser,
	type UserRow
} from '../users.ts';
import { validateEmail } from '../validate.ts';

/** What GoTrue answers when the first of two email-change links is followed. */
const SINGLE_CONFIRMATION =
	'Confirmation link accepted. Please proceed to confirm link sent to the other email';

type VerifyType = 'signup' | 'invite' | 'recovery' | 'magiclink' | 'email_change';
type RequestedType = VerifyType | 'email';

const verifyTypes: RequestedType[] = [
	'signup',
	'invite',
	'recovery',
	'magiclink',
	'email_change',
	'email'
];

const verifyBody = z.object({
	type: field(),
	token: field(),
	token_hash: field(),
	email: field(),
	phone: field(),
	redirect_to: field()
});

type Verified = {
	user: UserRow;
	type: VerifyType;
	/** For email changes: whether the link or code went to the current or the new address. */
	side?: 'current' | 'new';
};
/** The outcome of a verification: signed in, or the first half of a double email change. */
type Outcome = { user: UserRow; type: VerifyType } | { singleConfirmation: true };

const linkExpired = () => forbidden('otp_expired', 'Email link is invalid or has expired');
const codeExpired = () => forbidden('otp_expired', 'Token has expired or is invalid');

export function verifyRoutes(deps: AuthDeps): Hono {
	const app = new Hono();

	app.get('/verify', async (c) => {
		deps.limiter.hit('verify', clientIp(c, deps), deps.settings.rateLimits.tokenVerifications, 300);
		const type = c.req.query('type') ?? '';
		const token = c.req.query('token') ?? '';
		if (type === '') throw badRequest('validation_failed', 'Verify requires a verification type');
		if (token === '') {
			throw badRequest('validation_failed', 'Verify requires a token or a token hash');
		}
		const redirectTo = referrer(c, deps.settings);
		const pkce = token.startsWith(PKCE_PREFIX);
		try {
			const location = await inTransaction(deps.db, async (tx) => {
				const outcome = await applyVerification(tx, deps, await byTokenHash(tx, deps, type, token));
				if ('singleConfirmation' in outcome) {
					return messageRedirect(redirectTo, SINGLE_CONFIRMATION, pkce);
				}
				if (pkce) {
					const code = await issueAuthCode(
						tx,
						outcome.user.id,
						flowMethod(outcome.type),
						deps.now()
					);
					if (!code) {
						throw unprocessable('flow_state_not_found', 'No valid flow state found for user.');
					}
					const url = new URL(redirectTo);
					url.searchParams.set('code', code);
					return url.toString();
				}
				const session = await issueSession(tx, deps, outcome.user, 'otp', grantContext(c, deps));
				return sessionRedirect(redirectTo, session, outcome.type);
			});
			return c.redirect(location, 303);
		} catch (error) {
			if (!(error instanceof AuthError)) throw error;
			return c.redirect(errorRedirect(redirectTo, error, pkce), 303);
		}
	});

	app.post('/verify', async (c) => {
		deps.limiter.hit('verify', clientIp(c, deps), deps.settings.rateLimits.tokenVerifications, 300);
		const body = await readJson(c, verifyBody);
		if (body.type === '') {
			throw badRequest('validation_failed', 'Verify requires a verification type');
		}
		if ((body.token === '') === (body.token_hash === '')) {
			throw badRequest('validation_failed', 'Verify requires either a token or a token hash');
		}
		const outcome = await inTransaction(deps.db, async (tx) => {
			let verified: Verified;
			if (body.token_hash !== '') {
				if (body.email !== '' || body.phone !== '' || body.redirect_to !== '') {
					throw badRequest('validation_failed', 'Only the token_hash and type should be provided');
				}
				verified = await byTokenHash(tx, deps, body.type, body.token_hash);
			} else {
				if (body.phone !== '' || body.email === '') {
					throw badRequest(
						'validation_failed',
						'Only an email address or phone number should be provided on verify'
					);
				}
				let email: string;
				try {
					email = validateEmail(body.email);
				} catch {
					throw unprocessable('validation_failed', 'Invalid email format');
				}
				verified = await byEmailAndCode(tx, deps, body.type, email, body.token);
			}
			const outcome = await applyVerification(tx, deps, verified);
			if ('singleConfirmation' in outcome) return outcome;
			return issueSession(tx, deps, outcome.user, 'otp', grantContext(c, deps));
		});
		if ('singleConfirmation' in outcome) {
			return c.json({ msg: SINGLE_CONFIRMATION, code: '200' });
		}
		return c.json(outcome);
	});

	return app;
}

function requestedType(type: string, error: () => AuthError): RequestedType {
	const found = verifyTypes.find((t) => t === type);
	if (!found) throw error();
	return found;
}

const tokenTypesOf: Record<RequestedType, OneTimeTokenType[]> = {
	email: ['confirmation_token', 'recovery_token'],
	signup: ['confirmation_token'],
	invite: ['confirmation_token'],
	recovery: ['recovery_token'],
	magiclink: ['recovery_token'],
	email_change: ['email_change_token_current', 'email_change_token_new']
};

function sentAtOf(user: UserRow, type: VerifyType): Date | null {
	if (type === 'signup' || type === 'invite') return user.confirmation_sent_at;
	if (type === 'recovery' || type === 'magiclink') return user.recovery_sent_at;
	return user.email_change_sent_at;
}

function expired(deps: AuthDeps, sentAt: Date | null): boolean {
	return !sentAt || deps.now().getTime() > sentAt.getTime() + deps.settings.otpExpiry * 1000;
}

/** GoTrue's verifyTokenHash: the hash from a link (or verifyOtp's token_hash). */
async function byTokenHash(
	tx: Db,
	deps: AuthDeps,
	rawType: string,
	hash: string
): Promise<Verified> {
	const requested = requestedType(rawType, () =>
		badRequest('validation_failed', 'Invalid email verification type')
	);
	const ott = await findOneTimeToken(tx, hash, tokenTypesOf[requested]);
	const user = ott ? await findUserById(tx, ott.user_id) : null;
	if (!user) throw linkExpired();
	if (isBanned(user, deps.now())) throw forbidden('user_banned', 'User is banned');
	// An emailed code ("email") is either a sign-up confirmation or a magic link.
	const type: VerifyType =
		requested === 'email' ? (user.recovery_token === hash ? 'magiclink' : 'signup') : requested;
	if (expired(deps, sentAtOf(user, type))) throw linkExpired();
	const side = ott?.token_type === 'email_change_token_current' ? 'current' : 'new';
	return { user, type, side };
}

/** GoTrue's verifyUserAndToken: the code typed from an email. */
async function byEmailAndCode(
	tx: Db,
	deps: AuthDeps,
	rawType: string,
	email: string,
	code: string
): Promise<Verified> {
	const requested = requestedType(rawType, () =>
		badRequest('validation_failed', 'Unsupported verification type')
	);
	const hash = tokenHash(email, code);
	const matches = (expected: string | null, sentAt: Date | null) =>
		!!expected && !expired(deps, sentAt) && (expected === hash || expected === PKCE_PREFIX + hash);

	let user: UserRow | null;
	if (requested === 'email_change') {
		// The address the code went to is the old or the new one: find the user by the token.
		const ott =
			(await findOneTimeToken(tx, hash, tokenTypesOf.email_change)) ??
			(await findOneTimeToken(tx, PKCE_PREFIX + hash, tokenTypesOf.email_change));
		user = ott ? await findUserById(tx, ott.user_id) : null;
	} else {
		user = await findUserByEmail(tx, email);
	}
	// Lock the user, then read the stored hashes again: a code is used once, even in a race.
	if (user) user = await lockUser(tx, user.id);
	if (!user) throw codeExpired();
	if (isBanned(user, deps.now())) throw forbidden('user_banned', 'User is banned');

	let type: VerifyType | null = null;
	if (requested === 'email') {
		if (matches(user.confirmation_token, user.confirmation_sent_at)) type = 'signup';
		else if (matches(user.recovery_token, user.recovery_sent_at)) type = 'magiclink';
	} else if (requested === 'signup' || requested === 'invite') {
		if (matches(user.confirmation_token, user.confirmation_sent_at)) type = requested;
	} else if (requested === 'recovery' || requested === 'magiclink') {
		if (matches(user.recovery_token, user.recovery_sent_at)) type = requested;
	} else if (matches(user.email_change_token_current, user.email_change_sent_at)) {
		return { user, type: 'email_change', side: 'current' };
	} else if (matches(user.email_change_token_new, user.email_change_sent_at)) {
		return { user, type: 'email_change', side: 'new' };
	}
	if (!type) throw codeExpired();
	return { user, type };
}

/** What following the link means for the account, by type. */
async function applyVerification(tx: Db, deps: AuthDeps, verified: Verified): Promise<Outcome> {
	const now = deps.now();
	let user = verified.user;
	switch (verified.type) {
		case 'signup':
		case 'invite': {
			if (!user.encrypted_password && user.invited_at) {
				// An invited user gets an unknown password until they set one (GoTrue too).
				user = await updateUser(
					tx,
					user.id,
					{ encrypted_password: await hashPassword(randomPassword()) },
					now
				);
				await tx.query('delete from auth.sessions where user_id = $1', [user.id]);
			}
			await audit(tx, user, 'user_signedup', now, { provider: 'email' });
			user = await confirmEmail(tx, user, now);
			await updateIdentityData(tx, user.id, 'email', { email_verified: true }, now);
			break;
		}
		case 'recovery':
		case 'magiclink': {
			user = await updateUser(tx, user.id, { recovery_token: '' }, now);
			await clearAllOneTimeTokens(tx, user.id);
			if (!user.email_confirmed_at) {
				await audit(tx, user, 'user_signedup', now, { provider: 'email' });
				user = await confirmEmail(tx, user, now);
			} else {
				await audit(tx, user, 'login', now);
			}
			break;
		}
		case 'email_change': {
			const changed = await applyEmailChange(tx, deps, user, verified);
			if (!changed) return { singleConfirmation: true };
			user = changed;
			break;
		}
	}
	user = await syncProviders(tx, user, now);
	return { user, type: verified.type };
}

/**
 * With double_confirm_changes, the first link only records that one side confirmed
 * (email_change_confirm_status = 1); the second one makes the change.
 */
async function applyEmailChange(
	tx: Db,
	deps: AuthDeps,
	user: UserRow,
	verified: Verified
): Promise<UserRow | null> {
	const now = deps.now();
	const secure = deps.settings.enableConfirmations && deps.settings.doubleConfirmChanges;
	if (secure && (user.email_change_confirm_status ?? 0) === 0 && user.email) {
		const usedCurrent = verified.side === 'current';
		await updateUser(
			tx,
			user.id,
			usedCurrent
				? { email_change_confirm_status: 1, email_change_token_current: '' }
				: { email_change_confirm_status: 1, email_change_token_new: '' },
			now
		);
		await clearOneTimeToken(
			tx,
			user.id,
			usedCurrent ? 'email_change_token_current' : 'email_change_token_new'
		);
		return null;
	}
	const newEmail = user.email_change ?? '';
	await audit(tx, user, 'user_modified', now);
	const identities = await identitiesOf(tx, user.id);
	if (identities.some((i) => i.provider === 'email')) {
		await updateIdentityData(tx, user.id, 'email', { email: newEmail, email_verified: true }, now);
	} else {
		await insertEmailIdentity(tx, { ...user, email: newEmail }, {}, now, true);
	}
	let changed = await updateUser(
		tx,
		user.id,
		{
			email: newEmail,
			email_change: '',
			email_change_token_current: '',
			email_change_token_new: '',
			email_change_confirm_status: 0
		},
		now
	);
	await clearAllOneTimeTokens(tx, user.id);
	if (!changed.email_confirmed_at) changed = await confirmEmail(tx, changed, now);
	return changed;
}

/** GoTrue's UpdateAppMetaDataProviders: app_metadata.providers lists the identities. */
async function syncProviders(tx: Db, user: UserRow, now: Date): Promise<UserRow> {
	const providers = [...new Set((await identitiesOf(tx, user.id)).map((i) => i.provider))];
	const updates: Record<string, unknown> = { providers };
	if (providers[0]) updates.provider = providers[0];
	return updateUser(
		tx,
		user.id,
		{ raw_app_meta_data: mergeMetadata(user.raw_app_meta_data, updates) },
		now
	);
}

function flowMethod(type: VerifyType): FlowMethod {
	return type === 'signup' ? 'email/signup' : type;
}

function sessionRedirect(redirectTo: string, session: SessionJson, type: VerifyType): string {
	const fragment = new URLSearchParams({
		access_token: session.access_token,
		expires_at: String(session.expires_at),
		expires_in: String(session.expires_in),
		refresh_token: session.refresh_token,
		sb: '',
		token_type: session.token_type,
		type
	});
	return `${redirectTo}#${fragment.toString()}`;
}

function messageRedirect(redirectTo: string, message: string, pkce: boolean): string {
	const url = new URL(redirectTo);
	if (pkce) url.searchParams.set('message', message);
	url.hash = new URLSearchParams({ message, sb: '' }).toString();
	return url.toString();
}

/** GoTrue's OAuth-style names for the statuses that have one. */
const oauthErrors: Partial<Record<number, string>> = {
	400: 'invalid_request',
	401: 'unauthorized_client',
	403: 'access_denied',
	500: 'server_error',
	503: 'temporarily_unavailable'
};

function errorRedirect(redirectTo: string, error: AuthError, pkce: boolean): string {
	const url = new URL(redirectTo);
	const params = new URLSearchParams();
	const oauth = oauthErrors[error.status];
	if (oauth) params.set('error', oauth);
	params.set('error_code', error.code);
	params.set('error_description', error.message);
	// PKCE callbacks run on the server, which never sees the fragment: repeat it in the query.
	if (pkce) for (const [key, value] of params) url.searchParams.set(key, value);
	params.set('sb', '');
	url.hash = params.toString();
	return url.toString();
}
