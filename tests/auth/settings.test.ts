// Behaviour that follows the [auth] settings of supabase/config.toml: confirmations off,
// sign-ups disabled, password rules, and the per-IP and email rate limits. The test
// platform's settings are live, so each test switches what it needs and restores it.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { readAuthSettings, type AuthSettings } from '../../platform/auth/index.ts';
import { linksIn } from '../helpers/mailbox.ts';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import { anonClient, confirmedUser, mailTo, rawAuth, uniqueEmail } from './support.ts';

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
	// GoTrue's Token limiter: token_refresh requests per 5 minutes per IP, with a burst of 30.
	function tokenLimit(perFiveMinutes: number, burst: number) {
		platform.settings.rateLimits.tokenRefresh = perFiveMinutes;
		platform.settings.rateLimits.tokenBurst = burst;
	}

	test('sign-in attempts per IP: 429 over_request_rate_limit, until the bucket refills', async () => {
		tokenLimit(3, 3);
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
		// 3 per 5 minutes is one request every 100 seconds.
		platform.clock.advance(100_000);
		expect((await attempt()).error).toMatchObject({ status: 400, code: 'invalid_credentials' });
		expect((await attempt()).error).toMatchObject({ status: 429 });
	});

	test("the default burst is GoTrue's 30 requests", () => {
		expect(readAuthSettings('supabase/config.toml').rateLimits).toMatchObject({
			tokenRefresh: 150,
			tokenBurst: 30
		});
	});

	test('every /token grant shares one limiter: sign-ins, refreshes and code exchanges', async () => {
		const user = await confirmedUser(platform);
		const supabase = anonClient(platform);
		tokenLimit(1, 3);
		expect((await supabase.auth.signInWithPassword(user)).error).toBeNull();
		expect((await supabase.auth.refreshSession()).error).toBeNull();
		// A code exchange with a code nobody issued (supabase-js needs a stored verifier to send one).
		const pkce = await rawAuth(platform, '/token?grant_type=pkce', {
			method: 'POST',
			body: JSON.stringify({ auth_code: 'no-such-code', code_verifier: 'v'.repeat(43) })
		});
		expect(pkce.status).toBe(404);
		expect((await supabase.auth.refreshSession()).error).toMatchObject({
			status: 429,
			code: 'over_request_rate_limit'
		});
		expect((await supabase.auth.signInWithPassword(user)).error).toMatchObject({
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

describe('config.toml', () => {
	test('readAuthSettings reads the [auth*] sections, env() values and templates', async () => {
		const dir = await mkdtemp(join(tmpdir(), 'gd-auth-'));
		try {
			await mkdir(join(dir, 'supabase', 'templates'), { recursive: true });
			await writeFile(join(dir, 'supabase', 'templates', 'confirm.html'), '<p>{{ .Token }}</p>');
			await writeFile(
				join(dir, 'supabase', 'config.toml'),
				[
					'[auth]',
					'site_url = "https://app.example.com"',
					'additional_redirect_urls = ["https://*.example.com/**"]',
					'jwt_expiry = 900',
					'enable_signup = false',
					'password_requirements = "letters_digits"',
					'[auth.rate_limit]',
					'email_sent = 5',
					'sign_in_sign_ups = 12',
					'[auth.email]',
					'enable_confirmations = false',
					'max_frequency = "1m30s"',
					'otp_expiry = 600',
					'[auth.email.smtp]',
					'enabled = true',
					'host = "smtp.example.com"',
					'port = 465',
					'user = "apikey"',
					'pass = "env(GD_TEST_SMTP_PASS)"',
					'admin_email = "no-reply@example.com"',
					'sender_name = "Growthdesk"',
					'[auth.email.template.confirmation]',
					'subject = "Welcome"',
					'content_path = "./supabase/templates/confirm.html"'
				].join('\n')
			);
			process.env.GD_TEST_SMTP_PASS = 'from-the-environment';
			const settings = readAuthSettings(join(dir, 'supabase', 'config.toml'), {
				rateLimits: { tokenRefresh: 7 }
			});
			expect(settings).toMatchObject({
				siteUrl: 'https://app.example.com',
				additionalRedirectUrls: ['https://*.example.com/**'],
				jwtExpiry: 900,
				enableSignup: false,
				enableConfirmations: false,
				passwordRequirements: 'letters_digits',
				maxFrequency: 90,
				otpExpiry: 600,
				rateLimits: {
					emailSent: 5,
					signInSignUps: 12,
					tokenRefresh: 7,
					tokenBurst: 30,
					tokenVerifications: 30
				},
				smtp: {
					host: 'smtp.example.com',
					port: 465,
					user: 'apikey',
					pass: 'from-the-environment',
					adminEmail: 'no-reply@example.com',
					senderName: 'Growthdesk'
				},
				templates: { confirmation: { subject: 'Welcome', content: '<p>{{ .Token }}</p>' } }
			});
		} finally {
			delete process.env.GD_TEST_SMTP_PASS;
			await rm(dir, { recursive: true, force: true });
		}
	});

	test('a custom template can link to the app with the token hash', async () => {
		platform.settings.templates = {
			confirmation: {
				subject: 'Confirm your Growthdesk account',
				content:
					'<a href="{{ .SiteURL }}/auth/confirm?token_hash={{ .TokenHash }}&type=email">Confirm {{ .Email }}</a>'
			}
		};
		const email = uniqueEmail('templated');
		const since = new Date().toISOString();
		await anonClient(platform).auth.signUp({ email, password: 'custom-template' });
		const mail = await mailTo(platform, email, since, /Growthdesk account/);
		const link = new URL(linksIn(mail)[0] ?? '');
		expect(`${link.origin}${link.pathname}`).toBe('http://127.0.0.1:3000/auth/confirm');
		const { data, error } = await anonClient(platform).auth.verifyOtp({
			token_hash: link.searchParams.get('token_hash') ?? '',
			type: 'email'
		});
		expect(error).toBeNull();
		expect(data.user?.email).toBe(email);
	});
});
