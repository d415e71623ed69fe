// What every Auth route needs, built once per app: the database, the keys, the settings, the
// clock (injectable, so tests can expire tokens and codes), rate limits, mail and tokens.
import type pg from 'pg';
import type { PlatformKeys } from '../keys.ts';
import { createMailer, type Mailer } from './mail/mailer.ts';
import { createRateLimiter, type RateLimiter } from './rate-limit.ts';
import { normalizeAddress } from './request.ts';
import type { AuthSettings } from './settings.ts';
import { createTokenService, type TokenService } from './tokens.ts';

export type AuthOptions = {
	/** Superuser pool to the database holding the auth schema. */
	db: pg.Pool;
	keys: PlatformKeys;
	/** The gateway's public URL, e.g. http://127.0.0.1:54321; JWT iss is `${externalUrl}/auth/v1`. */
	externalUrl: string;
	settings: AuthSettings;
	/** Injectable clock for expiry tests. */
	now?: () => Date;
	/** Where unexpected errors and mail failures are reported (stderr by default). */
	onLog?: (line: string) => void;
	/**
	 * Addresses of proxies whose X-Forwarded-For is believed: the app server, which calls Auth
	 * for its visitors and forwards each one's address (src/lib/server/auth/client.ts). From
	 * any other address the header is ignored and the socket's address is the client's. None
	 * by default.
	 */
	trustedProxies?: readonly string[];
};

export type AuthDeps = {
	db: pg.Pool;
	keys: PlatformKeys;
	settings: AuthSettings;
	/** Base of Auth's own URLs, e.g. http://127.0.0.1:54321/auth/v1 (also the JWT issuer). */
	authUrl: string;
	now: () => Date;
	limiter: RateLimiter;
	mailer: Mailer;
	tokens: TokenService;
	log: (line: string) => void;
	trustedProxies: ReadonlySet<string>;
};

export function createDeps(options: AuthOptions): AuthDeps {
	const now = options.now ?? (() => new Date());
	return {
		db: options.db,
		keys: options.keys,
		settings: options.settings,
		authUrl: `${options.externalUrl.replace(/\/+$/, '')}/auth/v1`,
		now,
		limiter: createRateLimiter(now),
		mailer: createMailer(options.settings.smtp),
		tokens: createTokenService(options.keys, now),
		log: options.onLog ?? ((line) => console.error(line)),
		trustedProxies: new Set((options.trustedProxies ?? []).map(normalizeAddress))
	};
}
