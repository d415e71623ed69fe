// Behaviour that follows the [auth] settings of supabase/config.toml: confirmations off,
// sign-ups disabled, password rules, and the per-IP and email rate limits. The test
// platform's settings are live, so each test switches what it needs and restores it.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { AuthSettings } from '../../platform/auth/index.ts';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import { anonClient, confirmedUser, uniqueEmail } from './support.ts';

let platform: TestPlatform;
let original: AuthSettings;

beforeAll(async () => {
	platform = await startTestPlatform();
	original = structuredClone(platform.settings);
});

afterAll(async () => {
	await platform?.stop();
});

afterEach(() => {
	Object.assign(platform.settings, structuredClone(original));
	// Past every rate-limit window, so tests do not count each other's requests.
	platform.clock.advance(3_601_000);
});

describe('enable_confirmations = false', () => {
	test('sign-up returns a session; a second sign-up is user_already_exists', async () => {
		platform.settings.enableConfirmations = false;
		const supabase = anonClient(platform);
		const email = uniqueEmail('instant');
		const { data, error } = await supabase.auth.signUp({ email, password: 'no-mail-needed' });
		expect(error).toBeNull();
		expect(data.session?.access_token).toBeTruthy();
		expect(data.user?.email_confirmed_at).toBeTruthy();
		expect((await supabase.auth.getUser()).data.user?.email).toBe(email);

		const again = await anonClient(platform).auth.signUp({ email, password: 'no-mail-needed' });
		expect(again.error).toMatchObject({
			status: 422,
			code: 'user_already_exists',
			message: 'User already registered'
		});
		const settings = (await (
			await fetch(`${platform.apiUrl}/auth/v1/settings`, { headers: { apikey: platform.anonKey } })
		).json()) as { mailer_autoconfirm: boolean };
		expect(settings.mailer_autoconfirm).toBe(true);
	});
});

describe('enable_signup = false', () => {
	test('sign-up and sign-in-by-email for new addresses are refused; existing users sign in', async () => {
		const existing = await confirmedUser(platform);
		platform.settings.enableSignup = false;
		const supabase = anonClient(platform);
		const signUp = await supabase.auth.signUp({
			email: uniqueEmail('closed'),
			password: 'doors-are-shut'
		});
		expect(signUp.error).toMatchObject({ status: 422, code: 'signup_disabled' });
		const otp = await supabase.auth.signInWithOtp({ email: uniqueEmail('closed-otp') });
		expect(otp.error).toMatchObject({ status: 422, code: 'signup_disabled' });
		expect((await supabase.auth.signInWithPassword(existing)).error).toBeNull();
	});
});

describe('password rules', () => {
	test('minimum_password_length and password_requirements', async () => {
		platform.settings.minimumPasswordLength = 10;
		platform.settings.passwordRequirements = 'lower_upper_letters_digits';
		const supabase = anonClient(platform);
		const weak = await supabase.auth.signUp({ email: uniqueEmail('rules'), password: 'short' });
		expect(weak.error).toMatchObject({
			status: 422,
			code: 'weak_password',
			reasons: ['length', 'characters']
		});
		const strong = await supabase.auth.signUp({
			email: uniqueEmail('rules'),
			password: 'Sufficiently8Strong'
		});
		expect(strong.error).toBeNull();
	});

	test('a password that no longer meets the rules still signs in, with a warning', async () => {
		const user = await confirmedUser(platform, 'lowercase-only');
		platform.settings.passwordRequirements = 'letters_digits';
		const { data, error } = await anonClient(platform).auth.signInWithPassword(user);
		expect(error).toBeNull();
		expect(data.weakPassword).toMatchObject({ reasons: ['characters'] });
	});
});

describe('rate limits', () => {
	test('sign-in attempts per IP: 429 over_request_rate_limit, until the window passes', async () => {
		platform.settings.rateLimits.signInSignUps = 3;
		const supabase = anonClient(platform);
		const attempt = () =>
			supabase.auth.signInWithPassword({ email: 'guess@example.com', password: 'guess-again' });
		for (let i = 0; i < 3; i++) {
			expect((await attempt()).error).toMatchObject({ status: 400, code: 'invalid_credentials' });
		}
		expect((await attempt()).error).toMatchObject({
			status: 429,
			code: 'over_request_rate_limit',
			message: 'Request rate limit reached'
		});
		platform.clock.advance(301_000);
		expect((await attempt()).error).toMatchObject({ status: 400, code: 'invalid_credentials' });
	});

	test('token refreshes per IP', async () => {
		const user = await confirmedUser(platform);
		const supabase = anonClient(platform);
		await supabase.auth.signInWithPassword(user);
		platform.settings.rateLimits.tokenRefresh = 2;
		expect((await supabase.auth.refreshSession()).error).toBeNull();
		expect((await supabase.auth.refreshSession()).error).toBeNull();
		expect((await supabase.auth.refreshSession()).error).toMatchObject({
			status: 429,
			code: 'over_request_rate_limit'
		});
	});

	test('emails per hour (rate_limit.email_sent with a real SMTP server)', async () => {
		platform.settings.rateLimits.emailSent = 1;
		const a = await confirmedUser(platform);
		const b = await confirmedUser(platform);
		const supabase = anonClient(platform);
		expect((await supabase.auth.resetPasswordForEmail(a.email)).error).toBeNull();
		expect((await supabase.auth.resetPasswordForEmail(b.email)).error).toMatchObject({
			status: 429,
			code: 'over_email_send_rate_limit'
		});
	});
});
