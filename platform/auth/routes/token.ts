// POST /token?grant_type=password | refresh_token | pkce (GoTrue's token.go).
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { audit } from '../audit.ts';
import { inTransaction } from '../db.ts';
import type { AuthDeps } from '../deps.ts';
import { badRequest, notFound, unprocessable, WeakPasswordError } from '../errors.ts';
import { deleteFlowState, findFlowStateByAuthCode, isFlowStateExpired } from '../flow-state.ts';
import { checkPasswordStrength, MAX_PASSWORD_LENGTH, passwordMatches } from '../passwords.ts';
import { clientIp, field, grantContext, readJson } from '../request.ts';
import { issueSession, refreshSession, type AuthMethod, type SessionJson } from '../sessions.ts';
import { REFRESH_TOKEN_PATTERN, verifyPkce } from '../tokens.ts';
import { findUserByEmail, findUserById, isBanned } from '../users.ts';

const INVALID_LOGIN = 'Invalid login credentials';

const passwordBody = z.object({
	email: field(),
	phone: field(),
	password: field(MAX_PASSWORD_LENGTH * 4)
});
const refreshBody = z.object({ refresh_token: field() });
const pkceBody = z.object({ auth_code: field(), code_verifier: field() });

export function tokenRoutes(deps: AuthDeps): Hono {
	const app = new Hono();

	app.post('/token', async (c) => {
		switch (c.req.query('grant_type')) {
			case 'password':
				deps.limiter.hit('token', clientIp(c), deps.settings.rateLimits.signInSignUps, 300);
				return c.json(await passwordGrant(c, deps));
			case 'refresh_token':
				deps.limiter.hit('refresh', clientIp(c), deps.settings.rateLimits.tokenRefresh, 300);
				return c.json(await refreshGrant(c, deps));
			case 'pkce':
				deps.limiter.hit('token', clientIp(c), deps.settings.rateLimits.signInSignUps, 300);
				return c.json(await pkceGrant(c, deps));
			default:
				throw badRequest('invalid_credentials', 'unsupported_grant_type');
		}
	});

	return app;
}

async function passwordGrant(c: Context, deps: AuthDeps): Promise<SessionJson> {
	const body = await readJson(c, passwordBody);
	if (body.email !== '' && body.phone !== '') {
		throw badRequest(
			'validation_failed',
			'Only an email address or phone number should be provided on login.'
		);
	}
	if (body.phone !== '')
		throw unprocessable('phone_provider_disabled', 'Phone logins are disabled');
	if (body.email === '') throw badRequest('validation_failed', 'missing email or phone');
	if (!deps.settings.emailEnabled) {
		throw unprocessable('email_provider_disabled', 'Email logins are disabled');
	}
	const user = await findUserByEmail(deps.db, body.email);
	if (!user?.encrypted_password) throw badRequest('invalid_credentials', INVALID_LOGIN);
	if (isBanned(user, deps.now())) throw badRequest('user_banned', 'User is banned');
	if (!(await passwordMatches(body.password, user.encrypted_password))) {
		throw badRequest('invalid_credentials', INVALID_LOGIN);
	}
	// A password that no longer meets the rules still signs in; the client is told why.
	let weak: WeakPasswordError | undefined;
	try {
		checkPasswordStrength(body.password, deps.settings);
	} catch (error) {
		if (!(error instanceof WeakPasswordError)) throw error;
		weak = error;
	}
	if (!user.email_confirmed_at) throw badRequest('email_not_confirmed', 'Email not confirmed');

	const session = await inTransaction(deps.db, async (tx) => {
		await audit(tx, user, 'login', deps.now(), { provider: 'email' });
		return issueSession(tx, deps, user, 'password', grantContext(c));
	});
	if (weak) {
		session.weak_password = { message: weak.message, reasons: weak.reasons };
	}
	return session;
}

async function refreshGrant(c: Context, deps: AuthDeps): Promise<SessionJson> {
	const body = await readJson(c, refreshBody);
	if (!REFRESH_TOKEN_PATTERN.test(body.refresh_token)) {
		throw badRequest('validation_failed', 'Refresh token is not valid');
	}
	return refreshSession(deps, body.refresh_token, grantContext(c));
}

async function pkceGrant(c: Context, deps: AuthDeps): Promise<SessionJson> {
	const body = await readJson(c, pkceBody);
	if (body.auth_code === '' || body.code_verifier === '') {
		throw badRequest(
			'validation_failed',
			'invalid request: both auth code and code verifier should be non-empty'
		);
	}
	return inTransaction(deps.db, async (tx) => {
		const now = deps.now();
		const flow = await findFlowStateByAuthCode(tx, body.auth_code);
		if (!flow?.user_id) {
			throw notFound('flow_state_not_found', 'invalid flow state, no valid flow state found');
		}
		if (isFlowStateExpired(flow, deps.settings.flowStateExpiry, now)) {
			throw unprocessable('flow_state_expired', 'invalid flow state, flow state has expired');
		}
		const user = await findUserById(tx, flow.user_id);
		if (!user)
			throw notFound('flow_state_not_found', 'invalid flow state, no valid flow state found');
		if (!verifyPkce(flow.code_challenge, flow.code_challenge_method, body.code_verifier)) {
			throw badRequest(
				'bad_code_verifier',
				'code challenge does not match previously saved code verifier'
			);
		}
		await audit(tx, user, 'login', now, { provider_type: flow.provider_type });
		const session = await issueSession(
			tx,
			deps,
			user,
			flow.authentication_method as AuthMethod,
			grantContext(c)
		);
		// Single use: the code cannot be exchanged twice.
		await deleteFlowState(tx, flow.id);
		return session;
	});
}
