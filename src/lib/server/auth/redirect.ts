// Where to send people after signing in, without becoming an open redirect:
// only a path on this site is accepted, anything else falls back to the app.
// Every redirect after sign-in, sign-up, an email link or an invitation goes
// through `safeRedirectPath`, so this is the one place that decides.

export const APP_HOME = '/';

const BASE = 'http://same-site.invalid';

/** Percent-decoding rounds tried before giving up ("%25252f" is 3 rounds deep). */
const MAX_DECODE_ROUNDS = 4;

// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTERS = /[\\\u0000-\u001f\u007f]/;

/** A path only a same-site reading exists for: one leading slash, no backslash or control. */
function isPlainPath(path: string): boolean {
	return path.startsWith('/') && !path.startsWith('//') && !UNSAFE_CHARACTERS.test(path);
}

/** `value` resolved against a dummy origin, or null when it leaves that origin. */
function resolveOnSite(value: string): URL | null {
	try {
		const url = new URL(value, BASE);
		return url.origin === BASE ? url : null;
	} catch {
		return null;
	}
}

/**
 * True when the path stays a plain same-site path however many times something
 * (a proxy, a framework, a browser) percent-decodes and re-resolves it:
 * "/%2e%2e//evil.example", "/%2f/evil.example", "/%5c/evil.example" and their
 * double encodings would otherwise turn into "//evil.example" one step later.
 */
function staysOnSite(pathname: string): boolean {
	let path = pathname;
	for (let round = 0; round < MAX_DECODE_ROUNDS; round += 1) {
		if (!isPlainPath(path)) return false;
		let decoded: string;
		try {
			decoded = decodeURIComponent(path);
		} catch {
			return false;
		}
		if (decoded === path) return true;
		if (!isPlainPath(decoded)) return false;
		const resolved = resolveOnSite(decoded);
		if (!resolved) return false;
		// Re-encoding gave the same path back ("/a%20b"): nothing more to decode.
		if (resolved.pathname === path) return true;
		path = resolved.pathname;
	}
	return false;
}

/**
 * `value` if it is a same-site relative path ("/account?tab=x"), else `fallback`.
 * The value is normalized first (resolved against a dummy origin by the URL parser,
 * which removes dot segments such as "/.//evil.example" and "/%2e//evil.example"),
 * and the result must still be on that origin with a path starting with a single "/".
 * Absolute and protocol-relative URLs, backslashes and control characters, which
 * browsers may read as another host, fall back too.
 */
export function safeRedirectPath(value: string | null | undefined, fallback = APP_HOME): string {
	if (!value || value.length > 2048 || !isPlainPath(value)) return fallback;
	const url = resolveOnSite(value);
	if (!url || !staysOnSite(url.pathname)) return fallback;
	const target = `${url.pathname}${url.search}${url.hash}`;
	// The answer itself must resolve to the same place (a browser reads it again).
	const again = resolveOnSite(target);
	if (!again || again.href !== url.href || UNSAFE_CHARACTERS.test(target)) return fallback;
	return target;
}

/** The sign-in page, remembering where the person was going. */
export function loginUrl(destination: URL | string): string {
	const path =
		typeof destination === 'string' ? destination : `${destination.pathname}${destination.search}`;
	const target = safeRedirectPath(path, APP_HOME);
	return target === APP_HOME ? '/login' : `/login?redirectTo=${encodeURIComponent(target)}`;
}

/** The URL an Auth email sends people back to: our callback, then `next`. */
export function callbackUrl(origin: string, next: string): string {
	return `${origin}/auth/callback?next=${encodeURIComponent(safeRedirectPath(next))}`;
}
