// Tracking tokens and the rewriting of a message's links: what the worker
// signs the app verifies, and nothing else (a changed or missing character,
// another secret, an open token used as a click), and only the template's own
// links become redirects (the token carries a position, never a URL).
import { describe, expect, it } from 'vitest';
import { sign, verify } from '../../src/lib/server/tracking/token.ts';
import {
	clickUrl,
	linksIn,
	openPixel,
	trackLinks,
	trackMessage,
	type TrackingConfig
} from '../../src/lib/server/tracking/links.ts';

const SECRET = 'a-tracking-secret-of-16+-chars';
const config: TrackingConfig = { secret: SECRET, appUrl: 'https://app.example.com/' };
const recipientId = '0b6c1c9e-6f1e-4d0a-9a43-8b1f6a2c5d10';

function tokenOf(url: string): string {
	return /\/t\/[oc]\/([A-Za-z0-9_-]+)/.exec(url)![1]!;
}

describe('tracking tokens', () => {
	it('round-trip an open and a click, URL-safe and short', () => {
		const open = sign(SECRET, { kind: 'open', recipientId });
		const click = sign(SECRET, { kind: 'click', recipientId, link: 7 });
		expect(open).toMatch(/^[A-Za-z0-9_-]{48}$/);
		expect(verify(SECRET, open)).toEqual({ kind: 'open', recipientId });
		expect(verify(SECRET, click)).toEqual({ kind: 'click', recipientId, link: 7 });
	});

	it('refuse a token with any one character changed', () => {
		const token = sign(SECRET, { kind: 'click', recipientId, link: 3 });
		for (let i = 0; i < token.length; i++) {
			for (const swapped of ['A', 'z', '-', '0']) {
				if (token[i] === swapped) continue;
				const tampered = token.slice(0, i) + swapped + token.slice(i + 1);
				expect(verify(SECRET, tampered), `position ${i} → ${swapped}`).toBeNull();
			}
		}
	});

	it('refuse truncated, extended, garbage and other-secret tokens', () => {
		const token = sign(SECRET, { kind: 'open', recipientId });
		for (const junk of [
			'',
			token.slice(0, -1),
			token.slice(0, 40),
			`${token}A`,
			`${token}.`,
			'x'.repeat(48),
			'x'.repeat(5000),
			token.replace(/./, '+'),
			`${token.slice(0, 47)}=`
		]) {
			expect(verify(SECRET, junk), junk.slice(0, 60)).toBeNull();
		}
		expect(verify('another-secret-of-16-chars', token)).toBeNull();
	});

	it('do not let another message or another link borrow a signature', () => {
		const a = Buffer.from(sign(SECRET, { kind: 'click', recipientId, link: 1 }), 'base64url');
		const b = Buffer.from(
			sign(SECRET, { kind: 'click', recipientId: '11111111-2222-4333-8444-555555555555', link: 2 }),
			'base64url'
		);
		// b's payload with a's MAC, and a's payload with another link position.
		const mixed = Buffer.concat([b.subarray(0, 20), a.subarray(20)]).toString('base64url');
		expect(verify(SECRET, mixed)).toBeNull();
		const moved = Buffer.from(a);
		moved.writeUInt16BE(2, 18);
		expect(verify(SECRET, moved.toString('base64url'))).toBeNull();
	});

	it('refuse to sign with a short or missing secret, or a bad recipient', () => {
		expect(() => sign('short', { kind: 'open', recipientId })).toThrow(/TRACKING_SECRET/);
		expect(() => sign(SECRET, { kind: 'open', recipientId: 'not-a-uuid' })).toThrow();
		expect(() => sign(SECRET, { kind: 'click', recipientId, link: 70_000 })).toThrow();
	});
});

describe('trackLinks and openPixel', () => {
	const links = ['https://shop.example.com/sale?a=1&b=2', 'https://shop.example.com/'];

	it("rewrite only the template's own links, to signed redirects of their position", () => {
		const html = [
			`<a href="https://shop.example.com/sale?a=1&amp;b=2" class="btn">Sale</a>`,
			`<a class="x" href='https://shop.example.com/'>Home</a>`,
			`<a href="https://evil.example.net/">Elsewhere</a>`,
			`<a href="mailto:hi@example.com">Mail</a>`,
			`<a href="https://app.example.com/u/abc">Unsubscribe</a>`,
			`<img src="https://shop.example.com/">`
		].join('\n');
		const out = trackLinks(html, recipientId, links, config);
		const hrefs = [...out.matchAll(/href=["']([^"']*)["']/g)].map((m) => m[1]!);
		expect(hrefs[0]).toMatch(/^https:\/\/app\.example\.com\/t\/c\/[A-Za-z0-9_-]{48}$/);
		expect(verify(SECRET, tokenOf(hrefs[0]!))).toEqual({ kind: 'click', recipientId, link: 0 });
		expect(verify(SECRET, tokenOf(hrefs[1]!))).toEqual({ kind: 'click', recipientId, link: 1 });
		expect(hrefs.slice(2)).toEqual([
			'https://evil.example.net/',
			'mailto:hi@example.com',
			'https://app.example.com/u/abc'
		]);
		expect(out).toContain(`<img src="https://shop.example.com/">`);
		expect(out).toContain('class="btn">Sale</a>');
	});

	it('put a pixel for the message before </body>', () => {
		const pixel = openPixel(recipientId, config);
		const src = /src="([^"]+)"/.exec(pixel)![1]!;
		expect(verify(SECRET, tokenOf(src))).toEqual({ kind: 'open', recipientId });
		const out = trackMessage(
			`<html><body><a href="${links[1]}">x</a></body></html>`,
			recipientId,
			links,
			config
		);
		expect(out).toMatch(/<img src="https:\/\/app\.example\.com\/t\/o\/[^"]+"[^>]*\/><\/body>/);
		expect(out).not.toContain(`href="${links[1]}"`);
		expect(clickUrl(recipientId, 1, config)).toBe(/href="([^"]+)"/.exec(out)![1]);
	});

	it('list the trackable links of a message once each, leaving per-contact and non-web links out', () => {
		const html = [
			`<a href="https://shop.example.com/sale?a=1&amp;b=2">Sale</a>`,
			`<a href='https://shop.example.com/'>Home</a>`,
			`<a href="https://shop.example.com/sale?a=1&b=2">Again</a>`,
			`<a href="https://shop.example.com/u/{{contact.id}}">Mine</a>`,
			`<a href="mailto:hi@example.com">Mail</a>`,
			`<a name="top">Top</a>`
		].join('');
		expect(linksIn(html)).toEqual(links);
		const out = trackLinks(html, recipientId, linksIn(html), config);
		expect(out.match(/\/t\/c\//g)).toHaveLength(3);
	});
});
