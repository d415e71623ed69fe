// PKCE, the flow @supabase/ssr uses: the email link comes back with `?code=`, which the
// client that started the flow exchanges (with its stored code verifier) for a session.
// Also the cookie-based server client of @supabase/ssr end to end.
import { createServerClient } from '@supabase/ssr';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import {
	anonClient,
	confirmedUser,
	firstLink,
	mailTo,
	openLink,
	rawAuth,
	uniqueEmail
} from './support.ts';

let platform: TestPlatform;

beforeAll(async () => {
	platform = await startTestPlatform();
});

afterAll(async () => {
	await platform?.stop();
});

afterEach(() => {
	platform.clock.reset();
});

const callback = 'http://127.0.0.1:3000/auth/callback';

/** Signs up with a PKCE client and returns the `code` the confirmation link redirects with. */
async function pkceSignUp(email: string) {
	const supabase = anonClient(platform, 'pkce');
	const since = new Date().toISOString();
	const { data, error } = await supabase.auth.signUp({
		email,
		password: 'proof-key-for-code-exchange',
		options: { emailRedirectTo: callback }
	});
	expect(error).toBeNull();
	const link = new URL(firstLink(await mailTo(platform, email, since)));
	expect(link.searchParams.get('token')).toMatch(/^pkce_[0-9a-f]{56}$/);
	const { location } = await openLink(link.href);
	expect(`${location.origin}${location.pathname}`).toBe(callback);
	expect(location.hash).toBe('');
	return { supabase, code: location.searchParams.get('code') ?? '', userId: data.user?.id };
}

describe('PKCE', () => {
	test('signUp → link → ?code= → exchangeCodeForSession', async () => {
		const email = uniqueEmail('pkce');
		const { supabase, code, userId } = await pkceSignUp(email);
		const { rows: pending } = await platform.pool.query(
			'select provider_type, authentication_method, code_challenge_method from auth.flow_state where user_id = $1',
			[userId]
		);
		expect(pending).toEqual([
			{
				provider_type: 'email',
				authentication_method: 'email/signup',
				code_challenge_method: 's256'
			}
		]);

		const { data, error } = await supabase.auth.exchangeCodeForSession(code);
		expect(error).toBeNull();
		expect(data.user?.email).toBe(email);
		expect(data.user?.email_confirmed_at).toBeTruthy();
		expect(decodeJwt(data.session?.access_token ?? '').amr).toEqual([
			{ method: 'email/signup', timestamp: expect.any(Number) as number }
		]);

		// The code is single-use.
		const { rows } = await platform.pool.query('select 1 from auth.flow_state where user_id = $1', [
			userId
		]);
		expect(rows).toEqual([]);
	});

	test('a code cannot be exchanged with the wrong verifier, twice, or too late', async () => {
		const { code } = await pkceSignUp(uniqueEmail('verifier'));
		const exchange = (verifier: string) =>
			rawAuth(platform, '/token?grant_type=pkce', {
				method: 'POST',
				body: JSON.stringify({ auth_code: code, code_verifier: verifier })
			});
		const wrong = await exchange('x'.repeat(56));
		expect(wrong.status).toBe(400);
		expect(await wrong.json()).toMatchObject({ code: 'bad_code_verifier' });

		platform.clock.advance((platform.settings.flowStateExpiry + 1) * 1000);
		const late = await exchange('x'.repeat(56));
		expect(late.status).toBe(422);
		expect(await late.json()).toMatchObject({ code: 'flow_state_expired' });

		const unknown = await anonClient(platform, 'pkce').auth.exchangeCodeForSession(code);
		// supabase-js refuses before asking: this client never started a flow.
		expect(unknown.error?.name).toBe('AuthPKCECodeVerifierMissingError');
	});

	test('password recovery with PKCE reports redirectType recovery', async () => {
		const { email } = await confirmedUser(platform);
		const supabase = anonClient(platform, 'pkce');
		const since = new Date().toISOString();
		await supabase.auth.resetPasswordForEmail(email, { redirectTo: callback });
		const { location } = await openLink(firstLink(await mailTo(platform, email, since)));
		const { data, error } = await supabase.auth.exchangeCodeForSession(
			location.searchParams.get('code') ?? ''
		);
		expect(error).toBeNull();
		// Recorded with the verifier ("<verifier>/recovery"), so the app knows to ask for a password.
		expect(data).toMatchObject({ redirectType: 'recovery' });
		expect((await supabase.auth.updateUser({ password: 'after-recovery' })).error).toBeNull();
	});

	test('magic link with PKCE', async () => {
		const { email } = await confirmedUser(platform);
		const supabase = anonClient(platform, 'pkce');
		const since = new Date().toISOString();
		await supabase.auth.signInWithOtp({ email, options: { emailRedirectTo: callback } });
		const { location } = await openLink(firstLink(await mailTo(platform, email, since)));
		const { data, error } = await supabase.auth.exchangeCodeForSession(
			location.searchParams.get('code') ?? ''
		);
		expect(error).toBeNull();
		expect(data.session?.user.email).toBe(email);
	});

	test('an invalid link sends the error in the query too (the server-side callback sees it)', async () => {
		const { location } = await openLink(
			`${platform.apiUrl}/auth/v1/verify?token=pkce_${'0'.repeat(56)}&type=signup&redirect_to=${callback}`
		);
		expect(location.searchParams.get('error_code')).toBe('otp_expired');
		expect(new URLSearchParams(location.hash.slice(1)).get('error_code')).toBe('otp_expired');
	});
});

describe('@supabase/ssr server client', () => {
	/** One browser's cookies, shared by the "requests" below. */
	function cookieJar() {
		const jar = new Map<string, string>();
		const client = () =>
			createServerClient(platform.apiUrl, platform.anonKey, {
				cookies: {
					getAll: () => [...jar].map(([name, value]) => ({ name, value })),
					setAll: (cookies) => {
						for (const { name, value, options } of cookies) {
							if (options?.maxAge === 0 || value === '') jar.delete(name);
							else jar.set(name, value);
						}
					}
				}
			});
		return { jar, client };
	}

	test('sign-up, confirm via ?code=, then every request reads the session from cookies', async () => {
		const browser = cookieJar();
		const email = uniqueEmail('ssr');
		const since = new Date().toISOString();

		// Request 1: the sign-up form action (stores the code verifier in a cookie).
		const signUp = await browser.client().auth.signUp({
			email,
			password: 'cookies-all-the-way',
			options: { emailRedirectTo: callback, data: { full_name: 'Server Side' } }
		});
		expect(signUp.error).toBeNull();
		expect([...browser.jar.keys()].some((name) => name.endsWith('-code-verifier'))).toBe(true);

		// The user opens the link from the mailbox.
		const { location } = await openLink(firstLink(await mailTo(platform, email, since)));
		const code = location.searchParams.get('code') ?? '';

		// Request 2: /auth/callback exchanges the code; the session lands in cookies.
		const exchanged = await browser.client().auth.exchangeCodeForSession(code);
		expect(exchanged.error).toBeNull();
		expect([...browser.jar.keys()].some((name) => /-auth-token(\.\d+)?$/.test(name))).toBe(true);

		// Request 3: any page; hooks.server.ts verifies the JWT (getClaims) and loads the user.
		const page = browser.client();
		const claims = await page.auth.getClaims();
		expect(claims.error).toBeNull();
		expect(claims.data?.claims.email).toBe(email);
		const user = await page.auth.getUser();
		expect(user.data.user?.user_metadata).toMatchObject({ full_name: 'Server Side' });

		// Request 4: sign out clears the cookies.
		await browser.client().auth.signOut();
		expect([...browser.jar.keys()].some((name) => /-auth-token(\.\d+)?$/.test(name))).toBe(false);
	});

	test('verifyOtp with token_hash on the server (the /auth/confirm pattern)', async () => {
		const browser = cookieJar();
		const email = uniqueEmail('ssr-confirm');
		const since = new Date().toISOString();
		await browser.client().auth.signUp({ email, password: 'confirm-on-server' });
		const link = new URL(firstLink(await mailTo(platform, email, since)));

		const { error } = await browser.client().auth.verifyOtp({
			token_hash: link.searchParams.get('token') ?? '',
			type: 'email'
		});
		expect(error).toBeNull();
		expect((await browser.client().auth.getUser()).data.user?.email).toBe(email);
	});
});
