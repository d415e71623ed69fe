// Unsubscribe tokens: the link in a marketing email (/u/<token>) and its
// List-Unsubscribe header. The token names the organization, the contact and
// the channel, signed with HMAC-SHA256 under UNSUBSCRIBE_SECRET, so the public
// page can act without a sign-in and nobody can forge one for another contact.
// A campaign message's token also names the message (the message_recipients
// row), so its report counts the unsubscribe (message.unsubscribed). It does
// not expire: an old email's link must still work (RFC 8058 asks the same of
// one-click links), so both versions stay readable. Shared by the worker
// (signs) and the app (verifies).
import { createHmac, timingSafeEqual } from 'node:crypto';

export type UnsubscribeClaims = {
	orgId: string;
	contactId: string;
	channel: 'email';
	/** The campaign message the link came in (absent for automation email and older links). */
	messageId?: string;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function mac(secret: string, payload: string): Buffer {
	return createHmac('sha256', secret).update(payload).digest();
}

function requireSecret(secret: string): void {
	if (secret.length < 16) throw new Error('UNSUBSCRIBE_SECRET must be at least 16 characters');
}

const hex = (id: string) => id.replaceAll('-', '');

/**
 * `u1.<org uuid, hex>.<contact uuid, hex>.e.<signature>` (about 120 characters), or with a
 * message `u2.<org>.<contact>.e.<message uuid, hex>.<signature>` (about 150); URL-safe.
 */
export function sign(secret: string, claims: UnsubscribeClaims): string {
	requireSecret(secret);
	const parts = claims.messageId
		? ['u2', hex(claims.orgId), hex(claims.contactId), 'e', hex(claims.messageId)]
		: ['u1', hex(claims.orgId), hex(claims.contactId), 'e'];
	const payload = parts.join('.');
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
	const withMessage = parts[0] === 'u2';
	if (parts.length !== (withMessage ? 6 : 5) || (parts[0] !== 'u1' && !withMessage)) return null;
	if (parts[3] !== 'e') return null;
	const orgId = uuid(parts[1]!);
	const contactId = uuid(parts[2]!);
	const messageId = withMessage ? uuid(parts[4]!) : null;
	if (!UUID.test(orgId) || !UUID.test(contactId)) return null;
	if (messageId !== null && !UUID.test(messageId)) return null;
	// Compare the text, not decoded bytes: a signature's last base64url character
	// carries unused bits, so decoding would accept several spellings of one token.
	const given = Buffer.from(parts.at(-1)!);
	const expected = Buffer.from(mac(secret, parts.slice(0, -1).join('.')).toString('base64url'));
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
	return messageId
		? { orgId, contactId, channel: 'email', messageId }
		: { orgId, contactId, channel: 'email' };
}
