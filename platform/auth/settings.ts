// Auth settings, read from the [auth*] sections of supabase/config.toml: the same file the
// Supabase CLI turns into GoTrue's environment, so a setting changed there means the same
// thing locally and on a Supabase project.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'smol-toml';

export type PasswordRequirement =
	'' | 'letters_digits' | 'lower_upper_letters_digits' | 'lower_upper_letters_digits_symbols';

/** The email templates the CLI knows under [auth.email.template.<name>]. */
export type EmailTemplateName =
	'invite' | 'confirmation' | 'recovery' | 'magic_link' | 'email_change' | 'reauthentication';

export type EmailTemplate = { subject?: string; content?: string };

export type AuthSettings = {
	/** Default redirect target of emails, and always an allowed redirect. */
	siteUrl: string;
	/** More allowed redirect targets; globs as GoTrue's URI allow list (`*`, `**`, `?`). */
	additionalRedirectUrls: string[];
	/** Access token lifetime in seconds. */
	jwtExpiry: number;
	enableSignup: boolean;
	/** [auth.email] enabled: email sign-up and sign-in at all. */
	emailEnabled: boolean;
	/** Users must confirm their email before signing in (GoTrue's MAILER_AUTOCONFIRM inverted). */
	enableConfirmations: boolean;
	/** An email change must be confirmed from the old and the new address. */
	doubleConfirmChanges: boolean;
	/**
	 * A password change needs a reauthentication code (GET /reauthenticate) when the session
	 * was signed in more than 24 hours ago ([auth.email] secure_password_change).
	 */
	securePasswordChange: boolean;
	/** [auth] enable_manual_linking: linkIdentity / unlinkIdentity (OAuth is not implemented). */
	manualLinking: boolean;
	refreshTokenRotation: boolean;
	/** Seconds a just-rotated refresh token may still be used (concurrent tabs, lost responses). */
	refreshTokenReuseInterval: number;
	minimumPasswordLength: number;
	passwordRequirements: PasswordRequirement;
	otpLength: number;
	/** Seconds an emailed link or code stays valid. */
	otpExpiry: number;
	/** Minimum seconds between two emails of the same kind to the same user. */
	maxFrequency: number;
	/** Seconds a PKCE flow may take from its start to the code exchange (GoTrue: 5 minutes). */
	flowStateExpiry: number;
	rateLimits: {
		/** Emails per hour, whole instance; null = unlimited (the local mail catcher). */
		emailSent: number | null;
		/** Sign-up and sign-in requests per 5 minutes per IP. */
		signInSignUps: number;
		/**
		 * Requests to /token (every grant: password, refresh, PKCE, ID token) per 5 minutes per
		 * IP, as GoTrue's one Token limiter counts them.
		 */
		tokenRefresh: number;
		/**
		 * Requests an address may make at once before the per-5-minute rate applies (GoTrue's
		 * fixed burst of 30 for /token; not in config.toml).
		 */
		tokenBurst: number;
		/** OTP / magic link verifications per 5 minutes per IP. */
		tokenVerifications: number;
	};
	smtp: {
		host: string;
		port: number;
		user: string;
		pass: string;
		adminEmail: string;
		senderName: string;
	};
	templates: Partial<Record<EmailTemplateName, EmailTemplate>>;
};

/** Overrides one level deep, so `{ smtp: { port } }` or `{ rateLimits: { tokenRefresh } }` work. */
export type AuthSettingsOverrides = {
	[K in keyof AuthSettings]?: AuthSettings[K] extends unknown[]
		? AuthSettings[K]
		: AuthSettings[K] extends object
			? Partial<AuthSettings[K]>
			: AuthSettings[K];
};

const templateNames: EmailTemplateName[] = [
	'invite',
	'confirmation',
	'recovery',
	'magic_link',
	'email_change',
	'reauthentication'
];

type Table = Record<string, unknown>;

export function readAuthSettings(
	configTomlPath: string,
	overrides: AuthSettingsOverrides = {}
): AuthSettings {
	const config = parse(readFileSync(configTomlPath, 'utf8')) as Table;
	// content_path values are relative to the project root, as the CLI reads them.
	const projectRoot = resolve(dirname(configTomlPath), '..');
	const auth = table(config, 'auth');
	const email = table(auth, 'email');
	const smtpTable = table(email, 'smtp');
	const localSmtp = table(config, 'local_smtp');
	const rateLimit = table(auth, 'rate_limit');
	const customSmtp = bool(smtpTable, 'enabled', false);

	const base: AuthSettings = {
		siteUrl: str(auth, 'site_url', 'http://127.0.0.1:3000'),
		additionalRedirectUrls: strings(auth, 'additional_redirect_urls'),
		jwtExpiry: num(auth, 'jwt_expiry', 3600),
		enableSignup: bool(auth, 'enable_signup', true),
		emailEnabled: bool(email, 'enabled', true),
		enableConfirmations: bool(email, 'enable_confirmations', true),
		doubleConfirmChanges: bool(email, 'double_confirm_changes', true),
		securePasswordChange: bool(email, 'secure_password_change', false),
		manualLinking: bool(auth, 'enable_manual_linking', false),
		refreshTokenRotation: bool(auth, 'enable_refresh_token_rotation', true),
		refreshTokenReuseInterval: num(auth, 'refresh_token_reuse_interval', 10),
		minimumPasswordLength: num(auth, 'minimum_password_length', 6),
		passwordRequirements: passwordRequirement(str(auth, 'password_requirements', '')),
		otpLength: num(email, 'otp_length', 6),
		otpExpiry: num(email, 'otp_expiry', 3600),
		maxFrequency: durationSeconds(str(email, 'max_frequency', '1s'), 'auth.email.max_frequency'),
		flowStateExpiry: 300,
		rateLimits: {
			// The CLI only applies the hourly email cap to a real SMTP server; mail to the local
			// catcher is not limited.
			emailSent: customSmtp ? num(rateLimit, 'email_sent', 2) : null,
			signInSignUps: num(rateLimit, 'sign_in_sign_ups', 30),
			tokenRefresh: num(rateLimit, 'token_refresh', 150),
			tokenBurst: 30,
			tokenVerifications: num(rateLimit, 'token_verifications', 30)
		},
		smtp: customSmtp
			? {
					host: str(smtpTable, 'host', '127.0.0.1'),
					port: num(smtpTable, 'port', 587),
					user: str(smtpTable, 'user', ''),
					pass: str(smtpTable, 'pass', ''),
					adminEmail: str(smtpTable, 'admin_email', 'admin@email.com'),
					senderName: str(smtpTable, 'sender_name', 'Admin')
				}
			: {
					host: '127.0.0.1',
					port: num(localSmtp, 'smtp_port', 54325),
					user: '',
					pass: '',
					adminEmail: str(localSmtp, 'admin_email', 'admin@email.com'),
					senderName: str(localSmtp, 'sender_name', 'Admin')
				},
		templates: readTemplates(table(email, 'template'), projectRoot)
	};
	return validate(applyOverrides(base, overrides));
}

/** Settings with defaults only (as `supabase init` writes them, confirmations on). */
export function defaultAuthSettings(overrides: AuthSettingsOverrides = {}): AuthSettings {
	const base: AuthSettings = {
		siteUrl: 'http://127.0.0.1:3000',
		additionalRedirectUrls: [],
		jwtExpiry: 3600,
		enableSignup: true,
		emailEnabled: true,
		enableConfirmations: true,
		doubleConfirmChanges: true,
		securePasswordChange: false,
		manualLinking: false,
		refreshTokenRotation: true,
		refreshTokenReuseInterval: 10,
		minimumPasswordLength: 6,
		passwordRequirements: '',
		otpLength: 6,
		otpExpiry: 3600,
		maxFrequency: 1,
		flowStateExpiry: 300,
		rateLimits: {
			emailSent: null,
			signInSignUps: 30,
			tokenRefresh: 150,
			tokenBurst: 30,
			tokenVerifications: 30
		},
		smtp: {
			host: '127.0.0.1',
			port: 54325,
			user: '',
			pass: '',
			adminEmail: 'admin@email.com',
			senderName: 'Admin'
		},
		templates: {}
	};
	return validate(applyOverrides(base, overrides));
}

export function applyOverrides(base: AuthSettings, overrides: AuthSettingsOverrides): AuthSettings {
	return {
		...base,
		...stripUndefined(overrides),
		rateLimits: { ...base.rateLimits, ...stripUndefined(overrides.rateLimits ?? {}) },
		smtp: { ...base.smtp, ...stripUndefined(overrides.smtp ?? {}) },
		templates: { ...base.templates, ...stripUndefined(overrides.templates ?? {}) }
	};
}

function stripUndefined<T extends object>(value: T): Partial<T> {
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function validate(s: AuthSettings): AuthSettings {
	const problems: string[] = [];
	if (!isHttpUrl(s.siteUrl)) problems.push(`site_url must be an http(s) URL, got "${s.siteUrl}"`);
	if (!(s.jwtExpiry >= 30 && s.jwtExpiry <= 604800)) {
		problems.push('jwt_expiry must be between 30 and 604800 seconds');
	}
	if (s.minimumPasswordLength < 6) problems.push('minimum_password_length must be at least 6');
	if (!(s.otpLength >= 6 && s.otpLength <= 10)) problems.push('otp_length must be 6 to 10');
	if (s.otpExpiry <= 0 || s.refreshTokenReuseInterval < 0 || s.maxFrequency < 0) {
		problems.push('otp_expiry, refresh_token_reuse_interval and max_frequency must be positive');
	}
	if (problems.length) throw new Error(`Invalid Auth settings: ${problems.join('; ')}.`);
	return s;
}

function isHttpUrl(value: string): boolean {
	try {
		const url = new URL(value);
		return url.protocol === 'http:' || url.protocol === 'https:';
	} catch {
		return false;
	}
}

function readTemplates(
	section: Table,
	projectRoot: string
): Partial<Record<EmailTemplateName, EmailTemplate>> {
	const templates: Partial<Record<EmailTemplateName, EmailTemplate>> = {};
	for (const name of templateNames) {
		const entry = table(section, name);
		const subject = optionalStr(entry, 'subject');
		const contentPath = optionalStr(entry, 'content_path');
		if (subject === undefined && contentPath === undefined) continue;
		const content =
			contentPath === undefined
				? undefined
				: readFileSync(resolve(projectRoot, contentPath), 'utf8');
		templates[name] = { subject, content };
	}
	return templates;
}

function passwordRequirement(value: string): PasswordRequirement {
	const allowed: PasswordRequirement[] = [
		'',
		'letters_digits',
		'lower_upper_letters_digits',
		'lower_upper_letters_digits_symbols'
	];
	const found = allowed.find((a) => a === value);
	if (found === undefined) {
		throw new Error(`Invalid Auth settings: unknown auth.password_requirements "${value}".`);
	}
	return found;
}

/** Go duration strings ("1s", "1m30s", "500ms", "24h") → seconds, or null if malformed. */
export function parseGoDuration(value: string): number | null {
	const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
	const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
	if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value.trim()) return null;
	return parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] ?? 's'] ?? 1), 0);
}

function durationSeconds(value: string, what: string): number {
	const seconds = parseGoDuration(value);
	if (seconds === null) {
		throw new Error(
			`Invalid Auth settings: ${what} must be a duration like "60s", got "${value}".`
		);
	}
	return seconds;
}

function table(parent: Table, key: string): Table {
	const value = parent[key];
	return typeof value === 'object' && value !== null && !Array.isArray(value)
		? (value as Table)
		: {};
}

/** The CLI's `env(NAME)` substitution, so secrets stay out of config.toml. */
function substituteEnv(value: string): string {
	const match = /^env\((\w+)\)$/.exec(value.trim());
	return match?.[1] ? (process.env[match[1]] ?? '') : value;
}

function optionalStr(t: Table, key: string): string | undefined {
	const value = t[key];
	return typeof value === 'string' ? substituteEnv(value) : undefined;
}

function str(t: Table, key: string, fallback: string): string {
	return optionalStr(t, key) ?? fallback;
}

function num(t: Table, key: string, fallback: number): number {
	const value = t[key];
	if (typeof value === 'number') return value;
	if (typeof value === 'bigint') return Number(value);
	return fallback;
}

function bool(t: Table, key: string, fallback: boolean): boolean {
	const value = t[key];
	return typeof value === 'boolean' ? value : fallback;
}

function strings(t: Table, key: string): string[] {
	const value = t[key];
	return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
