// Tracking tokens: what the open pixel (/t/o/<token>) and a click redirect
// (/t/c/<token>) of a message carry. A token names one message (the
// recipient row's id) and, for a click, the position of a link in that
// message's campaign links, signed with HMAC-SHA256 under TRACKING_SECRET. It
// never carries a URL: the redirect goes only to a link the campaign
// registered, so the route cannot be made to send anyone anywhere else.
//
// Binary and short (48 URL-safe characters): a version byte, the kind (open or
// click), the recipient uuid, the link's position, then the first 16 bytes of
// the MAC (128 bits, as much as a guess would ever need to beat). Plain module
// (no SvelteKit imports): the send worker signs, the app verifies.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TrackingClaims =
	{ kind: 'open'; recipientId: string } | { kind: 'click'; recipientId: string; link: number };

const VERSION = 1;
const KIND = { open: 1, click: 2 } as const;
const MAC_BYTES = 16;
const PAYLOAD_BYTES = 1 + 1 + 16 + 2;
const TOKEN_BYTES = PAYLOAD_BYTES + MAC_BYTES;
/** base64url of 36 bytes, no padding. */
const TOKEN = /^[A-Za-z0-9_-]{48}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The most links one message can have tracked (the position is two bytes). */
export const MAX_LINKS = 65_535;

export function requireSecret(secret: string | undefined | null): string {
	if (!secret || secret.length < 16) {
		throw new Error('TRACKING_SECRET must be set to at least 16 characters');
	}
	return secret;
}

function mac(secret: string, payload: Buffer): Buffer {
	return createHmac('sha256', secret).update(payload).digest().subarray(0, MAC_BYTES);
}

export function sign(secret: string, claims: TrackingClaims): string {
	requireSecret(secret);
	const id = claims.recipientId.toLowerCase();
	if (!UUID.test(id)) throw new Error(`not a recipient id: ${claims.recipientId}`);
	const link = claims.kind === 'click' ? claims.link : 0;
	if (!Number.isInteger(link) || link < 0 || link > MAX_LINKS) {
		throw new Error(`link position out of range: ${link}`);
	}
	const payload = Buffer.alloc(PAYLOAD_BYTES);
	payload[0] = VERSION;
	payload[1] = KIND[claims.kind];
	Buffer.from(id.replaceAll('-', ''), 'hex').copy(payload, 2);
	payload.writeUInt16BE(link, 18);
	return Buffer.concat([payload, mac(secret, payload)]).toString('base64url');
}

function uuid(bytes: Buffer): string {
	const hex = bytes.toString('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The claims of a genuine token; null for anything malformed, truncated, tampered or signed with another secret. */
export function verify(secret: string, token: string): TrackingClaims | null {
	requireSecret(secret);
	if (!TOKEN.test(token)) return null;
	const bytes = Buffer.from(token, 'base64url');
	// Base64 has spare bits in its last character: re-encoding must give the
	// same text, so two spellings of one token cannot both pass.
	if (bytes.length !== TOKEN_BYTES || bytes.toString('base64url') !== token) return null;
	const payload = bytes.subarray(0, PAYLOAD_BYTES);
	const given = bytes.subarray(PAYLOAD_BYTES);
	if (!timingSafeEqual(given, mac(secret, payload))) return null;
	if (payload[0] !== VERSION) return null;
	const recipientId = uuid(payload.subarray(2, 18));
	const link = payload.readUInt16BE(18);
	if (payload[1] === KIND.open && link === 0) return { kind: 'open', recipientId };
	if (payload[1] === KIND.click) return { kind: 'click', recipientId, link };
	return null;
}
