// Webhook signatures, both ways: HMAC-SHA256 with the endpoint's secret over
// "<unix seconds>.<raw body>", sent as
//
//   X-Growthdesk-Signature: t=1767225600,v1=5257a869e7…
//
// Receivers recompute the HMAC over the raw body, compare in constant time and
// refuse timestamps more than five minutes away (replays). Several v1= values
// may appear while a secret is being rotated. The inbound edge function has a
// Deno twin of this (supabase/functions/_shared/signature.ts).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-growthdesk-signature';
export const TOLERANCE_SECONDS = 300;

export function sign(secret: string, timestamp: number, body: string): string {
	return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export function signatureHeader(secret: string, body: string, at: Date = new Date()): string {
	const timestamp = Math.floor(at.getTime() / 1000);
	return `t=${timestamp},v1=${sign(secret, timestamp, body)}`;
}

export type Verification = { ok: true } | { ok: false; reason: string };

export function verify(
	secret: string,
	header: string | null | undefined,
	body: string,
	now: Date = new Date()
): Verification {
	if (!header) return { ok: false, reason: 'missing signature header' };
	const parts = header.split(',').map((p) => p.trim().split('=', 2) as [string, string?]);
	const t = parts.find(([k]) => k === 't')?.[1];
	const signatures = parts.filter(([k, v]) => k === 'v1' && v).map(([, v]) => v!);
	if (!t || !/^\d+$/.test(t) || signatures.length === 0) {
		return { ok: false, reason: 'malformed signature header' };
	}
	const timestamp = Number(t);
	if (Math.abs(now.getTime() / 1000 - timestamp) > TOLERANCE_SECONDS) {
		return { ok: false, reason: 'timestamp outside the tolerance' };
	}
	const expected = Buffer.from(sign(secret, timestamp, body), 'hex');
	const matches = signatures.some((s) => {
		const given = Buffer.from(s, 'hex');
		return given.length === expected.length && timingSafeEqual(given, expected);
	});
	return matches ? { ok: true } : { ok: false, reason: 'signature does not match' };
}
