// Which links a template may carry. Only http(s), mailto: and tel: links are
// rendered (no javascript:, data: or relative links); a link may hold merge
// tags (`https://shop.test/?ref={{contact.email}}`, their values URL-encoded)
// or be a single tag that holds a whole link (`{{unsubscribe_url}}`).
import { parseTags } from './merge-tags.ts';

/** A link that is one merge tag standing for a whole URL. */
export function wholeTag(href: string): string | null {
	const { tags } = parseTags(href);
	const only = tags[0];
	return tags.length === 1 && only && only.start === 0 && only.end === href.trim().length
		? only.name
		: null;
}

/** Why a link is refused (malformed, or not a kind email may carry), or null when it is fine. */
export function linkProblem(raw: string): string | null {
	const href = raw.trim();
	if (href === '') return 'The link is empty.';
	if (wholeTag(href)) return null;
	// Tags stand for URL-encoded values: check the link with a harmless stand-in.
	const probe = href.replace(/\{\{[^{}]*\}\}/g, 'x');
	if (/^https?:\/\//i.test(probe)) {
		let url: URL;
		try {
			url = new URL(probe);
		} catch {
			return `"${href.slice(0, 80)}" is not a valid web address.`;
		}
		if (!url.hostname || !(url.hostname.includes('.') || url.hostname === 'localhost'))
			return `"${href.slice(0, 80)}" is missing a domain (like example.com).`;
		if (/\s/.test(probe)) return `"${href.slice(0, 80)}" contains spaces.`;
		return null;
	}
	if (/^mailto:/i.test(probe))
		return /^mailto:[^@\s]+@[^@\s]+\.[^@\s]+$/i.test(probe.split('?')[0]!)
			? null
			: `"${href.slice(0, 80)}" is not a valid email link.`;
	if (/^tel:/i.test(probe))
		return /^tel:\+?[0-9 ().-]{3,30}$/i.test(probe)
			? null
			: `"${href.slice(0, 80)}" is not a valid phone link.`;
	if (/^[a-z][a-z0-9+.-]*:/i.test(probe))
		return `Links starting with "${probe.split(':')[0]!.slice(0, 20)}:" cannot be used in email.`;
	return `"${href.slice(0, 80)}" is not a full web address (start it with https://).`;
}

/** Whether an image address can be shown in email: an absolute http(s) URL, no tags. */
export function imageProblem(raw: string): string | null {
	const src = raw.trim();
	if (src === '') return 'Pick an image.';
	if (src.includes('{{')) return 'An image address cannot hold merge tags.';
	if (!/^https?:\/\//i.test(src)) return 'The image needs a full web address (https://…).';
	return linkProblem(src);
}

/** A value filled into a whole-link tag at send time: used only when it is a safe web address. */
export function safeUrlValue(value: string): string | null {
	const v = value.trim();
	if (!/^https?:\/\//i.test(v)) return null;
	try {
		return new URL(v).href;
	} catch {
		return null;
	}
}
