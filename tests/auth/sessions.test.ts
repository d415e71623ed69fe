// Sessions and refresh tokens through supabase-js: expiry of access tokens (moving Auth's
// clock), rotation, GoTrue's reuse interval, reuse detection revoking the token family, and
// the three sign-out scopes.
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import { anonClient, confirmedUser, signedInClient } from './support.ts';

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

/** A refresh as another device holding `refreshToken` would do it. */
function refreshWith(refreshToken: string) {
	return anonClient(platform).auth.refreshSession({ refresh_token: refreshToken });
}

describe('access tokens', () => {
	test('an expired access token is refused; refreshing gives a working one', async () => {
		const { client } = await signedInClient(platform);
		platform.clock.advance((platform.settings.jwtExpiry + 1) * 1000);

		const expired = await client.auth.getUser();
		expect(expired.error).toMatchObject({ status: 403, code: 'bad_jwt' });
		expect(expired.error?.message).toContain('token is expired');

		const refreshed = await client.auth.refreshSession();
		expect(refreshed.error).toBeNull();
		const claims = decodeJwt(refreshed.data.session?.access_token ?? '');
		expect((claims.iat ?? 0) * 1000).toBeGreaterThan(Date.now());
		expect((await client.auth.getUser()).error).toBeNull();
	});

	test('a token signed with another key is refused', async () => {
		const { client } = await signedInClient(platform);
		const token = (await client.auth.getSession()).data.session?.access_token ?? '';
		const [head, body] = token.split('.');
		const result = await anonClient(platform).auth.getUser(`${head}.${body}.${'A'.repeat(86)}`);
		expect(result.error).toMatchObject({ status: 403, code: 'bad_jwt' });
	});
});

describe('refresh tokens', () => {
	test('each refresh rotates the token; the parent is revoked and linked', async () => {
		const { client, id } = await signedInClient(platform);
		const first = (await client.auth.getSession()).data.session?.refresh_token ?? '';
		const second = (await client.auth.refreshSession()).data.session?.refresh_token ?? '';
		expect(second).toMatch(/^[a-z0-9]{12}$/);
		expect(second).not.toBe(first);

		const { rows } = await platform.pool.query<{
			token: string;
			parent: string | null;
			revoked: boolean;
		}>('select token, parent, revoked from auth.refresh_tokens where user_id = $1 order by id', [
			id
		]);
		expect(rows).toEqual([
			{ token: first, parent: null, revoked: true },
			{ token: second, parent: first, revoked: false }
		]);
	});

	test('reusing the token just rotated (a lost response) returns the same child', async () => {
		const { client } = await signedInClient(platform);
		const first = (await client.auth.getSession()).data.session?.refresh_token ?? '';
		const second = (await client.auth.refreshSession()).data.session?.refresh_token ?? '';
		// Even after the reuse interval: the child has not been used yet.
		platform.clock.advance((platform.settings.refreshTokenReuseInterval + 5) * 1000);
		const again = await refreshWith(first);
		expect(again.error).toBeNull();
		expect(again.data.session?.refresh_token).toBe(second);
	});

	test('two tabs refreshing the same token at once both get the same new token', async () => {
		const { client } = await signedInClient(platform);
		const token = (await client.auth.getSession()).data.session?.refresh_token ?? '';
		const [a, b] = await Promise.all([refreshWith(token), refreshWith(token)]);
		expect(a.error).toBeNull();
		expect(b.error).toBeNull();
		expect(a.data.session?.refresh_token).toBe(b.data.session?.refresh_token);
	});

	test('an older token within the reuse interval still works (two tabs refreshing)', async () => {
		const { client } = await signedInClient(platform);
		const first = (await client.auth.getSession()).data.session?.refresh_token ?? '';
		await client.auth.refreshSession();
		await client.auth.refreshSession();
		const late = await refreshWith(first);
		expect(late.error).toBeNull();
	});

	test('reuse of a revoked token after the interval revokes the token family, not the session', async () => {
		const { client, id } = await signedInClient(platform);
		const first = (await client.auth.getSession()).data.session?.refresh_token ?? '';
		await client.auth.refreshSession();
		const latest = (await client.auth.refreshSession()).data.session;
		platform.clock.advance((platform.settings.refreshTokenReuseInterval + 1) * 1000);

		const stolen = await refreshWith(first);
		expect(stolen.error).toMatchObject({
			status: 400,
			code: 'refresh_token_already_used',
			message: 'Invalid Refresh Token: Already Used'
		});
		// GoTrue's RevokeTokenFamily: every refresh token of the session is revoked, the
		// session row stays, and its access tokens work until they expire.
		const { rows: tokens } = await platform.pool.query<{ revoked: boolean }>(
			'select revoked from auth.refresh_tokens where user_id = $1',
			[id]
		);
		expect(tokens.map((t) => t.revoked)).toEqual([true, true, true]);
		const { rows: sessions } = await platform.pool.query(
			'select 1 from auth.sessions where user_id = $1',
			[id]
		);
		expect(sessions).toHaveLength(1);
		const user = await anonClient(platform).auth.getUser(latest?.access_token ?? '');
		expect(user.error).toBeNull();
		// Once the reuse interval has passed, the rightful holder cannot refresh either.
		platform.clock.advance((platform.settings.refreshTokenReuseInterval + 1) * 1000);
		const legit = await refreshWith(latest?.refresh_token ?? '');
		expect(legit.error).toMatchObject({ status: 400, code: 'refresh_token_already_used' });
	});

	test('an unknown or malformed refresh token is refused', async () => {
		const unknown = await refreshWith('aaaaaaaaaaaa');
		expect(unknown.error).toMatchObject({ status: 400, code: 'refresh_token_not_found' });
		const malformed = await refreshWith('not a token');
		expect(malformed.error).toMatchObject({ status: 400, code: 'validation_failed' });
	});
});

describe('sign-out scopes', () => {
	async function twoDevices() {
		const user = await confirmedUser(platform);
		const phone = anonClient(platform);
		const laptop = anonClient(platform);
		await phone.auth.signInWithPassword(user);
		await laptop.auth.signInWithPassword(user);
		const phoneSession = (await phone.auth.getSession()).data.session;
		const laptopSession = (await laptop.auth.getSession()).data.session;
		return { phone, laptop, phoneSession, laptopSession };
	}

	test('local signs out this device only', async () => {
		const { phone, phoneSession, laptopSession } = await twoDevices();
		expect((await phone.auth.signOut({ scope: 'local' })).error).toBeNull();
		expect((await refreshWith(phoneSession?.refresh_token ?? '')).error?.code).toBe(
			'refresh_token_not_found'
		);
		expect((await refreshWith(laptopSession?.refresh_token ?? '')).error).toBeNull();
	});

	test('others signs out the other devices and keeps this one', async () => {
		const { phone, phoneSession, laptopSession } = await twoDevices();
		expect((await phone.auth.signOut({ scope: 'others' })).error).toBeNull();
		expect((await refreshWith(laptopSession?.refresh_token ?? '')).error?.code).toBe(
			'refresh_token_not_found'
		);
		expect((await phone.auth.getUser()).error).toBeNull();
		expect((await refreshWith(phoneSession?.refresh_token ?? '')).error).toBeNull();
	});

	test('global (the default) signs out everywhere; old refresh tokens are refused', async () => {
		const { phone, phoneSession, laptopSession } = await twoDevices();
		expect((await phone.auth.signOut()).error).toBeNull();
		for (const session of [phoneSession, laptopSession]) {
			const result = await refreshWith(session?.refresh_token ?? '');
			expect(result.error).toMatchObject({
				status: 400,
				code: 'refresh_token_not_found',
				message: 'Invalid Refresh Token: Refresh Token Not Found'
			});
		}
		const { rows } = await platform.pool.query(
			"select 1 from auth.audit_log_entries where payload->>'action' = 'logout'"
		);
		expect(rows.length).toBeGreaterThan(0);
	});
});
