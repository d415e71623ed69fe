// Sign-in's `redirectTo` must never become an open redirect.
import { describe, expect, it } from 'vitest';
import { callbackUrl, loginUrl, safeRedirectPath } from '../../src/lib/server/auth/redirect.ts';
import { OFF_SITE_AFTER_NORMALIZING } from './off-site-redirects.ts';

describe('safeRedirectPath', () => {
	it.each([
		['/account', '/account'],
		['/account?tab=password#top', '/account?tab=password#top'],
		['/a/../account', '/account'],
		['/', '/'],
		['/contacts?q=a%2Fb&cursor=x%252F', '/contacts?q=a%2Fb&cursor=x%252F'],
		['/contacts/a%20b', '/contacts/a%20b'],
		['/files/a%2fb', '/files/a%2fb']
	])('keeps the same-site path %s', (input, expected) => {
		expect(safeRedirectPath(input)).toBe(expected);
	});

	it.each([
		null,
		undefined,
		'',
		'account',
		'https://evil.example/',
		'//evil.example/path',
		'/\\evil.example',
		'/\\/evil.example',
		'\\\\evil.example',
		'/%0d%0aSet-Cookie:x=1'.replace('%0d%0a', '\r\n'),
		'javascript:alert(1)',
		' /account',
		'/' + 'a'.repeat(3000)
	])('falls back to the app for %j', (input) => {
		expect(safeRedirectPath(input)).toBe('/');
		expect(safeRedirectPath(input, '/fallback')).toBe('/fallback');
	});

	// Paths that only become another host once normalized: dot segments the URL parser
	// removes, percent-encodings of dots, slashes and backslashes (any case, encoded
	// more than once), and tabs or newlines the parser drops.
	it.each(OFF_SITE_AFTER_NORMALIZING)('falls back for %j, however it is encoded', (input) => {
		expect(safeRedirectPath(input)).toBe('/');
		expect(loginUrl(input)).toBe('/login');
		expect(callbackUrl('http://app.test', input)).toBe('http://app.test/auth/callback?next=%2F');
	});

	it('falls back for a path that cannot be percent-decoded', () => {
		for (const input of ['/%', '/%zz/evil.example']) {
			expect(safeRedirectPath(input)).toBe('/');
		}
	});

	it.each([
		['/%2e%2e/account', '/account'],
		['/a/./b/../account', '/a/account']
	])('normalizes dot segments of a same-site path %s', (input, expected) => {
		expect(safeRedirectPath(input)).toBe(expected);
	});
});

describe('loginUrl', () => {
	it('remembers the path and query the person was going to', () => {
		expect(loginUrl(new URL('http://app.test/account?tab=1'))).toBe(
			'/login?redirectTo=%2Faccount%3Ftab%3D1'
		);
	});

	it('does not bother for the home page', () => {
		expect(loginUrl(new URL('http://app.test/'))).toBe('/login');
	});
});

describe('callbackUrl', () => {
	it('points Auth emails at /auth/callback with a safe `next`', () => {
		expect(callbackUrl('http://app.test', '/reset-password')).toBe(
			'http://app.test/auth/callback?next=%2Freset-password'
		);
		expect(callbackUrl('http://app.test', '//evil.example')).toBe(
			'http://app.test/auth/callback?next=%2F'
		);
	});
});
