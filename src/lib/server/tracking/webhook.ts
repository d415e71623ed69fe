// The bounce and complaint webhook of message campaigns: what a mail provider
// (or a relay in front of it) posts when a message bounced, was marked as
// spam or was delivered. Authenticated like the outgoing webhooks and the
// inbound-webhook function: `X-Growthdesk-Signature: t=<unix seconds>,v1=<hex
// HMAC-SHA256 of "<t>.<raw body>">` under MESSAGE_WEBHOOK_SECRET, within five
// minutes of now (a replayed old request is refused). The message is named
// by its id (the recipient row's id, also in the Message-ID the worker sets).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const SIGNATURE_HEADER = 'x-growthdesk-signature';
const TOLERANCE_SECONDS = 300;
export const MAX_BODY_BYTES = 256 * 1024;

export type SignatureProblem = 'missing' | 'malformed' | 'expired' | 'mismatch';

/** Signs a body as a provider would (tests, the local stand-in). */
export function signBody(secret: string, body: string, at = Math.floor(Date.now() / 1000)): string {
	const mac = createHmac('sha256', secret).update(`${at}.${body}`).digest('hex');
	return `t=${at},v1=${mac}`;
}

/** Null when the header signs this body with the secret, recently; else why not. */
export function signatureProblem(
	secret: string,
	header: string | null,
	body: string,
	nowSeconds = Math.floor(Date.now() / 1000)
): SignatureProblem | null {
	if (!header) return 'missing';
	const parts = new Map<string, string[]>();
	for (const piece of header.split(',')) {
		const eq = piece.indexOf('=');
		if (eq < 1) return 'malformed';
		const key = piece.slice(0, eq).trim();
		parts.set(key, [...(parts.get(key) ?? []), piece.slice(eq + 1).trim()]);
	}
	const t = parts.get('t')?.[0];
	const signatures = parts.get('v1') ?? [];
	if (!t || !/^\d{1,12}$/.test(t) || signatures.length === 0) return 'malformed';
	if (Math.abs(nowSeconds - Number(t)) > TOLERANCE_SECONDS) return 'expired';
	const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
	// Several v1 values: a provider rolling its secret signs with both.
	for (const given of signatures) {
		if (!/^[0-9a-f]{64}$/i.test(given)) continue;
		if (timingSafeEqual(Buffer.from(given, 'hex'), expected)) return null;
	}
	return 'mismatch';
}

const report = z.object({
	type: z.enum(['bounce', 'soft_bounce', 'complaint', 'delivered']),
	message_id: z.uuid(),
	reason: z.string().max(500).optional()
});
const batch = z.object({ events: z.array(report).min(1).max(100) });
export type ProviderReport = z.infer<typeof report>;

/**
 * One report, or up to 100 in `{ "events": [...] }`: the reports, or the
 * first problem with the field's path (checked against the shape the body
 * has, so the message names the field at fault, not "no union matched").
 */
export function parseReports(
	body: unknown
): { ok: true; reports: ProviderReport[] } | { ok: false; field: string; message: string } {
	const isBatch = typeof body === 'object' && body !== null && 'events' in body;
	const parsed = isBatch ? batch.safeParse(body) : report.safeParse(body);
	if (parsed.success) {
		return { ok: true, reports: 'events' in parsed.data ? parsed.data.events : [parsed.data] };
	}
	const issue = parsed.error.issues[0]!;
	return { ok: false, field: issue.path.join('.') || 'body', message: issue.message };
}
