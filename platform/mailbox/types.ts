// The shape of one caught email. It is what the JSON API returns, what the store file keeps
// (one JSON object per line) and what tests/helpers/mailbox.ts hands to other tests, so it
// stays a plain, serialisable object.

export type MailMessage = {
	id: string;
	/** The From header as written ("Name <address>"), else the SMTP envelope sender. */
	from: string;
	/**
	 * The SMTP envelope recipients (RCPT TO): who the mail was really delivered to, Bcc
	 * included. Header To/Cc only when the envelope had none.
	 */
	to: string[];
	subject: string;
	/** The text part; derived from the HTML when the mail has none, so it is never missing. */
	text: string;
	html: string | null;
	/** ISO 8601, when the SMTP transaction completed. */
	receivedAt: string;
};

/** Lower-cased and trimmed: addresses are compared case-insensitively everywhere. */
export function normalizeAddress(address: string): string {
	return address.trim().toLowerCase();
}

export function isAddressedTo(message: MailMessage, address: string): boolean {
	const wanted = normalizeAddress(address);
	return message.to.some((to) => normalizeAddress(to) === wanted);
}

export function isMailMessage(value: unknown): value is MailMessage {
	if (typeof value !== 'object' || value === null) return false;
	const m = value as Record<string, unknown>;
	return (
		typeof m.id === 'string' &&
		typeof m.from === 'string' &&
		Array.isArray(m.to) &&
		m.to.every((to) => typeof to === 'string') &&
		typeof m.subject === 'string' &&
		typeof m.text === 'string' &&
		(m.html === null || typeof m.html === 'string') &&
		typeof m.receivedAt === 'string'
	);
}
