// The emailed flows after sign-up, through supabase-js and the dev mailbox: password
// recovery, magic links and codes (signInWithOtp), resending a confirmation, changing the
// email address (confirmed from both addresses) and updating the password.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
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

afterEach(() => {
	platform.clock.reset();
});

/** Signs a client in with the session an Auth redirect carries in its fragment. */
async function adoptRedirect(location: URL) {
	const params = fragment(location);
	const client = anonClient(platform);
	const { error } = await client.auth.setSession({
		access_token: params.get('access_token') ?? '',
		refresh_token: params.get('refresh_token') ?? ''
	});
	expect(error).toBeNull();
	return client;
}

describe('password recovery', () => {
	test('reset mail → link → new password → sign in with it', async () => {
		const { email, password } = await confirmedUser(platform, 'forgotten-one');
		const since = new Date().toISOString();
		const { error } = await anonClient(platform).auth.resetPasswordForEmail(email, {
			redirectTo: 'http://127.0.0.1:3000/account/reset'
		});
		expect(error).toBeNull();

		const mail = await mailTo(platform, email, since, /Reset your Growthdesk password/);
		const { location } = await openLink(firstLink(mail));
		expect(location.pathname).toBe('/account/reset');
		expect(fragment(location).get('type')).toBe('recovery');

		const client = await adoptRedirect(location);
		const updated = await client.auth.updateUser({ password: 'remembered-now' });
		expect(updated.error).toBeNull();
		await client.auth.signOut();

		const old = await anonClient(platform).auth.signInWithPassword({ email, password });
		expect(old.error?.code).toBe('invalid_credentials');
		const fresh = await anonClient(platform).auth.signInWithPassword({
			email,
			password: 'remembered-now'
		});
		expect(fresh.error).toBeNull();
	});

	test('the code in the reset mail works with verifyOtp(type recovery)', async () => {
		const { email } = await confirmedUser(platform);
		const since = new Date().toISOString();
		await anonClient(platform).auth.resetPasswordForEmail(email);
		const code = codeIn(await mailTo(platform, email, since, /Reset your Growthdesk password/));
		const { data, error } = await anonClient(platform).auth.verifyOtp({
			email,
			token: code,
			type: 'recovery'
		});
		expect(error).toBeNull();
		expect(data.session?.user.email).toBe(email);
	});

	test('an unknown address gets the same answer and no mail', async () => {
		const email = uniqueEmail('stranger');
		const since = new Date().toISOString();
		const { data, error } = await anonClient(platform).auth.resetPasswordForEmail(email);
		expect(error).toBeNull();
		expect(data).toEqual({});
		expect(await noMailTo(platform, email, since)).toBe(true);
	});
});

describe('magic links and email codes', () => {
	test('signInWithOtp sends a link that signs in, and a code that does too', async () => {
		const { email } = await confirmedUser(platform);
		const supabase = anonClient(platform);
		let since = new Date().toISOString();
		const sent = await supabase.auth.signInWithOtp({
			email,
			options: { shouldCreateUser: false, emailRedirectTo: 'http://127.0.0.1:3000/app' }
		});
		expect(sent.error).toBeNull();
		const mail = await mailTo(platform, email, since, /sign-in link/);
		const { location } = await openLink(firstLink(mail));
		expect(fragment(location).get('type')).toBe('magiclink');
		const client = await adoptRedirect(location);
		expect((await client.auth.getUser()).data.user?.email).toBe(email);

		// Codes are throttled per user (max_frequency); move past it.
		platform.clock.advance(2000);
		since = new Date().toISOString();
		await supabase.auth.signInWithOtp({ email, options: { shouldCreateUser: false } });
		const code = codeIn(await mailTo(platform, email, since, /sign-in link/));
		const { data, error } = await supabase.auth.verifyOtp({ email, token: code, type: 'email' });
		expect(error).toBeNull();
		expect(data.session?.user.email).toBe(email);
	});

	test('a new address is signed up by the code it receives (create_user)', async () => {
		const supabase = anonClient(platform);
		const email = uniqueEmail('newcomer');
		const since = new Date().toISOString();
		const sent = await supabase.auth.signInWithOtp({
			email,
			options: { data: { full_name: 'New Comer' } }
		});
		expect(sent.error).toBeNull();
		const code = codeIn(await mailTo(platform, email, since, /Confirm your email/));
		const { data, error } = await supabase.auth.verifyOtp({ email, token: code, type: 'email' });
		expect(error).toBeNull();
		expect(data.user?.email_confirmed_at).toBeTruthy();
		const { rows } = await platform.pool.query(
			'select full_name from public.profiles where id = $1',
			[data.user?.id]
		);
		expect(rows).toEqual([{ full_name: 'New Comer' }]);
	});

	test('shouldCreateUser false refuses unknown addresses', async () => {
		const { error } = await anonClient(platform).auth.signInWithOtp({
			email: uniqueEmail('unknown'),
			options: { shouldCreateUser: false }
		});
		expect(error).toMatchObject({ status: 422, code: 'otp_disabled' });
	});

	test('a code past otp_expiry is refused', async () => {
		const { email } = await confirmedUser(platform);
		const since = new Date().toISOString();
		await anonClient(platform).auth.signInWithOtp({ email });
		const code = codeIn(await mailTo(platform, email, since));
		platform.clock.advance((platform.settings.otpExpiry + 1) * 1000);
		const { error } = await anonClient(platform).auth.verifyOtp({
			email,
			token: code,
			type: 'email'
		});
		expect(error).toMatchObject({
			status: 403,
			code: 'otp_expired',
			message: 'Token has expired or is invalid'
		});
	});
});

describe('resend', () => {
	test('resend replaces the confirmation link; the old one stops working', async () => {
		const supabase = anonClient(platform);
		const email = uniqueEmail('resend');
		let since = new Date().toISOString();
		await supabase.auth.signUp({ email, password: 'send-it-again' });
		const oldLink = firstLink(await mailTo(platform, email, since));

		platform.clock.advance(2000);
		since = new Date().toISOString();
		const { error } = await supabase.auth.resend({ type: 'signup', email });
		expect(error).toBeNull();
		const newLink = firstLink(await mailTo(platform, email, since));
		expect(newLink).not.toBe(oldLink);

		expect(fragment((await openLink(oldLink)).location).get('error_code')).toBe('otp_expired');
		expect(fragment((await openLink(newLink)).location).get('type')).toBe('signup');
	});
});

describe('updating the user', () => {
	test('changing the email needs both addresses to confirm (double_confirm_changes)', async () => {
		const { client, email, id } = await signedInClient(platform);
		const newEmail = uniqueEmail('moved');
		const since = new Date().toISOString();
		const { data, error } = await client.auth.updateUser({ email: newEmail });
		expect(error).toBeNull();
		expect(data.user?.email).toBe(email);
		expect(data.user?.new_email).toBe(newEmail);

		const toNew = await mailTo(platform, newEmail, since, /Confirm your new email/);
		const toOld = await mailTo(platform, email, since, /Confirm your new email/);

		const first = await openLink(firstLink(toNew));
		expect(fragment(first.location).get('message')).toBe(
			'Confirmation link accepted. Please proceed to confirm link sent to the other email'
		);
		const second = await openLink(firstLink(toOld));
		expect(fragment(second.location).get('type')).toBe('email_change');

		const user = await client.auth.getUser();
		expect(user.data.user?.email).toBe(newEmail);
		const { rows } = await platform.pool.query('select email from public.profiles where id = $1', [
			id
		]);
		expect(rows).toEqual([{ email: newEmail }]);
		const { rows: identities } = await platform.pool.query(
			"select identity_data->>'email' as email from auth.identities where user_id = $1",
			[id]
		);
		expect(identities).toEqual([{ email: newEmail }]);
	});

	test('an address another account uses is refused', async () => {
		const { client } = await signedInClient(platform);
		const other = await confirmedUser(platform);
		const { error } = await client.auth.updateUser({ email: other.email });
		expect(error).toMatchObject({ status: 422, code: 'email_exists' });
	});

	test('user_metadata merges; a null value removes a key', async () => {
		const { client } = await signedInClient(platform);
		await client.auth.updateUser({ data: { full_name: 'Ada', theme: 'dark' } });
		const { data } = await client.auth.updateUser({ data: { theme: null, locale: 'fr' } });
		expect(data.user?.user_metadata).toEqual({
			full_name: 'Ada',
			locale: 'fr',
			email_verified: true
		});
	});

	test('a new password must differ, meet the rules, and ends the other sessions', async () => {
		const { client, email, password } = await signedInClient(platform);
		const other = anonClient(platform);
		await other.auth.signInWithPassword({ email, password });
		const otherRefresh = (await other.auth.getSession()).data.session?.refresh_token ?? '';

		const same = await client.auth.updateUser({ password });
		expect(same.error).toMatchObject({ status: 422, code: 'same_password' });
		const weak = await client.auth.updateUser({ password: 'abc' });
		expect(weak.error).toMatchObject({ status: 422, code: 'weak_password', reasons: ['length'] });

		expect((await client.auth.updateUser({ password: 'brand-new-secret' })).error).toBeNull();
		expect((await client.auth.getUser()).error).toBeNull();
		const stale = await anonClient(platform).auth.refreshSession({ refresh_token: otherRefresh });
		expect(stale.error?.code).toBe('refresh_token_not_found');
	});
});

describe('reauthentication (secure_password_change)', () => {
	test('reauthenticate() emails a code; updateUser takes it as the nonce for a new password', async () => {
		platform.settings.securePasswordChange = true;
		try {
			const { client, email, password } = await signedInClient(platform);
			// Signed in a day ago: GoTrue wants proof before the password changes.
			platform.clock.advance(25 * 3_600_000);
			expect((await client.auth.refreshSession()).error).toBeNull();
			const unproven = await client.auth.updateUser({ password: 'new-secret-password' });
			expect(unproven.error).toMatchObject({
				status: 400,
				code: 'reauthentication_needed',
				message: 'Password update requires reauthentication'
			});

			const since = new Date(Date.now() - 1000).toISOString();
			const sent = await client.auth.reauthenticate();
			expect(sent.error).toBeNull();
			const mail = await mailTo(platform, email, since, /is your verification code/);
			const nonce = codeIn(mail);
			const { rows } = await platform.pool.query<{ token_type: string }>(
				`select token_type from auth.one_time_tokens
				 where user_id = (select id from auth.users where email = $1)`,
				[email]
			);
			expect(rows).toEqual([{ token_type: 'reauthentication_token' }]);

			const wrong = await client.auth.updateUser({
				password: 'new-secret-password',
				nonce: nonce === '000000' ? '111111' : '000000'
			});
			expect(wrong.error).toMatchObject({
				status: 422,
				code: 'reauthentication_not_valid',
				message: 'Nonce has expired or is invalid'
			});
			const changed = await client.auth.updateUser({ password: 'new-secret-password', nonce });
			expect(changed.error).toBeNull();
			// The code works once.
			const reused = await client.auth.updateUser({ password: 'another-password', nonce });
			expect(reused.error).toMatchObject({ status: 422, code: 'reauthentication_not_valid' });

			const old = await anonClient(platform).auth.signInWithPassword({ email, password });
			expect(old.error).toMatchObject({ code: 'invalid_credentials' });
			const fresh = await anonClient(platform).auth.signInWithPassword({
				email,
				password: 'new-secret-password'
			});
			expect(fresh.error).toBeNull();
		} finally {
			platform.settings.securePasswordChange = false;
		}
	});

	test('a session signed in within the last day changes the password without a code', async () => {
		platform.settings.securePasswordChange = true;
		try {
			const { client } = await signedInClient(platform);
			platform.clock.advance(23 * 3_600_000);
			expect((await client.auth.refreshSession()).error).toBeNull();
			expect((await client.auth.updateUser({ password: 'changed-today' })).error).toBeNull();
		} finally {
			platform.settings.securePasswordChange = false;
		}
	});

	test('signed out, reauthenticate() asks for a session', async () => {
		const signedOut = await anonClient(platform).auth.reauthenticate();
		expect(signedOut.error?.name).toBe('AuthSessionMissingError');
	});
});
