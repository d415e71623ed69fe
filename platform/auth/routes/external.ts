// GET /authorize (signInWithOAuth) and /user/identities (linkIdentity, unlinkIdentity). No OAuth
// provider is enabled locally, so these answer GoTrue's errors for that case: an unknown or
// disabled provider is `validation_failed`, and identity linking needs [auth]
// enable_manual_linking (`manual_linking_disabled` otherwise). GoTrue's external.go, identity.go.
import { Hono, type MiddlewareHandler } from 'hono';
import type { AuthDeps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { requireUser } from '../guards.ts';
import { authorizeProviderError } from '../providers.ts';

export function externalRoutes(deps: AuthDeps): Hono {
	const app = new Hono();

	app.get('/authorize', (c) => {
		throw authorizeProviderError(c.req.query('provider') ?? '');
	});

	// GoTrue checks the user first, then whether linking is on, for every method.
	const linkingEnabled: MiddlewareHandler = async (c, next) => {
		await requireUser(c, deps);
		if (!deps.settings.manualLinking) {
			throw notFound('manual_linking_disabled', 'Manual linking is disabled');
		}
		await next();
	};
	app.use('/user/identities/*', linkingEnabled);
	app.use('/user/identities', linkingEnabled);

	app.get('/user/identities/authorize', (c) => {
		throw authorizeProviderError(c.req.query('provider') ?? '');
	});

	app.delete('/user/identities/:id', () => {
		// Only OAuth identities can be unlinked, and none can exist here.
		throw notFound('identity_not_found', "Identity doesn't exist");
	});

	return app;
}
