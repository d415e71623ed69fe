// POST /token?grant_type=password | refresh_token | pkce | id_token (GoTrue's token.go).
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { audit } from '../audit.ts';
import { inTransaction } from '../db.ts';
import type { AuthDeps } from '../deps.ts';
import { badRequest, notFound, OAuthError, unprocessable, WeakPasswordError } from '../errors.ts';
import { deleteFlowState, findFlowStateByAuthCode, isFlowStateExpired } from '../flow-state.ts';
import { checkPasswordStrength, MAX_PASSWORD_LENGTH, passwordMatches } from '../passwords.ts';
import { requireUser } from '../guards.ts';
import { idTokenProviderError } from '../providers.ts';
import { clientIp, field, flag, grantContext, readJson } from '../request.ts';
import { issueSession, refreshSession, type AuthMethod, type SessionJson } from '../sessions.ts';
import { REFRESH_TOKEN_PATTERN, verifyPkce } from '../tokens.ts';
import { findUserByEmail, findUserById, isBanned } from '../users.ts';

const INVALID_LOGIN = 'Invalid login credentials';

type Grant = (c: Context, deps: AuthDeps) => Promise<Response>;

const grants: Record<string, Grant | undefined> = {
	password: async (c, deps) => c.json(await passwordGrant(c, deps)),
	refresh_token: async (c, deps) => c.json(await refreshGrant(c, deps)),
	pkce: async (c, deps) => c.json(await pkceGrant(c, deps)),
	id_token: idTokenGrant
};

const passwordBody = z.object({
	email: field(),
	phone: field(),
	password: field(MAX_PASSWORD_LENGTH * 4)
});
const refreshBody = z.object({ refresh_token: field() });
const pkceBody = z.object({ auth_code: field(), code_verifier: field() });
const idTokenBody = z.object({
	id_token: field(),
	access_token: field(),
	nonce: field(),
	provider: field(),
	client_id: field(),
	issuer: field(),
	link_identity: flag
});

export function tokenRoutes(deps: AuthDeps): Hono {
	const app = new Hono();

	app.post('/token', async (c) => {
		const grant = grants[c.req.query('grant_type') ?? ''];
		if (!grant) throw badRequest('invalid_credentials', 'unsupported_grant_type');
		// One limiter for every grant, as GoTrue's Token limiter: a sign-in, a refresh and a code
		// exchange all count, so alternating grants does not buy more attempts.
		const { tokenRefresh, tokenBurst } = deps.settings.rateLimits;
		deps.limiter.take('token', clientIp(c, deps), tokenRefresh / 300, tokenBurst);
		return grant(c, deps);
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
		return issueSession(tx, deps, user, 'password', grantContext(c, deps));
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
	return refreshSession(deps, body.refresh_token, grantContext(c, deps));
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
			grantContext(c, deps)
		);
		// Single use: the code cannot be exchanged twice.
		await deleteFlowState(tx, flow.id);
		return session;
	});
}

/**
 * signInWithIdToken. No OAuth/OIDC provider is enabled locally, so every request ends in the
 * error GoTrue gives for its provider: `provider_disabled` for a provider it knows,
 * `validation_failed` for one it does not.
 */
async function idTokenGrant(c: Context, deps: AuthDeps): Promise<Response> {
	const body = await readJson(c, idTokenBody);
	if (body.id_token === '') throw new OAuthError('invalid request', 'id_token required');
	if (body.provider === '' && (body.client_id === '' || body.issuer === '')) {
		throw new OAuthError('invalid request', 'provider or client_id and issuer required');
	}
	if (body.link_identity) {
		if (!c.req.header('authorization')) {
			throw new OAuthError(
				'invalid request',
				'Linking requires a valid user access token in Authorization'
			);
		}
		await requireUser(c, deps);
	}
	throw idTokenProviderError(body.provider, body.issuer, body.id_token);
}
