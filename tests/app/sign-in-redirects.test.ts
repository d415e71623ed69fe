// The routes that send people on after signing in (the login page and its form action,
// sign-up, /auth/callback with a code or with tokens, /auth/confirm's email links) never
// answer with a Location off this site, whatever encoding `redirectTo` / `next` uses.
// Each route's own handler runs against the local Auth API, as SvelteKit would call it.
import { isRedirect } from '@sveltejs/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as callbackPage from '../../src/routes/(auth)/auth/callback/+page.server.ts';
import * as loginPage from '../../src/routes/(auth)/login/+page.server.ts';
import * as signupPage from '../../src/routes/(auth)/signup/+page.server.ts';
import * as verifyPage from '../../src/routes/(auth)/verify/+page.server.ts';
import * as confirmEndpoint from '../../src/routes/auth/confirm/+server.ts';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import {
	anonClient,
	confirmedUser,
	firstLink,
	mailTo,
	openLink,
	serviceClient,
	uniqueEmail
} from '../auth/support.ts';
import { OFF_SITE_AFTER_NORMALIZING } from './off-site-redirects.ts';

const ORIGIN = 'http://127.0.0.1:3000';
const HOME = '/';

let platform: TestPlatform;
let user: { email: string; password: string; id: string };

beforeAll(async () => {
	// Confirmations off: sign-up signs in at once and redirects, as on a project that allows it.
	platform = await startTestPlatform({ enableConfirmations: false });
	user = await confirmedUser(platform);
});

afterAll(async () => {
	await platform?.stop();
});

/** A partial RequestEvent: only what these handlers read. */
type AnyEvent = never;

/** The Location of the redirect a handler throws (SvelteKit answers it as a 303). */
async function locationOf(run: () => unknown): Promise<string> {
	try {
		await run();
	} catch (error) {
		if (isRedirect(error)) return error.location;
		throw error;
	}
	throw new Error('expected a redirect');
}

function event(path: string, init: { locals?: object; body?: Record<string, string> } = {}) {
	const url = new URL(path, ORIGIN);
	const body = init.body ? new FormData() : undefined;
	for (const [name, value] of Object.entries(init.body ?? {})) body?.set(name, value);
	return {
		url,
		request: new Request(url, body ? { method: 'POST', body } : {}),
		locals: {
			supabase: anonClient(platform, 'pkce'),
			user: null,
			...init.locals
		},
		getClientAddress: () => '127.0.0.1'
	} as unknown as AnyEvent;
}

const signedIn = { user: { id: 'someone', email: 'someone@example.com' } };

/**
 * A `?code=` for a PKCE client, the way a magic link brings one back (a new person each
 * time: Auth sends one person at most one link a minute).
 */
async function magicLinkCode() {
	const person = await confirmedUser(platform);
	const supabase = anonClient(platform, 'pkce');
	const since = new Date().toISOString();
	const { error } = await supabase.auth.signInWithOtp({
		email: person.email,
		options: { emailRedirectTo: `${ORIGIN}/auth/callback`, shouldCreateUser: false }
	});
	expect(error).toBeNull();
	const mail = await mailTo(platform, person.email, since);
	const { location } = await openLink(firstLink(mail));
	return { supabase, code: location.searchParams.get('code') ?? '' };
}

/** The code a sign-in email carries, as the admin API makes it (no mail, no rate limit). */
async function adminCode() {
	const person = await confirmedUser(platform);
	const { data, error } = await serviceClient(platform).auth.admin.generateLink({
		type: 'magiclink',
		email: person.email
	});
	expect(error).toBeNull();
	return { email: person.email, code: data.properties?.email_otp ?? '' };
}

const q = encodeURIComponent;

describe.each(OFF_SITE_AFTER_NORMALIZING)('redirectTo / next = %j', (target) => {
	it('the login page, already signed in, goes home', async () => {
		const location = await locationOf(() =>
			loginPage.load(event(`/login?redirectTo=${q(target)}`, { locals: signedIn }))
		);
		expect(location).toBe(HOME);
	});

	it("the login form's action goes home after signing in", async () => {
		const location = await locationOf(() =>
			loginPage.actions.signin!(
				event(`/login?/signin`, {
					body: { email: user.email, password: user.password, redirectTo: target }
				})
			)
		);
		expect(location).toBe(HOME);
	});

	it('the sign-up page and its action go home', async () => {
		const page = await locationOf(() =>
			signupPage.load(event(`/signup?redirectTo=${q(target)}`, { locals: signedIn }))
		);
		expect(page).toBe(HOME);
		const action = await locationOf(() =>
			signupPage.actions.signup!(
				event(`/signup?/signup`, {
					body: {
						fullName: 'Ada Lovelace',
						email: uniqueEmail('redirect'),
						password: 'correct-horse-battery',
						confirmPassword: 'correct-horse-battery',
						redirectTo: target
					}
				})
			)
		);
		expect(action).toBe(HOME);
	});

	it('/auth/callback without a code posts back to home', async () => {
		const data = await callbackPage.load(event(`/auth/callback?next=${q(target)}`));
		expect(data).toEqual({ next: HOME });
	});

	it("/auth/callback's session action goes home", async () => {
		const client = anonClient(platform);
		const { data } = await client.auth.signInWithPassword(user);
		const location = await locationOf(() =>
			callbackPage.actions.session!(
				event('/auth/callback?/session', {
					body: {
						access_token: data.session?.access_token ?? '',
						refresh_token: data.session?.refresh_token ?? '',
						next: target
					}
				})
			)
		);
		expect(location).toBe(HOME);
	});

	it("'Email me a sign-in link' sends to /verify with home as the destination", async () => {
		// A new person: Auth sends one person at most one link a minute.
		const { email } = await confirmedUser(platform);
		const location = await locationOf(() =>
			loginPage.actions.link!(
				event(`/login?/link`, {
					body: { email, redirectTo: target }
				})
			)
		);
		const verify = new URL(location, ORIGIN);
		expect(verify.pathname).toBe('/verify');
		expect(verify.searchParams.get('redirectTo')).toBe(HOME);
	});

	it('the code typed in on /verify goes home', async () => {
		const { email, code } = await adminCode();
		const location = await locationOf(() =>
			verifyPage.actions.default!(
				event(`/verify`, { body: { email, code, type: 'magiclink', redirectTo: target } })
			)
		);
		expect(location).toBe(HOME);
	});

	it('/auth/confirm (a token-hash email link) goes home', async () => {
		const { data, error } = await serviceClient(platform).auth.admin.generateLink({
			type: 'magiclink',
			email: user.email
		});
		expect(error).toBeNull();
		const hash = data.properties?.hashed_token ?? '';
		const location = await locationOf(() =>
			confirmEndpoint.GET(
				event(`/auth/confirm?token_hash=${hash}&type=magiclink&next=${q(target)}`)
			)
		);
		expect(location).toBe(HOME);
	});
});

// A code exchange needs a real email round trip each time: one destination per kind of
// encoding (the decision is the same function for every route above).
const ONE_PER_KIND = [
	'/.//evil.example',
	'/..//evil.example',
	'/%2e//evil.example',
	'/%2F%2Fevil.example',
	'/%5c/evil.example',
	'/\\evil.example',
	'/\t/evil.example',
	'/%252e//evil.example'
];

describe.each(ONE_PER_KIND)('/auth/callback?code=…&next=%j', (target) => {
	it('goes home after exchanging the code', async () => {
		const { supabase, code } = await magicLinkCode();
		const location = await locationOf(() =>
			callbackPage.load(
				event(`/auth/callback?code=${q(code)}&next=${q(target)}`, { locals: { supabase } })
			)
		);
		expect(location).toBe(HOME);
	});
});

describe('a same-site destination is kept', () => {
	it('by the login form and the callback', async () => {
		const signin = await locationOf(() =>
			loginPage.actions.signin!(
				event(`/login?/signin`, {
					body: { email: user.email, password: user.password, redirectTo: '/account?tab=1' }
				})
			)
		);
		expect(signin).toBe('/account?tab=1');
		const data = await callbackPage.load(event(`/auth/callback?next=${q('/a/../account')}`));
		expect(data).toEqual({ next: '/account' });
	});
});
