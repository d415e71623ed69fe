// What is checked when a template is saved or sent, each problem reported at
// the block it is in: merge tags the organization does not have (an error, not
// a blank), broken or unsafe links, images without a usable address, and
// marketing email without an unsubscribe link.
import { parseTags, tagProblem } from './merge-tags.ts';
import { linkProblem, imageProblem, wholeTag } from './links.ts';
import { blocksOf, type Block, type EmailDocument } from './schema.ts';

/** A problem: the block it is in (null for the subject, preheader or whole template) and the field. */
export type TemplateIssue = { blockId: string | null; field: string; message: string };

export type ValidationContext = {
	/** The organization's custom field keys. */
	customKeys: ReadonlySet<string>;
	/** Marketing email must carry an unsubscribe link. */
	marketing: boolean;
};

const LINK = /\[([^\]\n]{1,500})\]\(([^()\s]{1,2000})\)/g;

function checkTags(
	s: string,
	blockId: string | null,
	field: string,
	ctx: ValidationContext,
	out: TemplateIssue[]
) {
	const { tags, problems } = parseTags(s);
	for (const p of problems) out.push({ blockId, field, message: p.message });
	for (const t of tags) {
		const message = tagProblem(t.name, ctx.customKeys);
		if (message) out.push({ blockId, field, message });
	}
}

function checkLink(
	href: string,
	blockId: string,
	field: string,
	ctx: ValidationContext,
	out: TemplateIssue[]
) {
	const problem = linkProblem(href);
	if (problem) out.push({ blockId, field, message: problem });
	checkTags(href, blockId, field, ctx, out);
}

/** Whether a block carries a link to the unsubscribe page. */
function unsubscribes(b: Block): boolean {
	if (b.type === 'footer') return true;
	const isUnsub = (href: string | undefined) =>
		href !== undefined && wholeTag(href.trim()) === 'unsubscribe_url';
	if (b.type === 'button') return isUnsub(b.href);
	if (b.type === 'image') return isUnsub(b.href);
	if (b.type === 'text') return [...b.text.matchAll(LINK)].some((m) => isUnsub(m[2]));
	return false;
}

/** Every problem of an email template (empty when it can be saved and sent). */
export function validateEmail(
	doc: EmailDocument,
	headers: { subject: string; preheader?: string },
	ctx: ValidationContext
): TemplateIssue[] {
	const out: TemplateIssue[] = [];
	if (!headers.subject.trim())
		out.push({ blockId: null, field: 'subject', message: 'Add a subject line.' });
	checkTags(headers.subject, null, 'subject', ctx, out);
	checkTags(headers.preheader ?? '', null, 'preheader', ctx, out);
	let blocks = 0;
	let unsubscribe = false;
	for (const { block: b } of blocksOf(doc)) {
		blocks++;
		unsubscribe ||= unsubscribes(b);
		switch (b.type) {
			case 'text':
				checkTags(b.text, b.id, 'text', ctx, out);
				for (const m of b.text.matchAll(LINK)) checkLink(m[2]!, b.id, 'text', ctx, out);
				break;
			case 'image': {
				const problem = imageProblem(b.src);
				if (problem) out.push({ blockId: b.id, field: 'src', message: problem });
				checkTags(b.alt, b.id, 'alt', ctx, out);
				if (b.href) checkLink(b.href, b.id, 'href', ctx, out);
				break;
			}
			case 'button':
				checkTags(b.label, b.id, 'label', ctx, out);
				checkLink(b.href, b.id, 'href', ctx, out);
				break;
			case 'social':
				for (const l of b.links) checkLink(l.href, b.id, 'links', ctx, out);
				break;
			case 'footer':
				checkTags(b.text, b.id, 'text', ctx, out);
				checkTags(b.address, b.id, 'address', ctx, out);
				for (const m of b.text.matchAll(LINK)) checkLink(m[2]!, b.id, 'text', ctx, out);
				break;
			case 'divider':
			case 'spacer':
				break;
		}
	}
	if (blocks === 0)
		out.push({ blockId: null, field: 'document', message: 'The email is empty: add a block.' });
	if (ctx.marketing && !unsubscribe)
		out.push({
			blockId: null,
			field: 'document',
			message:
				'Marketing email needs an unsubscribe link: add a footer block (or a link to {{unsubscribe_url}}).'
		});
	return out;
}

/** Problems of an SMS or WhatsApp text (unknown or malformed merge tags, empty text). */
export function validateText(
	text: string,
	ctx: Pick<ValidationContext, 'customKeys'>
): TemplateIssue[] {
	const out: TemplateIssue[] = [];
	if (!text.trim()) out.push({ blockId: null, field: 'body', message: 'Write the message.' });
	checkTags(text, null, 'body', { ...ctx, marketing: false }, out);
	return out;
}

/** The merge tags a document uses, with the block each is in (subject and preheader as null). */
export function listMergeTags(
	doc: EmailDocument,
	headers: { subject?: string; preheader?: string } = {}
): { tag: string; fallback: string; blockId: string | null }[] {
	const out: { tag: string; fallback: string; blockId: string | null }[] = [];
	const add = (s: string | undefined, blockId: string | null) => {
		for (const t of parseTags(s ?? '').tags)
			out.push({ tag: t.name, fallback: t.fallback, blockId });
	};
	add(headers.subject, null);
	add(headers.preheader, null);
	for (const { block: b } of blocksOf(doc)) {
		if (b.type === 'text') add(b.text, b.id);
		else if (b.type === 'image') {
			add(b.alt, b.id);
			add(b.href, b.id);
		} else if (b.type === 'button') {
			add(b.label, b.id);
			add(b.href, b.id);
		} else if (b.type === 'social') for (const l of b.links) add(l.href, b.id);
		else if (b.type === 'footer') {
			add(b.text, b.id);
			add(b.address, b.id);
			out.push({ tag: 'unsubscribe_url', fallback: '', blockId: b.id });
		}
	}
	return out;
}
