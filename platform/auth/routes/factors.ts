// MFA factors (supabase.auth.mfa.*). Not implemented locally: [auth.mfa.*] enroll_enabled is
// false in config.toml, so enrolling answers GoTrue's "not enabled" code for the factor type,
// and a factor id can never be found (GoTrue's mfa.go, loadFactor).
import { Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { AuthDeps } from '../deps.ts';
import { badRequest, notFound, unprocessable } from '../errors.ts';
import { requireUser } from '../guards.ts';
import { field, readJson } from '../request.ts';
import { isUuid } from '../users.ts';

const enrollBody = z.object({
	factor_type: field(),
	friendly_name: field(),
	issuer: field(),
	phone: field()
});

export function factorRoutes(deps: AuthDeps): Hono {
	const app = new Hono();

	const signedIn: MiddlewareHandler = async (c, next) => {
		await requireUser(c, deps);
		await next();
	};
	app.use('/factors', signedIn);
	app.use('/factors/*', signedIn);

	app.post('/factors', async (c) => {
		const body = await readJson(c, enrollBody);
		switch (body.factor_type) {
			case 'totp':
				throw unprocessable('mfa_totp_enroll_not_enabled', 'MFA enroll is disabled for TOTP');
			case 'phone':
				throw unprocessable('mfa_phone_enroll_not_enabled', 'MFA enroll is disabled for Phone');
			case 'webauthn':
				throw unprocessable(
					'mfa_webauthn_enroll_not_enabled',
					'MFA enroll is disabled for WebAuthn'
				);
			default:
				throw badRequest('validation_failed', 'factor_type needs to be totp, phone, or webauthn');
		}
	});

	const noFactor = (id: string) => {
		if (!isUuid(id)) return notFound('validation_failed', 'factor_id must be an UUID');
		return notFound('mfa_factor_not_found', 'Factor not found');
	};
	app.post('/factors/:id/challenge', (c) => {
		throw noFactor(c.req.param('id'));
	});
	app.post('/factors/:id/verify', (c) => {
		throw noFactor(c.req.param('id'));
	});
	app.delete('/factors/:id', (c) => {
		throw noFactor(c.req.param('id'));
	});

	return app;
}
