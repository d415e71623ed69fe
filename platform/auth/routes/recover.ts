// POST /recover (resetPasswordForEmail) and POST /resend (confirmation or email-change link
// again). Both answer `{}` whether or not the address has an account, so they cannot be used
// to find out who is registered (GoTrue's recover.go, resend.go).
import { Hono } from 'hono';
import { z } from 'zod';
import { flowOf } from '../accounts.ts';
import { audit } from '../audit.ts';
import { inTransaction } from '../db.ts';
import type { AuthDeps } from '../deps.ts';
import { badRequest } from '../errors.ts';
import { createFlowState } from '../flow-state.ts';
import { sendConfirmation, sendEmailChange, sendRecovery } from '../mail/verification-mail.ts';
import { referrer } from '../redirects.ts';
import { clientIp, field, readJson } from '../request.ts';
import { validatePkceParams } from '../tokens.ts';
import { findUserByEmail } from '../users.ts';
import { validateEmail } from '../validate.ts';

const recoverBody = z.object({
	email: field(),
	code_challenge: field(),
	code_challenge_method: field()
});

const resendBody = z.object({
	type: field(),
	email: field(),
	phone: field(),
	code_challenge: field(),
	code_challenge_method: field()
});

export function recoverRoutes(deps: AuthDeps): Hono {
	const app = new Hono();

	app.post('/recover', async (c) => {
		deps.limiter.hit('recover', clientIp(c, deps), deps.settings.rateLimits.signInSignUps, 300);
		if (!deps.settings.emailEnabled) {
			throw badRequest('email_provider_disabled', 'Email logins are disabled');
		}
		const body = await readJson(c, recoverBody);
		if (body.email === '') {
			throw badRequest('validation_failed', 'Password recovery requires an email');
		}
		const email = validateEmail(body.email);
		validatePkceParams(body.code_challenge, body.code_challenge_method);
		const user = await findUserByEmail(deps.db, email);
		if (!user) return c.json({});
		const flow = flowOf(body.code_challenge);
		const redirectTo = referrer(c, deps.settings);
		await inTransaction(deps.db, async (tx) => {
			const now = deps.now();
			if (flow === 'pkce') {
				await createFlowState(
					tx,
					{
						userId: user.id,
						providerType: 'recovery',
						method: 'recovery',
						codeChallenge: body.code_challenge,
						codeChallengeMethod: body.code_challenge_method
					},
					now
				);
			}
			await audit(tx, user, 'user_recovery_requested', now);
			await sendRecovery(tx, deps, user, flow, redirectTo);
		});
		return c.json({});
	});

	app.post('/resend', async (c) => {
		deps.limiter.hit('resend', clientIp(c, deps), deps.settings.rateLimits.signInSignUps, 300);
		const body = await readJson(c, resendBody);
		const type = body.type;
		if (type === 'sms' || type === 'phone_change' || body.phone !== '') {
			throw badRequest('phone_provider_disabled', 'Phone logins are disabled');
		}
		if (type !== 'signup' && type !== 'email_change') {
			throw badRequest(
				'validation_failed',
				'Missing one of these types: signup, email_change, sms, phone_change'
			);
		}
		validatePkceParams(body.code_challenge, body.code_challenge_method);
		if (body.email === '') {
			throw badRequest(
				'validation_failed',
				type === 'signup'
					? 'Type provided requires an email address'
					: 'Missing email address or phone number'
			);
		}
		if (!deps.settings.emailEnabled) {
			throw badRequest('email_provider_disabled', 'Email logins are disabled');
		}
		const user = await findUserByEmail(deps.db, validateEmail(body.email));
		if (!user) return c.json({});
		if (type === 'signup' && user.email_confirmed_at) return c.json({});
		if (type === 'email_change' && !user.email_change) return c.json({});
		const flow = flowOf(body.code_challenge);
		const redirectTo = referrer(c, deps.settings);
		await inTransaction(deps.db, async (tx) => {
			const now = deps.now();
			if (flow === 'pkce') {
				await createFlowState(
					tx,
					{
						userId: user.id,
						providerType: type === 'signup' ? 'email' : 'email_change',
						method: type === 'signup' ? 'email/signup' : 'email_change',
						codeChallenge: body.code_challenge,
						codeChallengeMethod: body.code_challenge_method
					},
					now
				);
			}
			if (type === 'signup') {
				await audit(tx, user, 'user_confirmation_requested', now);
				await sendConfirmation(tx, deps, user, flow, redirectTo);
			} else {
				await sendEmailChange(tx, deps, user, user.email_change ?? '', flow, redirectTo);
			}
		});
		return c.json({});
	});

	return app;
}
