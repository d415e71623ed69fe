// Email rendering: the block document → MJML → HTML that works in common
// clients (tables, inline styles, Outlook conditionals: MJML's job), plus a
// plain-text part.
//
// MJML takes tens of milliseconds per document, far too slow per recipient, so
// rendering is split in two:
//   compileEmail(doc, …)   once per template or campaign: MJML runs with every
//                          merge tag replaced by a numbered slot, and the HTML,
//                          text and subject are cut into literal strings and
//                          slots (the tag, its fallback and how to escape it);
//   personalize(c, vars)   once per recipient: joins the strings and each
//                          slot's value, HTML-escaped in the HTML part,
//                          URL-encoded inside links, free of line breaks in
//                          the subject. No parsing, no MJML: microseconds.
// renderEmail(doc, vars) does both, keeping the compiled form per document
// object, so calling it for each recipient with the same document is cheap.
import mjml2html from 'mjml';
import { parseTags, lookup, type MergeVars } from './merge-tags.ts';
import { linkProblem, imageProblem, wholeTag, safeUrlValue } from './links.ts';
import { FONTS, type Block, type EmailDocument, type Section } from './schema.ts';

/** How a slot's value is written: as text, URL-encoded inside a link, or as a whole link. */
type SlotKind = 'value' | 'url' | 'href';
export type Slot = { name: string; fallback: string; kind: SlotKind };
/** A compiled part: literal text, or a slot filled per recipient. */
export type Parts = ReadonlyArray<string | Slot>;

export type CompiledEmail = {
	subject: Parts;
	html: Parts;
	text: Parts;
	/** The names of the merge tags used (what personalize will look up). */
	tags: string[];
};

export type RenderedEmail = { subject: string; html: string; text: string };

export function escapeHtml(text: string): string {
	return text
		.replaceAll('&', '&amp;')
		.replaceAll('<', '&lt;')
		.replaceAll('>', '&gt;')
		.replaceAll('"', '&quot;')
		.replaceAll("'", '&#39;');
}

/** Collects slots while a document is turned into MJML or text; each slot is a token. */
class Slots {
	readonly list: Slot[] = [];
	token(name: string, fallback: string, kind: SlotKind): string {
		this.list.push({ name, fallback, kind });
		return `\u0001${this.list.length - 1}\u0002`;
	}
	/** Splits a rendered string on its tokens. */
	split(rendered: string): Parts {
		const parts: (string | Slot)[] = [];
		// The tokens are control characters the schema refuses in anything typed.
		// eslint-disable-next-line no-control-regex
		for (const [i, piece] of rendered.split(/\u0001(\d+)\u0002/).entries()) {
			if (i % 2 === 0) {
				if (piece) parts.push(piece);
			} else parts.push(this.list[Number(piece)]!);
		}
		return parts;
	}
}

type Mode = 'html' | 'text';

/** Literal text with its merge tags as slots; escaped for HTML in html mode. */
function plain(raw: string, mode: Mode, slots: Slots): string {
	const { tags } = parseTags(raw);
	let out = '';
	let at = 0;
	const lit = (s: string) => (mode === 'html' ? escapeHtml(s) : s);
	for (const t of tags) {
		out += lit(raw.slice(at, t.start)) + slots.token(t.name, t.fallback, 'value');
		at = t.end;
	}
	return out + lit(raw.slice(at));
}

/** A link's address with its tags as slots; null when the link is not one email may carry. */
function link(raw: string, mode: Mode, slots: Slots): string | null {
	const href = raw.trim();
	if (linkProblem(href)) return null;
	const whole = wholeTag(href);
	if (whole) {
		const { tags } = parseTags(href);
		return slots.token(whole, tags[0]!.fallback, 'href');
	}
	const { tags } = parseTags(href);
	let out = '';
	let at = 0;
	const lit = (s: string) => (mode === 'html' ? escapeHtml(s) : s);
	for (const t of tags) {
		out += lit(href.slice(at, t.start)) + slots.token(t.name, t.fallback, 'url');
		at = t.end;
	}
	return out + lit(href.slice(at));
}

const LINK = /\[([^\]\n]{1,500})\]\(([^()\s]{1,2000})\)/g;

/** **bold** and _italic_ on already escaped HTML (or dropped, in text mode). */
function emphasis(s: string, mode: Mode): string {
	if (mode === 'text')
		return s
			.replace(/\*\*([^*\n]+?)\*\*/g, '$1')
			.replace(/(^|[\s(])_([^_\n]+?)_(?=$|[\s.,!?;:)])/g, '$1$2');
	return s
		.replace(/\*\*([^*\n]+?)\*\*/g, '<strong>$1</strong>')
		.replace(/(^|[\s(>])_([^_\n]+?)_(?=$|[\s.,!?;:)<])/g, '$1<em>$2</em>');
}

/**
 * One line of formatted text: links, bold, italic and merge tags. Nothing the
 * person typed reaches the HTML unescaped: tags and attributes cannot be written.
 */
function inline(raw: string, mode: Mode, slots: Slots, linkColor: string): string {
	let out = '';
	let at = 0;
	for (const m of raw.matchAll(LINK)) {
		out += emphasis(plain(raw.slice(at, m.index), mode, slots), mode);
		const label = emphasis(plain(m[1]!, mode, slots), mode);
		const href = link(m[2]!, mode, slots);
		if (href === null) out += label;
		else if (mode === 'html')
			out += `<a href="${href}" style="color:${linkColor};text-decoration:underline" target="_blank">${label}</a>`;
		else out += `${label} (${href})`;
		at = m.index + m[0].length;
	}
	return out + emphasis(plain(raw.slice(at), mode, slots), mode);
}

/** Paragraphs (blank lines) and line breaks of formatted text. */
function paragraphs(raw: string, mode: Mode, slots: Slots, linkColor: string): string {
	const paras = raw
		.replace(/\r\n?/g, '\n')
		.split(/\n{2,}/)
		.map((p) => p.trim())
		.filter(Boolean);
	if (mode === 'text') return paras.map((p) => inline(p, mode, slots, linkColor)).join('\n\n');
	return paras
		.map(
			(p, i, all) =>
				`<p style="margin:0${i < all.length - 1 ? ' 0 12px 0' : ''}">${p
					.split('\n')
					.map((line) => inline(line, mode, slots, linkColor))
					.join('<br>')}</p>`
		)
		.join('');
}

const TEXT_STYLES = {
	heading: { size: '28px', weight: '700', lineHeight: '1.25' },
	subheading: { size: '20px', weight: '600', lineHeight: '1.35' },
	body: { size: '16px', weight: '400', lineHeight: '1.55' },
	small: { size: '13px', weight: '400', lineHeight: '1.5' }
} as const;

const NETWORK_LABELS: Record<string, string> = {
	facebook: 'Facebook',
	instagram: 'Instagram',
	x: 'X',
	linkedin: 'LinkedIn',
	youtube: 'YouTube',
	pinterest: 'Pinterest'
};

function blockMjml(b: Block, doc: EmailDocument, slots: Slots): string {
	const s = doc.settings;
	switch (b.type) {
		case 'text': {
			const st = TEXT_STYLES[b.style];
			return `<mj-text align="${b.align}" color="${b.color ?? s.textColor}" font-size="${st.size}" font-weight="${st.weight}" line-height="${st.lineHeight}">${paragraphs(b.text, 'html', slots, s.linkColor)}</mj-text>`;
		}
		case 'image': {
			if (imageProblem(b.src)) return '';
			const href = b.href ? link(b.href, 'html', slots) : null;
			return `<mj-image src="${escapeHtml(b.src.trim())}" alt="${plain(b.alt, 'html', slots)}" align="${b.align}"${b.width ? ` width="${b.width}px"` : ''}${href ? ` href="${href}"` : ''} />`;
		}
		case 'button': {
			const href = link(b.href, 'html', slots);
			return `<mj-button${href ? ` href="${href}"` : ''} align="${b.align}" background-color="${b.color}" color="${b.textColor}" font-size="16px" font-weight="600" border-radius="6px" inner-padding="12px 24px">${plain(b.label, 'html', slots)}</mj-button>`;
		}
		case 'divider':
			return `<mj-divider border-color="${b.color}" border-width="${b.thickness}px" />`;
		case 'spacer':
			return `<mj-spacer height="${b.height}px" />`;
		case 'social': {
			const items = b.links
				.map((l) => ({ l, href: link(l.href, 'html', slots) }))
				.filter((x) => x.href !== null)
				.map(
					({ l, href }) =>
						`<mj-social-element name="${l.network}-noshare" href="${href}" alt="${NETWORK_LABELS[l.network]}"></mj-social-element>`
				);
			return items.length
				? `<mj-social align="${b.align}" mode="horizontal" icon-size="28px">${items.join('')}</mj-social>`
				: '';
		}
		case 'footer': {
			const text = paragraphs(b.text, 'html', slots, '#71717a');
			const address = plain(b.address.trim(), 'html', slots).replace(/\r?\n/g, '<br>');
			const unsub = slots.token('unsubscribe_url', '', 'href');
			return `<mj-text align="center" color="#71717a" font-size="12px" line-height="1.5">${text}<p style="margin:8px 0 0 0">${address}</p><p style="margin:8px 0 0 0"><a href="${unsub}" style="color:#71717a;text-decoration:underline" target="_blank">${plain(b.unsubscribeLabel || 'Unsubscribe', 'html', slots)}</a></p></mj-text>`;
		}
	}
}

function sectionMjml(sec: Section, doc: EmailDocument, slots: Slots): string {
	const columns = sec.columns
		.map((c) => `<mj-column>${c.blocks.map((b) => blockMjml(b, doc, slots)).join('')}</mj-column>`)
		.join('');
	return `<mj-section background-color="${sec.backgroundColor ?? doc.settings.contentColor}" padding="12px 0">${columns}</mj-section>`;
}

function blockText(b: Block, slots: Slots): string {
	switch (b.type) {
		case 'text':
			return paragraphs(b.text, 'text', slots, '');
		case 'image': {
			const href = b.href ? link(b.href, 'text', slots) : null;
			return b.alt.trim() && href ? `${plain(b.alt, 'text', slots)} (${href})` : '';
		}
		case 'button': {
			const href = link(b.href, 'text', slots);
			return href ? `${plain(b.label, 'text', slots)}: ${href}` : plain(b.label, 'text', slots);
		}
		case 'divider':
			return '----------';
		case 'spacer':
			return '';
		case 'social':
			return b.links
				.map((l) => ({ l, href: link(l.href, 'text', slots) }))
				.filter((x) => x.href !== null)
				.map(({ l, href }) => `${NETWORK_LABELS[l.network]}: ${href}`)
				.join('\n');
		case 'footer':
			return [
				paragraphs(b.text, 'text', slots, ''),
				plain(b.address.trim(), 'text', slots),
				`${plain(b.unsubscribeLabel || 'Unsubscribe', 'text', slots)}: ${slots.token('unsubscribe_url', '', 'href')}`
			]
				.filter(Boolean)
				.join('\n\n');
	}
}

export type EmailHeaders = { subject?: string; preheader?: string };

/** The document as MJML, its tags as slot tokens. */
function toMjml(doc: EmailDocument, headers: EmailHeaders, slots: Slots): string {
	const s = doc.settings;
	const title = headers.subject
		? `<mj-title>${plain(headers.subject, 'html', slots)}</mj-title>`
		: '';
	const preview = headers.preheader?.trim()
		? `<mj-preview>${plain(headers.preheader, 'html', slots)}</mj-preview>`
		: '';
	return `<mjml><mj-head>${title}${preview}<mj-attributes><mj-all font-family="${escapeHtml(FONTS[s.font])}" /><mj-text padding="8px 24px" /><mj-image padding="8px 24px" /><mj-button padding="12px 24px" /><mj-divider padding="12px 24px" /><mj-social padding="8px 24px" /></mj-attributes><mj-style>a { color: ${s.linkColor}; } @media only screen and (max-width:480px) { .mj-column-per-100 { width: 100% !important; } }</mj-style></mj-head><mj-body width="${s.width}px" background-color="${s.backgroundColor}">${doc.sections
		.map((sec) => sectionMjml(sec, doc, slots))
		.join('')}</mj-body></mjml>`;
}

/** Runs MJML once for a document; the result is personalized per recipient. */
export async function compileEmail(
	doc: EmailDocument,
	headers: EmailHeaders = {}
): Promise<CompiledEmail> {
	const slots = new Slots();
	const subject = slots.split(
		plain((headers.subject ?? '').replace(/[\r\n]+/g, ' '), 'text', slots)
	);
	const { html } = await mjml2html(toMjml(doc, headers, slots), {
		validationLevel: 'skip',
		fonts: {},
		keepComments: false
	});
	const text = doc.sections
		.flatMap((sec) => sec.columns.flatMap((c) => c.blocks.map((b) => blockText(b, slots))))
		.filter((t) => t.trim() !== '')
		.join('\n\n');
	return {
		subject,
		html: slots.split(html),
		text: slots.split(text),
		tags: [...new Set(slots.list.map((x) => x.name))]
	};
}

function fill(slot: Slot, vars: MergeVars, html: boolean): string {
	const value = lookup(vars, slot.name) || slot.fallback;
	let out: string;
	if (slot.kind === 'url') out = encodeURIComponent(value);
	else if (slot.kind === 'href') out = safeUrlValue(value) ?? '#';
	else out = value;
	return html ? escapeHtml(out) : out;
}

function join(parts: Parts, vars: MergeVars, html: boolean): string {
	let out = '';
	for (const p of parts) out += typeof p === 'string' ? p : fill(p, vars, html);
	return out;
}

/** One recipient's email from a compiled template: no MJML, no parsing. */
export function personalize(c: CompiledEmail, vars: MergeVars): RenderedEmail {
	return {
		subject: join(c.subject, vars, false)
			.replace(/[\r\n]+/g, ' ')
			.trim(),
		html: join(c.html, vars, true),
		text: join(c.text, vars, false)
	};
}

const compiled = new WeakMap<EmailDocument, Map<string, Promise<CompiledEmail>>>();

/**
 * The email for one recipient. The MJML pass is kept per document object (and
 * subject/preheader), so rendering a campaign's recipients with the same
 * document runs MJML once; sending may also hold compileEmail's result itself.
 */
export async function renderEmail(
	doc: EmailDocument,
	vars: MergeVars,
	headers: EmailHeaders = {}
): Promise<RenderedEmail> {
	let byHeaders = compiled.get(doc);
	if (!byHeaders) compiled.set(doc, (byHeaders = new Map<string, Promise<CompiledEmail>>()));
	const key = JSON.stringify([headers.subject ?? '', headers.preheader ?? '']);
	let c = byHeaders.get(key);
	if (!c) {
		c = compileEmail(doc, headers);
		byHeaders.set(key, c);
		c.catch(() => byHeaders.delete(key));
	}
	return personalize(await c, vars);
}

/** SMS / WhatsApp text for one recipient (tags filled, no escaping: it is not HTML). */
export function renderText(text: string, vars: MergeVars): string {
	const slots = new Slots();
	return join(slots.split(plain(text, 'text', slots)), vars, false);
}
