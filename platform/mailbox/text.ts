// Small text helpers shared by the parser, the viewer and the link extraction. Deliberately
// regex-based: they only ever see mail our own platform and app send, and a dev tool should
// not pull in an HTML parser for that.

const NAMED_ENTITIES: Record<string, string> = {
	amp: '&',
	lt: '<',
	gt: '>',
	quot: '"',
	apos: "'",
	nbsp: '\u00a0',
	copy: '\u00a9',
	reg: '\u00ae',
	hellip: '\u2026',
	mdash: '\u2014',
	ndash: '\u2013',
	lsquo: '\u2018',
	rsquo: '\u2019',
	ldquo: '\u201c',
	rdquo: '\u201d',
	middot: '\u00b7',
	bull: '\u2022'
};

/** Decodes the entities HTML mail actually uses (`&amp;` in hrefs above all); others stay. */
export function decodeEntities(text: string): string {
	return text.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (entity, name: string) => {
		if (name.startsWith('#')) {
			const hex = name[1] === 'x' || name[1] === 'X';
			const code = Number.parseInt(name.slice(hex ? 2 : 1), hex ? 16 : 10);
			return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
		}
		return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
	});
}

/**
 * A readable text version of an HTML-only mail, so `text` is never empty when there is a body.
 * Links keep their target as "label (url)" so the text view still has something to click.
 */
export function htmlToText(html: string): string {
	const text = html
		.replace(/<!--[\s\S]*?-->/g, '')
		.replace(/<(head|style|script|title)\b[\s\S]*?<\/\1\s*>/gi, '')
		.replace(
			/<a\b[^>]*?\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>([\s\S]*?)<\/a\s*>/gi,
			(_m, dq?: string, sq?: string, bare?: string, label?: string) => {
				const href = decodeEntities(dq ?? sq ?? bare ?? '').trim();
				const words = stripTags(label ?? '').trim();
				return !words || words === href ? href : `${words} (${href})`;
			}
		)
		.replace(/<br\s*\/?>/gi, '\n')
		.replace(/<li\b[^>]*>/gi, '\n- ')
		.replace(/<\/(p|div|h[1-6]|li|tr|table|ul|ol|blockquote|section|header|footer)\s*>/gi, '\n');
	return decodeEntities(stripTags(text))
		.replace(/\u00a0/g, ' ')
		.split('\n')
		.map((line) => line.replace(/[ \t\r]+/g, ' ').trim())
		.join('\n')
		.replace(/\n{3,}/g, '\n\n')
		.trim();
}

function stripTags(html: string): string {
	return html.replace(/<[^>]*>/g, '');
}

/** A piece of plain text: either words or a URL, so the viewer can link the URLs only. */
export type TextPiece = { text: string } | { url: string };

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;

/** Splits plain text into words and http(s) URLs (trailing punctuation stays words). */
export function splitUrls(text: string): TextPiece[] {
	const pieces: TextPiece[] = [];
	let last = 0;
	for (const match of text.matchAll(URL_PATTERN)) {
		const url = trimUrl(match[0]);
		const start = match.index;
		if (start > last) pieces.push({ text: text.slice(last, start) });
		pieces.push({ url });
		last = start + url.length;
	}
	if (last < text.length) pieces.push({ text: text.slice(last) });
	return pieces;
}

export function urlsIn(text: string): string[] {
	return splitUrls(text).flatMap((piece) => ('url' in piece ? [piece.url] : []));
}

// "Open https://x.test/a." ends the sentence, not the URL; a ")" closes the URL only when the
// URL opened one itself (Wikipedia-style links).
function trimUrl(url: string): string {
	let end = url.length;
	for (;;) {
		const char = url[end - 1];
		if (char === undefined) break;
		if ('.,;:!?\'"]}>'.includes(char)) {
			end -= 1;
		} else if (char === ')') {
			const body = url.slice(0, end);
			const opens = body.split('(').length - 1;
			const closes = body.split(')').length - 1;
			if (closes > opens) end -= 1;
			else break;
		} else break;
	}
	return url.slice(0, end);
}
