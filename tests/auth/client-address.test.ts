// The app's server-side Supabase client (src/lib/server/auth/client.ts) calls
// Auth on behalf of many people from one address. It forwards each person's
// address, so Auth's per-address limits and session records are theirs, not
// the server's.
import type { Cookies, RequestEvent } from '@sveltejs/kit';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import { confirmedUser } from './support.ts';

let platform: TestPlatform;
let createSupabaseServerClient: typeof import('../../src/lib/server/auth/client.ts').createSupabaseServerClient;

beforeAll(async () => {
	platform = await startTestPlatform();
	// What the app's environment would say, for this file's platform.
	vi.doMock('$env/dynamic/public', () => ({
		env: { PUBLIC_SUPABASE_URL: platform.apiUrl, PUBLIC_SUPABASE_ANON_KEY: platform.anonKey }
	}));
	({ createSupabaseServerClient } = await import('../../src/lib/server/auth/client.ts'));
});

afterAll(async () => {
	await platform?.stop();
});

/** The client the app makes for one request from `address`. */
function clientFor(address: string) {
	const jar = new Map<string, string>();
	const cookies = {
		getAll: () => [...jar].map(([name, value]) => ({ name, value })),
		set: (name: string, value: string) => void jar.set(name, value)
	} as unknown as Cookies;
	const event = {
		cookies,
		url: new URL('http://localhost/login'),
		setHeaders: () => {},
		getClientAddress: () => address
	} as unknown as RequestEvent;
	return createSupabaseServerClient(event);
}

test("a session records the person's address, not the app server's", async () => {
	const user = await confirmedUser(platform);
	const { data, error } = await clientFor('203.0.113.7').auth.signInWithPassword(user);
	expect(error).toBeNull();
	const { rows } = await platform.pool.query<{ ip: string }>(
		`select host(ip) as ip from auth.sessions where user_id = $1`,
		[data.user!.id]
	);
	expect(rows).toEqual([{ ip: '203.0.113.7' }]);
});

test('one address hitting the sign-in limit leaves other people signing in', async () => {
	const user = await confirmedUser(platform);
	const saved = platform.settings.rateLimits.signInSignUps;
	platform.settings.rateLimits.signInSignUps = 3;
	try {
		const attacker = clientFor('198.51.100.20');
		const codes: (string | undefined)[] = [];
		for (let i = 0; i < 4; i++) {
			const { error } = await attacker.auth.signInWithPassword({
				email: user.email,
				password: 'wrong-password'
			});
			codes.push(error?.code);
		}
		expect(codes.at(-1)).toBe('over_request_rate_limit');
		const { error } = await clientFor('198.51.100.21').auth.signInWithPassword(user);
		expect(error).toBeNull();
	} finally {
		platform.settings.rateLimits.signInSignUps = saved;
	}
});
