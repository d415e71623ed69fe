// Who is calling: the API key every request must carry (checked by Kong in front of GoTrue on
// Supabase, so answered in Kong's words), the user behind a Bearer access token, and the
// service role for admin routes — each refused with GoTrue's status and code.
import type { Context, MiddlewareHandler } from 'hono';
import type { AuthDeps } from './deps.ts';
import { AuthError, badRequest, forbidden } from './errors.ts';
import { findSession, type SessionRow } from './sessions.ts';
import type { VerifiedClaims } from './tokens.ts';
import { findUserById, isBanned, isUuid, type UserRow } from './users.ts';

/** Routes a browser opens from an email or a provider, which cannot carry an API key. */
const OPEN_PATHS = [
	'/auth/v1/verify',
	'/auth/v1/callback',
	'/auth/v1/authorize',
	'/auth/v1/.well-known/jwks.json'
];

export function apiKeyGuard(deps: AuthDeps): MiddlewareHandler {
	return async (c, next) => {
		if (c.req.method === 'OPTIONS' || OPEN_PATHS.includes(c.req.path.replace(/\/+$/, ''))) {
			return next();
		}
		const apikey = c.req.header('apikey') ?? c.req.query('apikey');
		if (!apikey) {
			return c.json(
				{
					message: 'No API key found in request',
					hint: 'No `apikey` request header or url param was found.'
				},
				401
			);
		}
		if (!(await deps.tokens.apiKeyRole(apikey))) {
			return c.json(
				{
					message: 'Invalid API key',
					hint: 'Double check your Supabase `anon` or `service_role` API key.'
				},
				401
			);
		}
		return next();
	};
}

function bearerToken(c: Context): string {
	const match = /^bearer (\S+)$/i.exec(c.req.header('authorization') ?? '');
	if (!match?.[1]) {
		throw new AuthError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
	}
	return match[1];
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

async function sessionOf(deps: AuthDeps, claims: VerifiedClaims): Promise<SessionRow | null> {
	const id = claims.session_id;
	if (!id || id === NIL_UUID) return null;
	if (!isUuid(id)) throw forbidden('bad_jwt', 'invalid claim: session_id claim must be a UUID');
	const session = await findSession(deps.db, id);
	if (!session) {
		throw forbidden('session_not_found', 'Session from session_id claim in JWT does not exist');
	}
	return session;
}

export type Authenticated = { user: UserRow; session: SessionRow | null; claims: VerifiedClaims };

/** GoTrue's requireAuthentication: a valid access token of an existing user and session. */
export async function requireUser(c: Context, deps: AuthDeps): Promise<Authenticated> {
	const claims = await deps.tokens.verifyBearer(bearerToken(c));
	if (!claims.sub) throw forbidden('bad_jwt', 'invalid claim: missing sub claim');
	if (!isUuid(claims.sub)) throw badRequest('bad_jwt', 'invalid claim: sub claim must be a UUID');
	const user = await findUserById(deps.db, claims.sub);
	if (!user) throw forbidden('user_not_found', 'User from sub claim in JWT does not exist');
	const session = await sessionOf(deps, claims);
	if (isBanned(user, deps.now())) throw forbidden('user_banned', 'User is banned');
	return { user, session, claims };
}

const ADMIN_ROLES = ['service_role', 'supabase_admin'];

/** GoTrue's requireAdminCredentials: a token whose role is an admin role (the service key). */
export async function requireAdmin(c: Context, deps: AuthDeps): Promise<VerifiedClaims> {
	const claims = await deps.tokens.verifyBearer(bearerToken(c));
	await sessionOf(deps, claims);
	if (!claims.role || !ADMIN_ROLES.includes(claims.role)) {
		throw forbidden('not_admin', 'User not allowed');
	}
	return claims;
}
