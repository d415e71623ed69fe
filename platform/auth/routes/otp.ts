// POST /otp (signInWithOtp: magic link + code by email) and the older POST /magiclink.
// An address without a confirmed account goes through sign-up (create_user, the default),
// as in GoTrue's otp.go and magic_link.go.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { flowOf, signUpWithEmail } from '../accounts.ts';
import { audit } from '../audit.ts';
import { inTransaction } from '../db.ts';
import type { AuthDeps } from '../deps.ts';
import { badRequest, unprocessable } from '../errors.ts';
import { createFlowState } from '../flow-state.ts';
import { sendMagicLink } from '../mail/verification-mail.ts';
import { randomPassword } from '../passwords.ts';
import { referrer } from '../redirects.ts';
import { clientIp, field, flag, metadata, readJson } from '../request.ts';
import { validatePkceParams } from '../tokens.ts';
import { findUserByEmail, type Metadata } from '../users.ts';
import { validateEmail } from '../validate.ts';

const otpBody = z.object({
	email: field(),
	phone: field(),
	create_user: flag,
	data: metadata,
	channel: field(),
	code_challenge: field(),
	code_challenge_method: field()
});

export function otpRoutes(deps: AuthDeps): Hono {
	const app = new Hono();

	app.post('/otp', async (c) => {
		deps.limiter.hit('otp', clientIp(c, deps), deps.settings.rateLimits.signInSignUps, 300);
		const body = await readJson(c, otpBody);
		if (body.email !== '' && body.phone !== '') {
			throw badRequest(
				'validation_failed',
				'Only an email address or phone number should be provided'
			);
		}
		if (body.email !== '' && body.channel !== '') {
			throw badRequest('validation_failed', 'Channel should only be specified with Phone OTP');
		}
		validatePkceParams(body.code_challenge, body.code_challenge_method);
		if (body.create_user === false && body.email !== '') {
			if (!(await findUserByEmail(deps.db, validateEmail(body.email)))) {
				throw unprocessable('otp_disabled', 'Signups not allowed for otp');
			}
		}
		if (body.phone !== '')
			throw badRequest('phone_provider_disabled', 'Unsupported phone provider');
		if (body.email === '') {
			throw badRequest('validation_failed', 'One of email or phone must be set');
		}
		await magicLink(
			c,
			deps,
			body.email,
			body.data ?? {},
			body.code_challenge,
			body.code_challenge_method
		);
		return c.json({});
	});

	app.post('/magiclink', async (c) => {
		deps.limiter.hit('magiclink', clientIp(c, deps), deps.settings.rateLimits.signInSignUps, 300);
		const body = await readJson(c, otpBody);
		validatePkceParams(body.code_challenge, body.code_challenge_method);
		await magicLink(
			c,
			deps,
			body.email,
			body.data ?? {},
			body.code_challenge,
			body.code_challenge_method
		);
		return c.json({});
	});

	return app;
}

async function magicLink(
	c: Context,
	deps: AuthDeps,
	rawEmail: string,
	data: Metadata,
	codeChallenge: string,
	codeChallengeMethod: string
): Promise<void> {
	if (!deps.settings.emailEnabled) {
		throw unprocessable('email_provider_disabled', 'Email logins are disabled');
	}
	if (rawEmail === '') {
		throw unprocessable('validation_failed', 'Password recovery requires an email');
	}
	const email = validateEmail(rawEmail);
	const flow = flowOf(codeChallenge);
	let user = await findUserByEmail(deps.db, email);
	if (!user?.email_confirmed_at) {
		// Nobody (confirmed) has this address: sign them up. With confirmations on, the
		// confirmation email is their magic link.
		await signUpWithEmail(c, deps, {
			email,
			password: randomPassword(),
			data,
			codeChallenge,
			codeChallengeMethod
		});
		if (deps.settings.enableConfirmations) return;
		user = await findUserByEmail(deps.db, email);
		if (!user) return;
	}
	const confirmed = user;
	const redirectTo = referrer(c, deps.settings);
	await inTransaction(deps.db, async (tx) => {
		const now = deps.now();
		if (flow === 'pkce') {
			await createFlowState(
				tx,
				{
					userId: confirmed.id,
					providerType: 'magiclink',
					method: 'magiclink',
					codeChallenge,
					codeChallengeMethod
				},
				now
			);
		}
		await audit(tx, confirmed, 'user_recovery_requested', now);
		await sendMagicLink(tx, deps, confirmed, flow, redirectTo);
	});
}
