// Unsubscribe tokens: what the worker signs the app verifies, and nothing
// else (a changed character, another secret, another contact, garbage).
import { describe, expect, it } from 'vitest';
import { sign, verify } from '../../src/lib/unsubscribe/token.ts';

const SECRET = 'a-secret-of-at-least-16-chars';
const claims = {
	orgId: '0b6c1c9e-6f1e-4d0a-9a43-8b1f6a2c5d10',
	contactId: 'f3a9d2e1-1c2b-4a5d-8e7f-90a1b2c3d4e5',
	channel: 'email' as const
};

describe('unsubscribe tokens', () => {
	it('round-trips the organization, the contact and the channel, URL-safe', () => {
		const token = sign(SECRET, claims);
		expect(token).toMatch(/^[A-Za-z0-9._-]+$/);
		expect(token.length).toBeLessThan(200);
		expect(verify(SECRET, token)).toEqual(claims);
	});

	it('refuses a token with any character changed', () => {
		const token = sign(SECRET, claims);
		for (let i = 0; i < token.length; i++) {
			if (token[i] === '.') continue;
			const swapped = token[i] === 'a' ? 'b' : 'a';
			const tampered = token.slice(0, i) + swapped + token.slice(i + 1);
			expect(verify(SECRET, tampered), `position ${i}`).toBeNull();
		}
	});

	it('refuses every other spelling of the last character (its spare bits decode alike)', () => {
		const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
		// Many signatures, so some end in a character whose neighbour differs only in spare bits.
		for (let n = 0; n < 20; n++) {
			const token = sign(SECRET, {
				...claims,
				messageId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
			});
			for (const c of alphabet) {
				if (c === token.at(-1)) continue;
				expect(verify(SECRET, token.slice(0, -1) + c)).toBeNull();
			}
		}
	});

	it('refuses another contact under the same signature, another secret, and garbage', () => {
		const token = sign(SECRET, claims);
		const [v, org, , ch, mac] = token.split('.');
		const other = sign(SECRET, { ...claims, contactId: '11111111-2222-4333-8444-555555555555' });
		expect(verify(SECRET, [v, org, other.split('.')[2], ch, mac].join('.'))).toBeNull();
		expect(verify('another-secret-of-16-chars', token)).toBeNull();
		for (const junk of ['', 'u1', 'u1....', 'x'.repeat(500), `${token}.x`, token.slice(0, -3)]) {
			expect(verify(SECRET, junk)).toBeNull();
		}
	});

	it("a campaign message's token also names the message; no part can be swapped or dropped", () => {
		const withMessage = { ...claims, messageId: '2c1d7e5f-3b4a-4c6d-9e8f-a0b1c2d3e4f5' };
		const token = sign(SECRET, withMessage);
		expect(token).toMatch(/^u2\.[A-Za-z0-9._-]+$/);
		expect(token.length).toBeLessThan(200);
		expect(verify(SECRET, token)).toEqual(withMessage);
		for (let i = 0; i < token.length; i++) {
			if (token[i] === '.') continue;
			const tampered = token.slice(0, i) + (token[i] === 'a' ? 'b' : 'a') + token.slice(i + 1);
			expect(verify(SECRET, tampered), `position ${i}`).toBeNull();
		}
		const parts = token.split('.');
		const other = sign(SECRET, { ...withMessage, messageId: claims.contactId }).split('.');
		// Another message under this signature, the message dropped, or read as a u1 token.
		expect(verify(SECRET, [...parts.slice(0, 4), other[4], parts[5]].join('.'))).toBeNull();
		expect(verify(SECRET, [...parts.slice(0, 4), parts[5]].join('.'))).toBeNull();
		expect(verify(SECRET, ['u1', ...parts.slice(1)].join('.'))).toBeNull();
	});

	it('refuses to sign or verify with a short secret', () => {
		expect(() => sign('short', claims)).toThrow(/UNSUBSCRIBE_SECRET/);
	});
});
