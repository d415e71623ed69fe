// The local stand-in for Supabase Auth (GoTrue): a Hono app serving /auth/v1 with the routes,
// JSON shapes, status codes, error codes and JWT claims supabase-js and @supabase/ssr expect,
// writing the same auth.* rows as GoTrue.
//
//   settings.ts   [auth*] of supabase/config.toml       errors.ts      GoTrue's error shapes
//   guards.ts     API key, user and admin checks         request.ts     bodies (zod), client IP
//   users.ts      auth.users / identities + user JSON    sessions.ts    sessions, refresh tokens
//   tokens.ts     JWTs, OTPs, hashes, PKCE               accounts.ts    sign-up, confirmation
//   mail/         templates, SMTP, verification emails   routes/        one file per area
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createDeps, type AuthOptions } from './deps.ts';
import {
	AuthError,
	errorResponse,
	notFound,
	OAuthError,
	oauthErrorResponse,
	unexpectedErrorResponse
} from './errors.ts';
import { apiKeyGuard, requireUser } from './guards.ts';
import { adminLinkRoutes } from './routes/admin-links.ts';
import { adminUserRoutes } from './routes/admin-users.ts';
import { externalRoutes } from './routes/external.ts';
import { factorRoutes } from './routes/factors.ts';
import { logoutRoutes } from './routes/logout.ts';
import { metaRoutes } from './routes/meta.ts';
import { otpRoutes } from './routes/otp.ts';
import { recoverRoutes } from './routes/recover.ts';
import { signupRoutes } from './routes/signup.ts';
import { tokenRoutes } from './routes/token.ts';
import { userRoutes } from './routes/user.ts';
import { verifyRoutes } from './routes/verify.ts';

export type { AuthOptions } from './deps.ts';
export {
	defaultAuthSettings,
	readAuthSettings,
	type AuthSettings,
	type AuthSettingsOverrides
} from './settings.ts';

/** GoTrue refuses bodies over 1 MB. */
const MAX_BODY_BYTES = 1 << 20;

export function createAuthApp(options: AuthOptions): Hono {
	const deps = createDeps(options);
	const v1 = new Hono();
	v1.use(
		'*',
		bodyLimit({
			maxSize: MAX_BODY_BYTES,
			onError: (c) => {
				// The rest of the body is never read: the connection cannot be reused.
				c.header('Connection', 'close');
				return errorResponse(
					c,
					new AuthError(
						413,
						'request_entity_too_large',
						`Request body too large (max ${MAX_BODY_BYTES} bytes)`
					)
				);
			}
		})
	);
	v1.use('*', apiKeyGuard(deps));
	for (const routes of [
		metaRoutes,
		signupRoutes,
		tokenRoutes,
		userRoutes,
		logoutRoutes,
		verifyRoutes,
		otpRoutes,
		recoverRoutes,
		adminUserRoutes,
		adminLinkRoutes,
		externalRoutes,
		factorRoutes
	]) {
		v1.route('/', routes(deps));
	}
	const methodsOf = routeMethods(v1);
	v1.all('*', async (c) => {
		const path = c.req.path.slice('/auth/v1'.length).replace(/(.)\/+$/, '$1');
		const allowed = methodsOf(path);
		if (allowed.length === 0) {
			return errorResponse(
				c,
				notFound('unknown', `No Auth API route for ${c.req.method} ${c.req.path}`)
			);
		}
		// GoTrue's router checks the user of these groups before it finds the method wrong.
		if (SIGNED_IN_GROUPS.includes(path)) await requireUser(c, deps);
		// chi's answer to a wrong method: 405, the allowed methods, no body.
		for (const method of allowed) c.header('Allow', method, { append: true });
		return c.body(null, 405);
	});

	const app = new Hono();
	app.route('/auth/v1', v1);
	app.onError((error, c) => {
		if (error instanceof AuthError) return errorResponse(c, error);
		if (error instanceof OAuthError) return oauthErrorResponse(c, error);
		return unexpectedErrorResponse(c, error, deps.log);
	});
	return app;
}

/** Routes GoTrue mounts behind requireAuthentication as a group (the check runs before 405). */
const SIGNED_IN_GROUPS = ['/user', '/reauthenticate'];

/** The methods registered for a path of `app` (`:id` segments match anything but `/`). */
function routeMethods(app: Hono): (path: string) => string[] {
	const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	const routes = app.routes
		.filter((r) => r.method !== 'ALL')
		.map((r) => ({
			method: r.method,
			pattern: new RegExp(`^${escape(r.path).replace(/:[^/]+/g, '[^/]+')}$`)
		}));
	return (path) => [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
}
