// Unsubscribe tokens: the link in a marketing email (/u/<token>) and its
// List-Unsubscribe header. The token names the organization, the contact and
// the channel, signed with HMAC-SHA256 under UNSUBSCRIBE_SECRET, so the public
// page can act without a sign-in and nobody can forge one for another contact.
// It does not expire: an old email's link must still work (RFC 8058 asks the
// same of one-click links). Shared by the worker (signs) and the app (verifies).
import { createHmac, timingSafeEqual } from 'node:crypto';

export type UnsubscribeClaims = { orgId: string; contactId: string; channel: 'email' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const VERSION = 'u1';

function mac(secret: string, payload: string): Buffer {
	return createHmac('sha256', secret).update(payload).digest();
}

function requireSecret(secret: string): void {
	if (secret.length < 16) throw new Error('UNSUBSCRIBE_SECRET must be at least 16 characters');
}

/** `u1.<org uuid, hex>.<contact uuid, hex>.e.<signature>`, URL-safe and about 120 characters. */
export function sign(secret: string, claims: UnsubscribeClaims): string {
	requireSecret(secret);
	const payload = [
		VERSION,
		claims.orgId.replaceAll('-', ''),
		claims.contactId.replaceAll('-', ''),
		'e'
	].join('.');
	return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

function uuid(hex: string): string {
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The claims of a genuine token; null for anything malformed, tampered or signed with another secret. */
export function verify(secret: string, token: string): UnsubscribeClaims | null {
	requireSecret(secret);
	if (token.length > 200) return null;
	const parts = token.split('.');
	if (parts.length !== 5 || parts[0] !== VERSION || parts[3] !== 'e') return null;
	const orgId = uuid(parts[1]!);
	const contactId = uuid(parts[2]!);
	if (!UUID.test(orgId) || !UUID.test(contactId)) return null;
	const given = Buffer.from(parts[4]!, 'base64url');
	const expected = mac(secret, parts.slice(0, 4).join('.'));
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
	return { orgId, contactId, channel: 'email' };
}
