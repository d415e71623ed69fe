// Bad input gets Supabase Auth's error shapes and status codes, never a 500. supabase-js
// cannot send malformed JSON, wrong types or oversized bodies, so those requests are
// written by hand (rawAuth); everything else goes through supabase-js.
import { createClient } from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import {
	anonClient,
	confirmedUser,
	openLink,
	rawAuth,
	signedInClient,
	uniqueEmail
} from './support.ts';

let platform: TestPlatform;

beforeAll(async () => {
	platform = await startTestPlatform();
});

afterAll(async () => {
	await platform?.stop();
});

const post = (path: string, body: string, init: Parameters<typeof rawAuth>[2] = {}) =>
	rawAuth(platform, path, { method: 'POST', body, ...init });

describe('malformed requests', () => {
	test('malformed JSON: 400 bad_json, in both API versions', async () => {
		const modern = await post('/signup', '{"email": "a@example.com", "password":');
		expect(modern.status).toBe(400);
		expect(modern.headers.get('x-supabase-api-version')).toBe('2024-01-01');
		expect(await modern.json()).toEqual({
			code: 'bad_json',
			message: expect.stringContaining('Could not parse request body as JSON') as string
		});

		// Clients that send no API version get GoTrue's original shape.
		const legacy = await post('/signup', 'not json', { version: null });
		expect(legacy.status).toBe(400);
		expect(await legacy.json()).toEqual({
			code: 400,
			error_code: 'bad_json',
			msg: expect.stringContaining('Could not parse request body as JSON') as string
		});
	});

	test('wrong types, arrays and empty bodies are bad_json', async () => {
		for (const body of ['{"email": 42, "password": "long-enough"}', '[]', '"text"', '']) {
			const response = await post('/token?grant_type=password', body);
			expect(response.status, body).toBe(400);
			expect(await response.json(), body).toMatchObject({ code: 'bad_json' });
		}
	});

	test('missing and oversized fields: 400 validation_failed', async () => {
		const cases: Array<[string, Record<string, unknown>, string]> = [
			['/signup', { email: 'someone@example.com' }, 'Signup requires a valid password'],
			[
				'/signup',
				{ email: `${'a'.repeat(300)}@example.com`, password: 'long-enough' },
				'An email address is too long'
			],
			[
				'/signup',
				{ email: 'not-an-email', password: 'long-enough' },
				'Unable to validate email address: invalid format'
			],
			[
				'/signup',
				{ email: 'big@example.com', password: 'x'.repeat(80) },
				'Password cannot be longer than 72 characters'
			],
			['/recover', {}, 'Password recovery requires an email'],
			['/verify', { token_hash: 'abc' }, 'Verify requires a verification type'],
			['/token?grant_type=refresh_token', { refresh_token: 'short' }, 'Refresh token is not valid'],
			['/otp', { email: 'x'.repeat(5000) }, 'email is too long (at most 4096 characters)']
		];
		for (const [path, body, message] of cases) {
			const response = await post(path, JSON.stringify(body));
			expect(response.status, path).toBe(400);
			expect(await response.json(), path).toEqual({ code: 'validation_failed', message });
		}
	});

	test('a body over 1 MB: 413 request_entity_too_large', async () => {
		const response = await post('/signup', JSON.stringify({ email: 'x'.repeat(1_100_000) }));
		expect(response.status).toBe(413);
		expect(await response.json()).toEqual({
			code: 'request_entity_too_large',
			message: 'Request body too large (max 1048576 bytes)'
		});
	});

	test('metadata is bounded only by the 1 MB body limit, as in GoTrue', async () => {
		const blob = 'x'.repeat(200_000);
		const { data, error } = await anonClient(platform).auth.signUp({
			email: uniqueEmail('meta'),
			password: 'long-enough',
			options: { data: { blob } }
		});
		expect(error).toBeNull();
		expect(data.user?.user_metadata.blob).toBe(blob);
		const { rows } = await platform.pool.query<{ size: number }>(
			"select length(raw_user_meta_data->>'blob') as size from auth.users where id = $1",
			[data.user?.id]
		);
		expect(rows).toEqual([{ size: 200_000 }]);

		const tooBig = await anonClient(platform).auth.signUp({
			email: uniqueEmail('meta'),
			password: 'long-enough',
			options: { data: { blob: 'x'.repeat(1_100_000) } }
		});
		expect(tooBig.error).toMatchObject({ status: 413, code: 'request_entity_too_large' });
	});

	test("a wrong method: 405 with the allowed methods and no body, as GoTrue's router", async () => {
		const cases: Array<[string, string, string]> = [
			['GET', '/token?grant_type=password', 'POST'],
			['PUT', '/signup', 'POST'],
			['DELETE', '/settings', 'GET'],
			['POST', '/verify', ''],
			['PATCH', '/verify', 'GET, POST'],
			['GET', '/logout', 'POST']
		];
		for (const [method, path, allow] of cases) {
			const response = await rawAuth(platform, path, { method });
			if (allow === '') {
				expect(response.status, `${method} ${path}`).not.toBe(405);
				continue;
			}
			expect(response.status, `${method} ${path}`).toBe(405);
			expect(response.headers.get('allow'), `${method} ${path}`).toBe(allow);
			expect(await response.text(), `${method} ${path}`).toBe('');
		}
		// Signed-in routes check the user first, then the method.
		const anonymous = await rawAuth(platform, '/user', { method: 'DELETE' });
		expect(anonymous.status).toBe(401);
		const { client } = await signedInClient(platform);
		const token = (await client.auth.getSession()).data.session?.access_token ?? '';
		const signedIn = await rawAuth(platform, '/user', {
			method: 'DELETE',
			headers: { authorization: `Bearer ${token}` }
		});
		expect(signedIn.status).toBe(405);
		expect(signedIn.headers.get('allow')).toBe('GET, PUT');
		// Admin routes check the service role first.
		const admin = await rawAuth(platform, '/admin/users', { method: 'PATCH' });
		expect(admin.status).toBe(401);
		const asAdmin = await rawAuth(platform, '/admin/users', {
			method: 'PATCH',
			apikey: platform.serviceRoleKey,
			headers: { authorization: `Bearer ${platform.serviceRoleKey}` }
		});
		expect(asAdmin.status).toBe(405);
		expect(asAdmin.headers.get('allow')).toBe('GET, POST');
	});

	test('an unsupported grant type', async () => {
		const grant = await post('/token?grant_type=client_credentials', '{}');
		expect(grant.status).toBe(400);
		expect(await grant.json()).toEqual({
			code: 'invalid_credentials',
			message: 'unsupported_grant_type'
		});
	});
});

describe('API keys and tokens', () => {
	test('no apikey: 401 as the gateway answers it', async () => {
		const response = await rawAuth(platform, '/settings', { apikey: null });
		expect(response.status).toBe(401);
		expect(await response.json()).toMatchObject({ message: 'No API key found in request' });
	});

	test('a forged apikey: 401 Invalid API key', async () => {
		const forged = await new SignJWT({ role: 'service_role' })
			.setProtectedHeader({ alg: 'HS256' })
			.sign(new TextEncoder().encode('not-the-secret-of-this-project'));
		const response = await rawAuth(platform, '/admin/users', { apikey: forged });
		expect(response.status).toBe(401);
		expect(await response.json()).toMatchObject({ message: 'Invalid API key' });
	});

	test('/user without a token: 401 no_authorization; with garbage: 403 bad_jwt', async () => {
		const none = await rawAuth(platform, '/user');
		expect(none.status).toBe(401);
		expect(await none.json()).toMatchObject({ code: 'no_authorization' });

		const garbage = await anonClient(platform).auth.getUser('not.a.jwt');
		expect(garbage.error).toMatchObject({ status: 403, code: 'bad_jwt' });
		// The anon key is a valid JWT but not a user.
		const anonKey = await anonClient(platform).auth.getUser(platform.anonKey);
		expect(anonKey.error).toMatchObject({ status: 403, code: 'bad_jwt' });
	});

	test('an access token for a user that no longer exists: 403 user_not_found', async () => {
		const token = await new SignJWT({ role: 'authenticated' })
			.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
			.setSubject('6f1d2a9e-0000-4000-8000-000000000000')
			.setExpirationTime('1h')
			.sign(new TextEncoder().encode(platform.keys.jwtSecret));
		const result = await anonClient(platform).auth.getUser(token);
		expect(result.error).toMatchObject({ status: 403, code: 'user_not_found' });
	});
});

describe('the verify link', () => {
	test('a bad token redirects with the error; a missing one is a 400', async () => {
		const { status, location } = await openLink(
			`${platform.apiUrl}/auth/v1/verify?token=deadbeef&type=signup&redirect_to=http://127.0.0.1:3000/x`
		);
		expect(status).toBe(303);
		expect(location.href).toBe(
			'http://127.0.0.1:3000/x#error=access_denied&error_code=otp_expired&error_description=Email+link+is+invalid+or+has+expired&sb='
		);
		const missing = await fetch(`${platform.apiUrl}/auth/v1/verify?type=signup`);
		expect(missing.status).toBe(400);
	});

	test('an unknown verification type', async () => {
		const { error } = await anonClient(platform).auth.verifyOtp({
			// A type supabase-js does not know.
			type: 'teleport' as 'email',
			token_hash: 'abc'
		});
		expect(error).toMatchObject({ status: 400, code: 'validation_failed' });
	});
});

describe('the gateway', () => {
	test('CORS preflight allows the headers supabase-js sends', async () => {
		const response = await fetch(`${platform.apiUrl}/auth/v1/token?grant_type=password`, {
			method: 'OPTIONS',
			headers: {
				Origin: 'http://localhost:5173',
				'Access-Control-Request-Method': 'POST',
				'Access-Control-Request-Headers':
					'apikey, authorization, content-type, x-client-info, x-supabase-api-version'
			}
		});
		expect(response.status).toBe(204);
		expect(response.headers.get('access-control-allow-origin')).toBe('*');
		const allowed = response.headers.get('access-control-allow-headers')?.split(',') ?? [];
		for (const header of [
			'apikey',
			'authorization',
			'content-type',
			'x-client-info',
			'x-supabase-api-version'
		]) {
			expect(allowed).toContain(header);
		}
		const actual = await rawAuth(platform, '/health', {
			headers: { Origin: 'http://localhost:5173' }
		});
		expect(actual.headers.get('access-control-allow-origin')).toBe('*');
		expect(actual.headers.get('access-control-expose-headers')).toContain('X-Supabase-Api-Version');
	});

	test('health, settings and the JWKS', async () => {
		expect(await (await rawAuth(platform, '/health')).json()).toMatchObject({ name: 'GoTrue' });
		expect(await (await rawAuth(platform, '/settings')).json()).toMatchObject({
			disable_signup: false,
			mailer_autoconfirm: false,
			external: { email: true, phone: false, google: false }
		});
		// Public, like on Supabase: no API key needed to verify tokens.
		const jwks = (await (
			await rawAuth(platform, '/.well-known/jwks.json', { apikey: null })
		).json()) as {
			keys: Array<Record<string, unknown>>;
		};
		expect(jwks.keys).toHaveLength(1);
		expect(jwks.keys[0]).toMatchObject({
			kty: 'EC',
			crv: 'P-256',
			alg: 'ES256',
			kid: platform.keys.signingKey.kid
		});
		expect(jwks.keys[0]).not.toHaveProperty('d');
	});

	test('unknown paths are 404s', async () => {
		const auth = await rawAuth(platform, '/nope');
		expect(auth.status).toBe(404);
		const other = await fetch(`${platform.apiUrl}/rest/v1/profiles`);
		expect(other.status).toBe(404);
		expect(await other.json()).toEqual({ message: 'no Route matched with those values' });
	});

	test('odd requests never hit an unexpected error', async () => {
		const paths = [
			'/signup',
			'/token?grant_type=pkce',
			'/verify',
			'/otp',
			'/resend',
			'/recover',
			'/invite'
		];
		for (const path of paths) {
			for (const body of [
				'{}',
				'{"email":null}',
				'{"data":[1,2]}',
				`{"email":"${uniqueEmail('odd')}","type":"signup"}`
			]) {
				const response = await post(path, body);
				expect(response.status, `${path} ${body}`).toBeLessThan(500);
			}
		}
		// A forwarded address that is not an IP is not recorded on the session (inet column).
		const { email, password } = await confirmedUser(platform);
		const forwarded = createClient(platform.apiUrl, platform.anonKey, {
			auth: { persistSession: false, autoRefreshToken: false },
			global: { headers: { 'X-Forwarded-For': '1.2.3.999, 10.0.0.1' } }
		});
		expect((await forwarded.auth.signInWithPassword({ email, password })).error).toBeNull();
		expect(platform.logs.filter((line) => line.includes('unexpected error'))).toEqual([]);
	});
});

describe("features that are not enabled answer GoTrue's codes", () => {
	test('MFA enrolment: mfa_<type>_enroll_not_enabled; unknown factors are not found', async () => {
		const { client } = await signedInClient(platform);
		const totp = await client.auth.mfa.enroll({ factorType: 'totp' });
		expect(totp.error).toMatchObject({
			status: 422,
			code: 'mfa_totp_enroll_not_enabled',
			message: 'MFA enroll is disabled for TOTP'
		});
		const phone = await client.auth.mfa.enroll({ factorType: 'phone', phone: '+15555550100' });
		expect(phone.error).toMatchObject({ status: 422, code: 'mfa_phone_enroll_not_enabled' });
		const challenge = await client.auth.mfa.challenge({
			factorId: '7a1c0e2e-1a9b-4c43-9a43-0b5a9e1f0c11'
		});
		expect(challenge.error).toMatchObject({ status: 404, code: 'mfa_factor_not_found' });
		const unenroll = await client.auth.mfa.unenroll({ factorId: 'not-a-uuid' });
		expect(unenroll.error).toMatchObject({ status: 404, code: 'validation_failed' });
		// Signed out (the anon key as the bearer): the user is checked first.
		const anonymous = await anonClient(platform).auth.mfa.enroll({ factorType: 'totp' });
		expect(anonymous.error).toMatchObject({ status: 403, code: 'bad_jwt' });
	});

	test('an unknown or disabled OAuth provider: validation_failed on /authorize', async () => {
		const unknown = await rawAuth(platform, '/authorize?provider=myspace', { apikey: null });
		expect(unknown.status).toBe(400);
		expect(await unknown.json()).toEqual({
			code: 'validation_failed',
			message: 'Unsupported provider: Provider myspace could not be found'
		});
		const disabled = await rawAuth(platform, '/authorize?provider=github', { apikey: null });
		expect(disabled.status).toBe(400);
		expect(await disabled.json()).toEqual({
			code: 'validation_failed',
			message: 'Unsupported provider: provider is not enabled'
		});
	});

	test('signInWithIdToken: validation_failed for an unknown provider, provider_disabled for a known one', async () => {
		const supabase = anonClient(platform);
		const unknown = await supabase.auth.signInWithIdToken({ provider: 'myspace', token: 'x.y.z' });
		expect(unknown.error).toMatchObject({
			status: 400,
			code: 'validation_failed',
			message: 'Custom OIDC provider "myspace" not allowed'
		});
		const google = await supabase.auth.signInWithIdToken({ provider: 'google', token: 'x.y.z' });
		expect(google.error).toMatchObject({
			status: 400,
			code: 'provider_disabled',
			message: 'Provider (issuer "https://accounts.google.com") is not enabled'
		});
		const missing = await rawAuth(platform, '/token?grant_type=id_token', {
			method: 'POST',
			body: JSON.stringify({ provider: 'google' })
		});
		expect(missing.status).toBe(400);
		expect(await missing.json()).toEqual({
			error: 'invalid request',
			error_description: 'id_token required'
		});
	});

	test('identity linking: manual_linking_disabled (enable_manual_linking = false)', async () => {
		const { client } = await signedInClient(platform);
		const link = await client.auth.linkIdentity({ provider: 'github' });
		expect(link.error).toMatchObject({
			status: 404,
			code: 'manual_linking_disabled',
			message: 'Manual linking is disabled'
		});
		const { data } = await client.auth.getUserIdentities();
		const identity = data?.identities[0];
		expect(identity).toBeDefined();
		const unlink = await client.auth.unlinkIdentity(identity!);
		expect(unlink.error).toMatchObject({ status: 404, code: 'manual_linking_disabled' });
		// With linking on, the provider itself is what fails.
		platform.settings.manualLinking = true;
		try {
			const enabled = await client.auth.linkIdentity({ provider: 'github' });
			expect(enabled.error).toMatchObject({
				status: 400,
				code: 'validation_failed',
				message: 'Unsupported provider: provider is not enabled'
			});
		} finally {
			platform.settings.manualLinking = false;
		}
	});
});
