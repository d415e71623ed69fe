// GET /user and PUT /user (password, email, user_metadata), GoTrue's user.go, and
// GET /reauthenticate (reauthenticate.go): a code by email that PUT /user takes as `nonce` for a
// password change when [auth.email] secure_password_change is on.
import { Hono } from 'hono';
import { z } from 'zod';
import { emailExists, flowOf } from '../accounts.ts';
import { audit } from '../audit.ts';
import { inTransaction, type Db } from '../db.ts';
import type { AuthDeps } from '../deps.ts';
import { badRequest, forbidden, unprocessable } from '../errors.ts';
import { createFlowState } from '../flow-state.ts';
import { requireUser } from '../guards.ts';
import { sendEmailChange, sendReauthentication } from '../mail/verification-mail.ts';
import { clearAllOneTimeTokens } from '../one-time-tokens.ts';
import {
	checkPasswordStrength,
	hashPassword,
	MAX_PASSWORD_LENGTH,
	passwordMatches
} from '../passwords.ts';
import { referrer } from '../redirects.ts';
import { clientIp, field, metadata, optionalField, readJson } from '../request.ts';
import type { SessionRow } from '../sessions.ts';
import { tokenHash, validatePkceParams } from '../tokens.ts';
import { emailTakenBy, loadUserJson, mergeMetadata, updateUser, type UserRow } from '../users.ts';
import { validateEmail } from '../validate.ts';

const updateBody = z.object({
	email: field(),
	password: optionalField(MAX_PASSWORD_LENGTH * 4),
	current_password: optionalField(MAX_PASSWORD_LENGTH * 4),
	nonce: field(),
	data: metadata,
	app_metadata: metadata,
	phone: field(),
	channel: field(),
	code_challenge: field(),
	code_challenge_method: field()
});

export function userRoutes(deps: AuthDeps): Hono {
	const app = new Hono();

	app.get('/user', async (c) => {
		const { user, claims } = await requireUser(c, deps);
		if (claims.aud !== (user.aud ?? 'authenticated')) {
			throw badRequest('validation_failed', "Token audience doesn't match request audience");
		}
		return c.json(await loadUserJson(deps.db, user));
	});

	app.get('/reauthenticate', async (c) => {
		const { user } = await requireUser(c, deps);
		const email = user.email ?? '';
		if (email === '' && !user.phone) {
			throw badRequest(
				'validation_failed',
				'Reauthentication requires the user to have an email or a phone number'
			);
		}
		if (email === '') throw badRequest('phone_provider_disabled', 'Unsupported phone provider');
		if (!user.email_confirmed_at) {
			throw unprocessable('email_not_confirmed', 'Please verify your email first.');
		}
		await inTransaction(deps.db, async (tx) => {
			await audit(tx, user, 'user_reauthenticate_requested', deps.now());
			await sendReauthentication(tx, deps, user);
		});
		return c.json({});
	});

	app.put('/user', async (c) => {
		const { user, session } = await requireUser(c, deps);
		deps.limiter.hit('user', clientIp(c, deps), deps.settings.rateLimits.signInSignUps, 300);
		const body = await readJson(c, updateBody);
		const newEmail = body.email === '' ? '' : validateEmail(body.email);
		if (body.phone !== '')
			throw badRequest('phone_provider_disabled', 'Unsupported phone provider');
		if (body.password !== undefined) checkPasswordStrength(body.password, deps.settings);
		validatePkceParams(body.code_challenge, body.code_challenge_method);
		if (body.app_metadata !== undefined) {
			throw forbidden('not_admin', 'Updating app_metadata requires admin privileges');
		}
		const changingEmail = newEmail !== '' && newEmail !== user.email;
		if (changingEmail && (await emailTakenBy(deps.db, newEmail, user.id))) throw emailExists();

		if (body.password !== undefined && needsReauthentication(deps, session)) {
			if (body.nonce === '') {
				throw badRequest('reauthentication_needed', 'Password update requires reauthentication');
			}
			await useReauthentication(deps.db, deps, user, body.nonce);
		}

		let passwordHash: string | undefined;
		if (body.password !== undefined && body.password !== '') {
			if (await passwordMatches(body.password, user.encrypted_password)) {
				throw unprocessable(
					'same_password',
					'New password should be different from the old password.'
				);
			}
			passwordHash = await hashPassword(body.password);
		}
		const redirectTo = referrer(c, deps.settings);

		const updated = await inTransaction(deps.db, async (tx) => {
			const now = deps.now();
			let current = user;
			if (passwordHash !== undefined) {
				// GoTrue's UpdatePassword: pending links die, other sessions end.
				current = await updateUser(
					tx,
					user.id,
					{
						encrypted_password: passwordHash,
						confirmation_token: '',
						confirmation_sent_at: null,
						recovery_token: '',
						recovery_sent_at: null,
						email_change_token_current: '',
						email_change_token_new: '',
						email_change_sent_at: null,
						reauthentication_sent_at: null
					},
					now
				);
				await clearAllOneTimeTokens(tx, user.id);
				await tx.query('delete from auth.sessions where user_id = $1 and id is distinct from $2', [
					user.id,
					session?.id ?? null
				]);
				await audit(tx, current, 'user_updated_password', now);
			}
			if (body.data !== undefined) {
				current = await updateUser(
					tx,
					user.id,
					{ raw_user_meta_data: mergeMetadata(current.raw_user_meta_data, body.data) },
					now
				);
			}
			if (changingEmail) {
				const flow = flowOf(body.code_challenge);
				if (flow === 'pkce') {
					await createFlowState(
						tx,
						{
							userId: user.id,
							providerType: 'email_change',
							method: 'email_change',
							codeChallenge: body.code_challenge,
							codeChallengeMethod: body.code_challenge_method
						},
						now
					);
				}
				current = await sendEmailChange(tx, deps, current, newEmail, flow, redirectTo);
			}
			await audit(tx, current, 'user_modified', now);
			return loadUserJson(tx, current);
		});
		return c.json(updated);
	});

	return app;
}

/** GoTrue asks for a code when the session was signed in over a day ago (or has none). */
const RECENT_SIGN_IN_MS = 24 * 3_600_000;

function needsReauthentication(deps: AuthDeps, session: SessionRow | null): boolean {
	if (!deps.settings.securePasswordChange) return false;
	const signedInAt = session?.created_at?.getTime();
	return signedInAt === undefined || deps.now().getTime() > signedInAt + RECENT_SIGN_IN_MS;
}

/** GoTrue's verifyReauthentication: the emailed code, unexpired, used once. */
async function useReauthentication(
	db: Db,
	deps: AuthDeps,
	user: UserRow,
	nonce: string
): Promise<void> {
	const invalid = () =>
		unprocessable('reauthentication_not_valid', 'Nonce has expired or is invalid');
	const sentAt = user.reauthentication_sent_at;
	if (!user.reauthentication_token || !sentAt) throw invalid();
	const expired = deps.now().getTime() > sentAt.getTime() + deps.settings.otpExpiry * 1000;
	if (
		expired ||
		tokenHash((user.email ?? '').toLowerCase(), nonce) !== user.reauthentication_token
	) {
		throw invalid();
	}
	await updateUser(db, user.id, { reauthentication_token: '' }, deps.now());
	await clearAllOneTimeTokens(db, user.id);
}
