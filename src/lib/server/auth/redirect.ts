// Where to send people after signing in, without becoming an open redirect:
// only a path on this site is accepted, anything else falls back to the app.

export const APP_HOME = '/';

const BASE = 'http://same-site.invalid';

/**
 * `value` if it is a same-site relative path ("/account?tab=x"), else `fallback`.
 * Rejects absolute and protocol-relative URLs ("//evil.example", "/\\evil.example"),
 * backslashes and control characters, which browsers may read as another host.
 */
export function safeRedirectPath(value: string | null | undefined, fallback = APP_HOME): string {
	if (!value || value.length > 2048) return fallback;
	if (!value.startsWith('/') || value.startsWith('//')) return fallback;
	// eslint-disable-next-line no-control-regex
	if (/[\\\u0000-\u001f\u007f]/.test(value)) return fallback;
	let url: URL;
	try {
		url = new URL(value, BASE);
	} catch {
		return fallback;
	}
	if (url.origin !== BASE) return fallback;
	return `${url.pathname}${url.search}${url.hash}`;
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
