// Twilio's Programmable Messaging API, the shape most SMS/WhatsApp providers
// copy: a form-encoded POST to /2010-04-01/Accounts/<sid>/Messages.json with
// HTTP basic auth (account SID : auth token), WhatsApp numbers written
// `whatsapp:+E164`; status callbacks and inbound messages are form posts
// signed in X-Twilio-Signature (base64 HMAC-SHA1 under the auth token of the
// full URL followed by every field name and value, sorted by name).
// Configured by TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM (SMS
// sender), TWILIO_WHATSAPP_FROM and TWILIO_API_URL (the local stand-in, or
// https://api.twilio.com); the receipts come back to <APP_URL>/t/hooks/twilio/status.
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
	BadProviderSignature,
	type DeliveryReceipt,
	type InboundReply,
	type MessagingAdapter,
	type MessagingChannel,
	type OutgoingMessage,
	type ProviderRequest,
	type ReceiptStatus,
	type SendOutcome
} from './adapter.ts';

export type TwilioConfig = {
	accountSid: string;
	authToken: string;
	/** The SMS sender (+E164 or a messaging service's number). */
	from: string;
	/** The WhatsApp sender (+E164); null: WhatsApp not configured. */
	whatsappFrom: string | null;
	apiUrl: string;
	/** Where Twilio posts delivery receipts; the message's reference is added as ?m=. */
	statusCallbackUrl: string | null;
	/** Milliseconds before a send gives up (counted as temporary). */
	timeoutMs?: number;
};

export function twilioConfigFromEnv(env: NodeJS.ProcessEnv = process.env): TwilioConfig | null {
	const accountSid = env.TWILIO_ACCOUNT_SID;
	const authToken = env.TWILIO_AUTH_TOKEN;
	const from = env.TWILIO_FROM;
	if (!accountSid || !authToken || !from) return null;
	const appUrl = env.APP_URL ?? env.ORIGIN;
	return {
		accountSid,
		authToken,
		from,
		whatsappFrom: env.TWILIO_WHATSAPP_FROM || null,
		apiUrl: env.TWILIO_API_URL || 'https://api.twilio.com',
		statusCallbackUrl: appUrl ? `${appUrl.replace(/\/+$/, '')}/t/hooks/twilio/status` : null
	};
}

/** X-Twilio-Signature of a form post to `url`. */
export function twilioSignature(authToken: string, url: string, form: URLSearchParams): string {
	const keys = [...new Set(form.keys())].sort();
	let data = url;
	for (const key of keys) for (const value of form.getAll(key)) data += key + value;
	return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

function verify(authToken: string, request: ProviderRequest): void {
	const given = request.headers.get('x-twilio-signature');
	if (!given) throw new BadProviderSignature('The X-Twilio-Signature header is missing.');
	const expected = Buffer.from(twilioSignature(authToken, request.url, request.form));
	const actual = Buffer.from(given);
	if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
		throw new BadProviderSignature('The X-Twilio-Signature does not match the request.');
	}
}

const STATUSES = new Set<ReceiptStatus>([
	'queued',
	'sent',
	'delivered',
	'read',
	'failed',
	'undelivered'
]);
const E164 = /^\+[1-9]\d{6,14}$/;

function address(channel: MessagingChannel, number: string): string {
	return channel === 'whatsapp' ? `whatsapp:${number}` : number;
}

export function twilioAdapter(config: TwilioConfig): MessagingAdapter {
	const base = config.apiUrl.replace(/\/+$/, '');
	const endpoint = `${base}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
	const auth = `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64')}`;
	return {
		name: 'twilio',
		async send(message: OutgoingMessage): Promise<SendOutcome> {
			if (!E164.test(message.to)) {
				return {
					ok: false,
					temporary: false,
					reason: `Not a phone number in +E.164 form: ${message.to}`
				};
			}
			const from = message.channel === 'whatsapp' ? config.whatsappFrom : config.from;
			if (!from) return { ok: false, temporary: false, reason: 'WhatsApp is not configured.' };
			const form = new URLSearchParams({
				To: address(message.channel, message.to),
				From: address(message.channel, from),
				Body: message.body
			});
			if (config.statusCallbackUrl) {
				form.set(
					'StatusCallback',
					`${config.statusCallbackUrl}?m=${encodeURIComponent(message.reference)}`
				);
			}
			let res: Response;
			try {
				res = await fetch(endpoint, {
					method: 'POST',
					headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
					body: form,
					signal: AbortSignal.timeout(config.timeoutMs ?? 10_000)
				});
			} catch (e) {
				return {
					ok: false,
					temporary: true,
					reason: `Twilio unreachable: ${(e as Error).message}`
				};
			}
			const body = (await res.json().catch(() => ({}))) as {
				sid?: string;
				status?: string;
				message?: string;
				code?: number;
			};
			if (res.ok && body.sid)
				return { ok: true, providerId: body.sid, status: body.status ?? 'queued' };
			const reason = `Twilio ${res.status}${body.code ? ` (${body.code})` : ''}: ${body.message ?? res.statusText}`;
			// Rate limited or Twilio's own trouble: later. Anything else is about this message.
			return { ok: false, temporary: res.status === 429 || res.status >= 500, reason };
		},
		receipt(request: ProviderRequest): DeliveryReceipt {
			verify(config.authToken, request);
			const status = request.form.get('MessageStatus') ?? request.form.get('SmsStatus') ?? '';
			const providerId = request.form.get('MessageSid') ?? request.form.get('SmsSid') ?? '';
			if (!providerId || !STATUSES.has(status as ReceiptStatus)) {
				throw new BadProviderSignature(
					'The receipt has no MessageSid or an unknown MessageStatus.'
				);
			}
			const reference = new URL(request.url).searchParams.get('m');
			const code = request.form.get('ErrorCode');
			return {
				providerId,
				reference,
				status: status as ReceiptStatus,
				error: code
					? `Twilio error ${code}${request.form.get('ErrorMessage') ? `: ${request.form.get('ErrorMessage')}` : ''}`
					: null
			};
		},
		inbound(request: ProviderRequest): InboundReply {
			verify(config.authToken, request);
			const from = request.form.get('From') ?? '';
			const channel: MessagingChannel = from.startsWith('whatsapp:') ? 'whatsapp' : 'sms';
			const strip = (v: string) => v.replace(/^whatsapp:/, '');
			return {
				providerId: request.form.get('MessageSid') ?? '',
				channel,
				from: strip(from),
				to: strip(request.form.get('To') ?? ''),
				body: request.form.get('Body') ?? ''
			};
		}
	};
}
