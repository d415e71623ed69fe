// The server verifies the access token on every request (signature and expiry) and never
// trusts a session cookie on its own: a cookie carrying a forged token is a signed-out visitor.
import { randomUUID } from 'node:crypto';
import { createClient } from '@supabase/supabase-js';
import { expect, test, type BrowserContext } from '@playwright/test';
import { uniqueEmail } from './helpers.ts';
import { stack } from './stack.ts';

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** A JWT with Supabase's claims for a made-up user, signed by nobody. */
function forgedJwt(header: Record<string, unknown>): string {
	const now = Math.floor(Date.now() / 1000);
	const payload = {
		sub: randomUUID(),
		role: 'authenticated',
		aud: 'authenticated',
		email: 'intruder@example.test',
		iat: now,
		exp: now + 3600,
		session_id: randomUUID(),
		is_anonymous: false
	};
	return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}.${b64url('not-a-signature')}`;
}

/** Puts a session cookie in @supabase/ssr's format (base64url JSON under sb-<ref>-auth-token). */
async function plantSession(context: BrowserContext, accessToken: string): Promise<void> {
	const ref = new URL(stack().apiUrl).hostname.split('.')[0] ?? '';
	const session = {
		access_token: accessToken,
		refresh_token: 'forged-refresh-token',
		token_type: 'bearer',
		expires_in: 3600,
		expires_at: Math.floor(Date.now() / 1000) + 3600,
		user: { id: randomUUID(), aud: 'authenticated', role: 'authenticated' }
	};
	await context.addCookies([
		{
			name: `sb-${ref}-auth-token`,
			value: `base64-${b64url(JSON.stringify(session))}`,
			url: stack().appUrl
		}
	]);
}

async function signingKid(): Promise<string> {
	const response = await fetch(`${stack().apiUrl}/auth/v1/.well-known/jwks.json`);
	const { keys } = (await response.json()) as { keys: { kid?: string }[] };
	return keys[0]?.kid ?? 'unknown-kid';
}

test('a session cookie with a badly signed ES256 token (real key id) is not trusted', async ({
	page,
	context
}) => {
	await plantSession(context, forgedJwt({ alg: 'ES256', typ: 'JWT', kid: await signingKid() }));
	await page.goto('/account');
	await expect(page).toHaveURL('/login?redirectTo=%2Faccount');
	await page.goto('/');
	await expect(page.getByRole('link', { name: 'Sign up' }).first()).toBeVisible();
});

test('a session cookie with a forged HS256 token is not trusted', async ({ page, context }) => {
	await plantSession(context, forgedJwt({ alg: 'HS256', typ: 'JWT' }));
	await page.goto('/account');
	await expect(page).toHaveURL('/login?redirectTo=%2Faccount');
});

test('control: the same cookie format with a genuine token is a signed-in visitor', async ({
	page,
	context
}) => {
	const email = uniqueEmail('cookie');
	const password = 'cookie-control-pass-1';
	const { error } = await createClient(stack().apiUrl, stack().SUPABASE_SERVICE_ROLE_KEY, {
		auth: { persistSession: false, autoRefreshToken: false }
	}).auth.admin.createUser({ email, password, email_confirm: true });
	if (error) throw error;
	const signIn = await createClient(stack().apiUrl, stack().PUBLIC_SUPABASE_ANON_KEY, {
		auth: { persistSession: false, autoRefreshToken: false }
	}).auth.signInWithPassword({ email, password });
	if (signIn.error) throw signIn.error;

	await plantSession(context, signIn.data.session.access_token);
	await page.goto('/account');
	await expect(page).toHaveURL('/account');
	await expect(page.getByTestId('email')).toHaveText(email);
});
