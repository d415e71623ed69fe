// The app's server-side Supabase client (src/lib/server/auth/client.ts) calls
// Auth on behalf of many people from one address. It forwards each person's
// address, so Auth's per-address limits and session records are theirs, not
// the server's. Auth believes that header only from the app server's address
// (trustedProxies): anyone else could rotate it to dodge every limit.
import { request as httpRequest } from 'node:http';
import { createClient } from '@supabase/supabase-js';
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

/**
 * GoTrue's one /token limiter, made small: `burst` attempts, then one per 5 minutes (slow
 * enough that no attempt is refilled while a loaded machine runs the test).
 */
async function withTokenLimit(burst: number, run: () => Promise<void>) {
	const saved = { ...platform.settings.rateLimits };
	platform.settings.rateLimits.tokenRefresh = 1;
	platform.settings.rateLimits.tokenBurst = burst;
	try {
		await run();
	} finally {
		Object.assign(platform.settings.rateLimits, saved);
	}
}

test('one address hitting the sign-in limit leaves other people signing in', async () => {
	const user = await confirmedUser(platform);
	await withTokenLimit(3, async () => {
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
	});
});

/**
 * fetch from another local address (127.0.0.2: not the app server), writing a different
 * X-Forwarded-For on every request, as someone dodging per-address limits would.
 */
function rotatingFetchFrom(localAddress: string): typeof fetch {
	let n = 0;
	return async (input, init) => {
		const request = new Request(input, init);
		const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
		const headers = Object.fromEntries(request.headers);
		headers['x-forwarded-for'] = `203.0.113.${++n}`;
		return new Promise<Response>((resolve, reject) => {
			const outgoing = httpRequest(
				request.url,
				{ method: request.method, headers, localAddress },
				(incoming) => {
					const chunks: Buffer[] = [];
					incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
					incoming.on('end', () => {
						const responseHeaders = new Headers();
						for (const [name, value] of Object.entries(incoming.headers)) {
							for (const v of [value ?? []].flat()) responseHeaders.append(name, v);
						}
						resolve(
							new Response(chunks.length ? Buffer.concat(chunks) : null, {
								status: incoming.statusCode ?? 500,
								headers: responseHeaders
							})
						);
					});
				}
			);
			outgoing.on('error', reject);
			outgoing.end(body);
		});
	};
}

test('X-Forwarded-For from an address that is not a trusted proxy is ignored', async () => {
	const user = await confirmedUser(platform);
	const outsider = createClient(platform.apiUrl, platform.anonKey, {
		auth: { persistSession: false, autoRefreshToken: false },
		global: { fetch: rotatingFetchFrom('127.0.0.2') }
	});
	// Its session records the address it really came from.
	const { error } = await outsider.auth.signInWithPassword(user);
	expect(error).toBeNull();
	const { rows } = await platform.pool.query<{ ip: string }>(
		'select host(ip) as ip from auth.sessions where user_id = $1',
		[user.id]
	);
	expect(rows).toEqual([{ ip: '127.0.0.2' }]);
	// And a new forwarded address on every attempt does not reset its limit.
	await withTokenLimit(3, async () => {
		const codes: (string | undefined)[] = [];
		for (let i = 0; i < 4; i++) {
			const attempt = await outsider.auth.signInWithPassword({
				email: user.email,
				password: 'wrong-password'
			});
			codes.push(attempt.error?.code);
		}
		expect(codes).toEqual([
			'invalid_credentials',
			'invalid_credentials',
			'invalid_credentials',
			'over_request_rate_limit'
		]);
	});
	// Later tests start with a full bucket.
	platform.clock.advance(3_600_000);
});

test('from the trusted proxy (the app server), each forwarded address has its own limit', async () => {
	const user = await confirmedUser(platform);
	await withTokenLimit(3, async () => {
		for (let i = 1; i <= 6; i++) {
			const { error } = await clientFor(`192.0.2.${i}`).auth.signInWithPassword({
				email: user.email,
				password: 'wrong-password'
			});
			expect(error?.code).toBe('invalid_credentials');
		}
	});
});
