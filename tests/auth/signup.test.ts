// Sign-up with email confirmation (the default), through supabase-js: the confirmation mail,
// both ways of using it (the link, and verifyOtp as a server-side confirm route does), then
// signing in, and what ends up in auth.users, auth.identities and public.profiles.
import bcrypt from 'bcryptjs';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import {
	anonClient,
	codeIn,
	confirmedUser,
	firstLink,
	fragment,
	mailTo,
	noMailTo,
	openLink,
	uniqueEmail
} from './support.ts';

let platform: TestPlatform;

beforeAll(async () => {
	platform = await startTestPlatform();
});

afterAll(async () => {
	await platform?.stop();
});

describe('sign up with email confirmation', () => {
	test('the confirmation link verifies the address and signs the user in', async () => {
		const supabase = anonClient(platform);
		const email = uniqueEmail('Ada');
		const since = new Date().toISOString();

		const { data, error } = await supabase.auth.signUp({
			email,
			password: 'analytical-engine',
			options: {
				data: { full_name: 'Ada Lovelace' },
				emailRedirectTo: 'http://127.0.0.1:3000/welcome'
			}
		});
		expect(error).toBeNull();
		expect(data.session).toBeNull();
		expect(data.user).toMatchObject({
			email: email.toLowerCase(),
			aud: 'authenticated',
			role: 'authenticated',
			user_metadata: { full_name: 'Ada Lovelace' },
			app_metadata: { provider: 'email', providers: ['email'] },
			is_anonymous: false
		});
		expect(data.user?.email_confirmed_at).toBeUndefined();
		expect(data.user?.identities).toHaveLength(1);

		// Not confirmed yet: no sign-in.
		const early = await supabase.auth.signInWithPassword({ email, password: 'analytical-engine' });
		expect(early.error).toMatchObject({ status: 400, code: 'email_not_confirmed' });

		const mail = await mailTo(platform, email, since, /Confirm your email/);
		const link = new URL(firstLink(mail));
		expect(`${link.origin}${link.pathname}`).toBe(`${platform.apiUrl}/auth/v1/verify`);
		expect(link.searchParams.get('type')).toBe('signup');
		expect(link.searchParams.get('redirect_to')).toBe('http://127.0.0.1:3000/welcome');

		const { status, location } = await openLink(link.href);
		expect(status).toBe(303);
		expect(`${location.origin}${location.pathname}`).toBe('http://127.0.0.1:3000/welcome');
		const params = fragment(location);
		expect(params.get('type')).toBe('signup');
		expect(params.get('token_type')).toBe('bearer');
		expect(params.get('expires_in')).toBe('3600');

		// What a browser client does with the fragment (detectSessionInUrl).
		const session = await supabase.auth.setSession({
			access_token: params.get('access_token') ?? '',
			refresh_token: params.get('refresh_token') ?? ''
		});
		expect(session.error).toBeNull();
		expect(session.data.user?.email_confirmed_at).toBeTruthy();
		expect(session.data.user?.user_metadata).toMatchObject({ email_verified: true });

		// The link is single-use.
		const again = await openLink(link.href);
		expect(fragment(again.location).get('error_code')).toBe('otp_expired');
		expect(fragment(again.location).get('error')).toBe('access_denied');
	});

	test("user_metadata after sign-up is the email identity's data, as GoTrue writes it", async () => {
		const email = uniqueEmail('Meta');
		const { data, error } = await anonClient(platform).auth.signUp({
			email,
			password: 'identity-data',
			// Sign-up data cannot overwrite what the identity says.
			options: { data: { full_name: 'Katherine Johnson', email_verified: true, sub: 'me' } }
		});
		expect(error).toBeNull();
		const id = data.user?.id;
		const expected = {
			sub: id,
			email: email.toLowerCase(),
			email_verified: false,
			phone_verified: false,
			full_name: 'Katherine Johnson'
		};
		expect(data.user?.user_metadata).toEqual(expected);
		expect(data.user?.identities?.[0]?.identity_data).toEqual(expected);
		const { rows } = await platform.pool.query(
			'select raw_user_meta_data from auth.users where id = $1',
			[id]
		);
		expect(rows).toEqual([{ raw_user_meta_data: expected }]);

		// Confirming the address flips email_verified in user_metadata.
		const mail = await mailTo(platform, email.toLowerCase(), new Date(0).toISOString());
		const verified = await anonClient(platform).auth.verifyOtp({
			email,
			token: codeIn(mail),
			type: 'email'
		});
		expect(verified.error).toBeNull();
		expect(verified.data.user?.user_metadata).toEqual({ ...expected, email_verified: true });
	});

	test('rows are written as Supabase Auth writes them, and the profile trigger fires', async () => {
		const supabase = anonClient(platform);
		const email = uniqueEmail('rows');
		const { data } = await supabase.auth.signUp({
			email,
			password: 'portable-rows',
			options: { data: { full_name: 'Grace Hopper' } }
		});
		const id = data.user?.id;

		const { rows: users } = await platform.pool.query<{
			encrypted_password: string;
			confirmation_token: string;
			instance_id: string;
			raw_app_meta_data: unknown;
		}>('select * from auth.users where id = $1', [id]);
		const user = users[0];
		expect(user?.encrypted_password).toMatch(/^\$2[ab]\$10\$/);
		expect(await bcrypt.compare('portable-rows', user?.encrypted_password ?? '')).toBe(true);
		expect(user?.instance_id).toBe('00000000-0000-0000-0000-000000000000');
		// Only the hash of the emailed code is stored, on the user and in one_time_tokens.
		expect(user?.confirmation_token).toMatch(/^[0-9a-f]{56}$/);
		const { rows: tokens } = await platform.pool.query(
			'select token_type, token_hash, relates_to from auth.one_time_tokens where user_id = $1',
			[id]
		);
		expect(tokens).toEqual([
			{
				token_type: 'confirmation_token',
				token_hash: user?.confirmation_token,
				relates_to: email.toLowerCase()
			}
		]);

		const { rows: identities } = await platform.pool.query(
			'select provider, provider_id, identity_data from auth.identities where user_id = $1',
			[id]
		);
		expect(identities).toEqual([
			{
				provider: 'email',
				provider_id: id,
				identity_data: {
					sub: id,
					email: email.toLowerCase(),
					email_verified: false,
					phone_verified: false,
					full_name: 'Grace Hopper'
				}
			}
		]);

		const { rows: profiles } = await platform.pool.query(
			'select email, full_name from public.profiles where id = $1',
			[id]
		);
		expect(profiles).toEqual([{ email: email.toLowerCase(), full_name: 'Grace Hopper' }]);

		const { rows: audit } = await platform.pool.query<{ action: string }>(
			"select payload->>'action' as action from auth.audit_log_entries where payload->>'actor_id' = $1",
			[id]
		);
		expect(audit.map((a) => a.action)).toContain('user_confirmation_requested');
	});

	test('verifyOtp with the token hash (a server-side /auth/confirm route) confirms too', async () => {
		const supabase = anonClient(platform);
		const email = uniqueEmail('hash');
		const since = new Date().toISOString();
		await supabase.auth.signUp({ email, password: 'token-hash-flow' });
		const link = new URL(firstLink(await mailTo(platform, email, since)));
		const tokenHash = link.searchParams.get('token') ?? '';

		const { data, error } = await supabase.auth.verifyOtp({ token_hash: tokenHash, type: 'email' });
		expect(error).toBeNull();
		expect(data.session?.access_token).toBeTruthy();
		expect(data.user?.email_confirmed_at).toBeTruthy();
		expect(decodeJwt(data.session?.access_token ?? '').amr).toEqual([
			{ method: 'otp', timestamp: expect.any(Number) as number }
		]);
	});

	test('the code in the email confirms as well (verifyOtp with email + token)', async () => {
		const supabase = anonClient(platform);
		const email = uniqueEmail('code');
		const since = new Date().toISOString();
		await supabase.auth.signUp({ email, password: 'six-digit-code' });
		const code = codeIn(await mailTo(platform, email, since));

		const wrong = await supabase.auth.verifyOtp({ email, token: '000000', type: 'email' });
		expect(wrong.error).toMatchObject({ status: 403, code: 'otp_expired' });

		const { data, error } = await supabase.auth.verifyOtp({ email, token: code, type: 'email' });
		expect(error).toBeNull();
		expect(data.user?.email).toBe(email.toLowerCase());
	});

	test('a link opened twice at the same moment signs in once', async () => {
		const email = uniqueEmail('race');
		const since = new Date().toISOString();
		await anonClient(platform).auth.signUp({ email, password: 'first-click-wins' });
		const link = firstLink(await mailTo(platform, email, since));
		const results = await Promise.all([openLink(link), openLink(link)]);
		const signedIn = results.filter(({ location }) => fragment(location).has('access_token'));
		expect(signedIn).toHaveLength(1);
	});

	test('an expired confirmation link redirects with an error instead of signing in', async () => {
		const supabase = anonClient(platform);
		const email = uniqueEmail('late');
		const since = new Date().toISOString();
		await supabase.auth.signUp({ email, password: 'too-late-now' });
		const link = firstLink(await mailTo(platform, email, since));
		platform.clock.advance((platform.settings.otpExpiry + 1) * 1000);
		try {
			const { location } = await openLink(link);
			expect(location.origin).toBe('http://127.0.0.1:3000');
			expect(Object.fromEntries(fragment(location))).toMatchObject({
				error: 'access_denied',
				error_code: 'otp_expired',
				error_description: 'Email link is invalid or has expired'
			});
		} finally {
			platform.clock.reset();
		}
	});

	test('a redirect_to outside the allow list falls back to the site URL', async () => {
		const supabase = anonClient(platform);
		const email = uniqueEmail('evil');
		const since = new Date().toISOString();
		await supabase.auth.signUp({
			email,
			password: 'no-open-redirects',
			options: { emailRedirectTo: 'https://evil.example/steal' }
		});
		const link = new URL(firstLink(await mailTo(platform, email, since)));
		expect(link.searchParams.get('redirect_to')).toBe('http://127.0.0.1:3000');
	});
});

describe('sign in', () => {
	test('password sign-in, getUser, refresh and sign-out', async () => {
		const { email, password, id } = await confirmedUser(platform, 'open-sesame-42', {
			full_name: 'Alan Turing'
		});
		const supabase = anonClient(platform);

		const { data, error } = await supabase.auth.signInWithPassword({ email, password });
		expect(error).toBeNull();
		const session = data.session;
		expect(session).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
		expect(session?.refresh_token).toMatch(/^[a-z0-9]{12}$/);
		expect(data.user?.last_sign_in_at).toBeTruthy();

		const header = decodeProtectedHeader(session?.access_token ?? '');
		expect(header).toEqual({ alg: 'ES256', kid: platform.keys.signingKey.kid, typ: 'JWT' });
		const claims = decodeJwt(session?.access_token ?? '');
		expect(claims).toMatchObject({
			iss: `${platform.apiUrl}/auth/v1`,
			sub: id,
			aud: 'authenticated',
			email,
			phone: '',
			role: 'authenticated',
			aal: 'aal1',
			amr: [{ method: 'password', timestamp: expect.any(Number) as number }],
			session_id: expect.any(String) as string,
			app_metadata: { provider: 'email', providers: ['email'] },
			user_metadata: { full_name: 'Alan Turing', email_verified: true },
			is_anonymous: false
		});
		expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);

		const user = await supabase.auth.getUser();
		expect(user.error).toBeNull();
		expect(user.data.user?.id).toBe(id);

		const refreshed = await supabase.auth.refreshSession();
		expect(refreshed.error).toBeNull();
		expect(refreshed.data.session?.refresh_token).not.toBe(session?.refresh_token);
		expect(decodeJwt(refreshed.data.session?.access_token ?? '').session_id).toBe(
			claims.session_id
		);

		const accessToken = refreshed.data.session?.access_token ?? '';
		expect((await supabase.auth.signOut()).error).toBeNull();
		// The access token is still a valid JWT, but its session is gone.
		const after = await supabase.auth.getUser(accessToken);
		expect(after.error?.name).toBe('AuthSessionMissingError');
	});

	test('wrong password and unknown email are both invalid_credentials', async () => {
		const { email } = await confirmedUser(platform);
		const supabase = anonClient(platform);
		const wrong = await supabase.auth.signInWithPassword({ email, password: 'not-the-password' });
		expect(wrong.error).toMatchObject({
			status: 400,
			code: 'invalid_credentials',
			message: 'Invalid login credentials'
		});
		const unknown = await supabase.auth.signInWithPassword({
			email: uniqueEmail('nobody'),
			password: 'whatever-it-is'
		});
		expect(unknown.error).toMatchObject({ status: 400, code: 'invalid_credentials' });
	});

	test('getClaims() verifies the ES256 access token against the JWKS', async () => {
		const { email, password, id } = await confirmedUser(platform);
		const supabase = anonClient(platform);
		await supabase.auth.signInWithPassword({ email, password });

		const { data, error } = await supabase.auth.getClaims();
		expect(error).toBeNull();
		expect(data?.claims.sub).toBe(id);
		expect(data?.header).toMatchObject({ alg: 'ES256', kid: platform.keys.signingKey.kid });

		const token = (await supabase.auth.getSession()).data.session?.access_token ?? '';
		const [head, body] = token.split('.');
		const forged = `${head}.${body}.${'A'.repeat(86)}`;
		const bad = await anonClient(platform).auth.getClaims(forged);
		expect(bad.error?.message).toBe('Invalid JWT signature');
	});
});

describe('sign-up refusals', () => {
	test('a second sign-up for a confirmed address reveals nothing and sends nothing', async () => {
		const { email, id } = await confirmedUser(platform);
		const since = new Date().toISOString();
		const { data, error } = await anonClient(platform).auth.signUp({
			email,
			password: 'someone-else-1'
		});
		expect(error).toBeNull();
		// GoTrue's obfuscated user: a made-up id and no identities.
		expect(data.user?.id).not.toBe(id);
		expect(data.user?.identities).toEqual([]);
		expect(data.session).toBeNull();
		expect(await noMailTo(platform, email, since)).toBe(true);
	});

	test('a second sign-up before confirming resends the confirmation, not faster than max_frequency', async () => {
		const supabase = anonClient(platform);
		const email = uniqueEmail('twice');
		const first = await supabase.auth.signUp({ email, password: 'first-password' });

		const tooSoon = await supabase.auth.signUp({ email, password: 'first-password' });
		expect(tooSoon.error).toMatchObject({ status: 429, code: 'over_email_send_rate_limit' });

		platform.clock.advance(2000);
		try {
			const since = new Date().toISOString();
			const second = await supabase.auth.signUp({ email, password: 'first-password' });
			expect(second.error).toBeNull();
			expect(second.data.user?.id).toBe(first.data.user?.id);
			await mailTo(platform, email, since, /Confirm your email/);
		} finally {
			platform.clock.reset();
		}
	});

	test('a weak password is refused with the reasons', async () => {
		const { data, error } = await anonClient(platform).auth.signUp({
			email: uniqueEmail('weak'),
			password: '12345'
		});
		expect(data.user).toBeNull();
		expect(error).toMatchObject({
			name: 'AuthWeakPasswordError',
			status: 422,
			code: 'weak_password',
			reasons: ['length'],
			message: 'Password should be at least 6 characters.'
		});
	});
});
