// Turns the raw bytes of one SMTP transaction into a MailMessage. postal-mime does the MIME work
// (multipart, quoted-printable, base64, encoded-word subjects); this file only picks the fields
// the viewer and the tests care about.
import { randomUUID } from 'node:crypto';
import PostalMime, { type Address } from 'postal-mime';
import { htmlToText } from './text.ts';
import type { MailMessage } from './types.ts';

export type Envelope = { from: string | null; to: string[] };

export async function parseMail(
	raw: Uint8Array,
	envelope: Envelope,
	receivedAt: Date
): Promise<MailMessage> {
	const email = await PostalMime.parse(raw);
	const html = email.html?.trim() ? email.html : null;
	const headerTo = [...(email.to ?? []), ...(email.cc ?? [])].flatMap(addressesOf);
	return {
		id: randomUUID(),
		from: (email.from && formatAddress(email.from)) || envelope.from || '',
		to: envelope.to.length > 0 ? envelope.to : headerTo,
		subject: email.subject ?? '',
		// MIME leaves the part's final line break on the text; nobody means it.
		text: email.text?.trimEnd() ?? (html ? htmlToText(html) : ''),
		html,
		receivedAt: receivedAt.toISOString()
	};
}

function formatAddress(address: Address): string {
	if (address.group) return address.name;
	return address.name ? `${address.name} <${address.address}>` : address.address;
}

function addressesOf(address: Address): string[] {
	return address.group ? address.group.map((member) => member.address) : [address.address];
}
