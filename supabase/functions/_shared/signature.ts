// Webhook signatures (Deno twin of src/lib/webhooks/signature.ts):
// HMAC-SHA256 with the endpoint's secret over "<unix seconds>.<raw body>",
//
//   X-Growthdesk-Signature: t=1767225600,v1=5257a869e7…
//
// compared in constant time; timestamps more than five minutes away are
// refused (replays). Several v1= values may appear while a secret rotates.

export const SIGNATURE_HEADER = 'x-growthdesk-signature';
export const TOLERANCE_SECONDS = 300;

const encoder = new TextEncoder();

async function hmacHex(secret: string, message: string): Promise<string> {
	const key = await crypto.subtle.importKey(
		'raw',
		encoder.encode(secret),
		{ name: 'HMAC', hash: 'SHA-256' },
		false,
		['sign']
	);
	const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(message)));
	return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}

function constantTimeEqual(a: string, b: string): boolean {
	if (a.length !== b.length) return false;
	let diff = 0;
	for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
	return diff === 0;
}

export async function sign(secret: string, timestamp: number, body: string): Promise<string> {
	return await hmacHex(secret, `${timestamp}.${body}`);
}

export async function signatureHeader(
	secret: string,
	body: string,
	at = new Date()
): Promise<string> {
	const timestamp = Math.floor(at.getTime() / 1000);
	return `t=${timestamp},v1=${await sign(secret, timestamp, body)}`;
}

export type Verification = { ok: true } | { ok: false; reason: string };

export async function verify(
	secret: string,
	header: string | null,
	body: string,
	now = new Date()
): Promise<Verification> {
	if (!header) return { ok: false, reason: 'missing signature header' };
	const parts = header.split(',').map((p) => p.trim().split('=', 2));
	const t = parts.find(([k]) => k === 't')?.[1];
	const signatures = parts.filter(([k, v]) => k === 'v1' && v).map(([, v]) => v!.toLowerCase());
	if (!t || !/^\d+$/.test(t) || signatures.length === 0) {
		return { ok: false, reason: 'malformed signature header' };
	}
	const timestamp = Number(t);
	if (Math.abs(now.getTime() / 1000 - timestamp) > TOLERANCE_SECONDS) {
		return { ok: false, reason: 'timestamp outside the tolerance' };
	}
	const expected = await sign(secret, timestamp, body);
	return signatures.some((s) => constantTimeEqual(s, expected))
		? { ok: true }
		: { ok: false, reason: 'signature does not match' };
}
