// Link extraction, shared by the viewer (a "Links" list under each message) and by
// tests/helpers/mailbox.ts, where tests use it to follow confirmation and magic links.
import { decodeEntities, urlsIn } from './text.ts';
import type { MailMessage } from './types.ts';

const HREF_PATTERN = /<a\b[^>]*?\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;

/** The hrefs of the `<a>` tags, in document order, entities decoded, without duplicates. */
export function hrefsIn(html: string): string[] {
	const hrefs: string[] = [];
	for (const match of html.matchAll(HREF_PATTERN)) {
		const href = decodeEntities(match[1] ?? match[2] ?? match[3] ?? '').trim();
		// In-page anchors are not links anyone wants to follow out of an email.
		if (href && !href.startsWith('#')) hrefs.push(href);
	}
	return unique(hrefs);
}

/** The links of a message: the hrefs of its HTML, else the http(s) URLs of its text. */
export function linksIn(message: Pick<MailMessage, 'html' | 'text'>): string[] {
	const hrefs = message.html ? hrefsIn(message.html) : [];
	return hrefs.length > 0 ? hrefs : unique(urlsIn(message.text));
}

function unique(values: string[]): string[] {
	return [...new Set(values)];
}
