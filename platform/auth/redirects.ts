// Where emails and /verify may send people: the site URL, loopback addresses, and the
// additional redirect URLs (globs), exactly GoTrue's IsRedirectURLValid. Anything else falls
// back to the site URL, so a crafted `redirect_to` cannot turn a link into an open redirect.
import type { Context } from 'hono';
import type { AuthSettings } from './settings.ts';

const decimalIp = /^[0-9]+$/;
const regularHostname = /^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/;

export function isRedirectUrlValid(settings: AuthSettings, redirectUrl: string): boolean {
	if (!redirectUrl) return false;
	let base: URL;
	let target: URL;
	try {
		base = new URL(settings.siteUrl);
		target = new URL(redirectUrl);
	} catch {
		return false;
	}
	const host = bareHostname(target.hostname);
	if (
		bareHostname(base.hostname) === host &&
		base.protocol === target.protocol &&
		(base.port === target.port || isLocalhost(host))
	) {
		return true;
	}
	const isHttp = target.protocol === 'http:' || target.protocol === 'https:';
	if (decimalIp.test(host)) return false;
	if (isIpAddress(host)) return isLoopbackIp(host);
	if (isHttp && !regularHostname.test(host)) return false;

	// Globs match the URL without its fragment.
	const withoutFragment = redirectUrl.split('#')[0] ?? '';
	return settings.additionalRedirectUrls.some((pattern) =>
		globToRegExp(pattern).test(withoutFragment)
	);
}

/** GoTrue's GetReferrer: `redirect_to` if allowed, else the Referer if allowed, else site_url. */
export function referrer(c: Context, settings: AuthSettings, requested?: string): string {
	const candidates = [
		requested,
		c.req.query('redirect_to'),
		c.req.header('redirect_to'),
		c.req.header('referer')
	];
	return candidates.find((url) => url && isRedirectUrlValid(settings, url)) ?? settings.siteUrl;
}

/**
 * GoTrue compiles the allow list with gobwas/glob and `.` and `/` as separators: `*` stays
 * within a host label or path segment, `**` crosses them, `?` is one character.
 */
export function globToRegExp(pattern: string): RegExp {
	let source = '';
	for (let i = 0; i < pattern.length; i++) {
		const ch = pattern[i] ?? '';
		if (ch === '*' && pattern[i + 1] === '*') {
			source += '.*';
			i++;
		} else if (ch === '*') {
			source += '[^./]*';
		} else if (ch === '?') {
			source += '[^./]';
		} else {
			source += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
		}
	}
	return new RegExp(`^${source}$`);
}

function bareHostname(hostname: string): string {
	return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

function isLocalhost(host: string): boolean {
	return host === 'localhost' || (isIpAddress(host) && isLoopbackIp(host));
}

function isIpAddress(host: string): boolean {
	return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

function isLoopbackIp(host: string): boolean {
	return host.startsWith('127.') || host === '::1';
}
