// POST /signup: email + password. With confirmations on (the default) the answer is the
// new, unconfirmed user and a confirmation email; with them off, a session.
import { Hono } from 'hono';
import { z } from 'zod';
import { signUpWithEmail } from '../accounts.ts';
import type { AuthDeps } from '../deps.ts';
import { badRequest, unprocessable } from '../errors.ts';
import { clientIp, field, metadata, readJson } from '../request.ts';

const signupBody = z.object({
	email: field(),
	phone: field(),
	password: field(),
	data: metadata,
	channel: field(),
	code_challenge: field(),
	code_challenge_method: field()
});

export function signupRoutes(deps: AuthDeps): Hono {
	const app = new Hono();

	app.post('/signup', async (c) => {
		const body = await readJson(c, signupBody);
		if (body.email === '' && body.phone === '') {
			throw unprocessable('anonymous_provider_disabled', 'Anonymous sign-ins are disabled');
		}
		deps.limiter.hit('signup', clientIp(c, deps), deps.settings.rateLimits.signInSignUps, 300);
		if (body.email !== '' && body.phone !== '') {
			throw badRequest(
				'validation_failed',
				'Only an email address or phone number should be provided on signup.'
			);
		}
		if (body.phone !== '') {
			throw badRequest('phone_provider_disabled', 'Phone signups are disabled');
		}
		const result = await signUpWithEmail(c, deps, {
			email: body.email,
			password: body.password,
			data: body.data ?? {},
			codeChallenge: body.code_challenge,
			codeChallengeMethod: body.code_challenge_method
		});
		return c.json('session' in result ? result.session : result.user);
	});

	return app;
}
