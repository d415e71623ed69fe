// SMS and WhatsApp behind one interface: what a sender needs from a
// provider (send one message; make sense of its delivery receipts and of the
// replies people send back). Each provider is an adapter; the local platform
// runs a stand-in that speaks the real provider's API (platform/messaging),
// as the mailbox speaks SMTP, so the same adapter runs locally and in
// production. Plain modules: the worker imports them by path.

export type MessagingChannel = 'sms' | 'whatsapp';

export type OutgoingMessage = {
	channel: MessagingChannel;
	/** E.164 phone number, e.g. +14155550123. */
	to: string;
	body: string;
	/** Our id of the message (the recipient row); comes back with its receipts. */
	reference: string;
};

export type SendOutcome =
	| { ok: true; providerId: string; status: string }
	/** temporary: try again later (rate limited, provider down); never counted as sent. */
	| { ok: false; temporary: boolean; reason: string };

export type ReceiptStatus = 'queued' | 'sent' | 'delivered' | 'read' | 'failed' | 'undelivered';

export type DeliveryReceipt = {
	providerId: string;
	/** Our reference, when the provider echoes it. */
	reference: string | null;
	status: ReceiptStatus;
	error: string | null;
};

export type InboundReply = {
	providerId: string;
	channel: MessagingChannel;
	from: string;
	to: string;
	body: string;
};

/** A provider's webhook request as received: its full public URL, headers and form fields. */
export type ProviderRequest = {
	url: string;
	headers: Headers;
	form: URLSearchParams;
};

export class BadProviderSignature extends Error {
	override readonly name = 'BadProviderSignature';
	constructor(message = 'The request is not signed by the messaging provider.') {
		super(message);
	}
}

export interface MessagingAdapter {
	readonly name: string;
	send(message: OutgoingMessage): Promise<SendOutcome>;
	/** A delivery receipt, verified; throws BadProviderSignature otherwise. */
	receipt(request: ProviderRequest): DeliveryReceipt;
	/** An inbound reply, verified; throws BadProviderSignature otherwise. */
	inbound(request: ProviderRequest): InboundReply;
}
