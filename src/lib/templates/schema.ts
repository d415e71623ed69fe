// The block document of an email template: what the editor edits, the
// database stores (message_templates.document) and the renderer turns into
// MJML. A fixed shape (sections → columns → blocks), so its depth is bounded by
// construction; sizes are bounded here and again by the database. Strings
// refuse NUL and other control characters (Postgres refuses \u0000 in jsonb,
// and nothing a person types needs them). Links are kept as typed and checked
// by validate.ts, so a broken one is reported at its block instead of making
// the whole document unreadable; the renderer never emits an unsafe one.
import { z } from 'zod';
import { jsonDepth } from '../json-bounds.ts';

export const MAX_SECTIONS = 60;
export const MAX_COLUMNS = 4;
export const MAX_BLOCKS_PER_COLUMN = 40;
/** Blocks in the whole document (sections × columns × blocks would allow far more). */
export const MAX_BLOCKS = 300;
export const MAX_TEXT = 5000;
export const MAX_DOCUMENT_BYTES = 200_000;
/** Sections → columns → blocks → social links: the document nests at most this deep. */
export const MAX_DOCUMENT_DEPTH = 10;

// Tab and newline are fine; every other control character (NUL included) is refused.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** A string a person typed: bounded, without control characters. */
export function safeText(max: number, label = 'This text') {
	return z
		.string()
		.max(max, `${label} is too long (at most ${max} characters).`)
		.refine((s) => !CONTROL.test(s), `${label} contains characters that cannot be sent.`);
}

const id = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'Each block needs a short id.');
const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'Pick a colour like #1a2b3c.');
const align = z.enum(['left', 'center', 'right']);
/** A link as typed: checked by validate.ts (not here, so it is reported at its block). */
const href = safeText(2000, 'The link');

export const textBlock = z.object({
	type: z.literal('text'),
	id,
	/** Markdown-like: **bold**, _italic_, [label](link), blank line between paragraphs. */
	text: safeText(MAX_TEXT),
	style: z.enum(['heading', 'subheading', 'body', 'small']).default('body'),
	align: align.default('left'),
	color: color.optional()
});

export const imageBlock = z.object({
	type: z.literal('image'),
	id,
	/** A public or signed URL of a file from Files (or any https image). */
	src: href,
	/** The catalogue id of the file it came from, when picked from Files. */
	fileId: z.uuid().optional(),
	alt: safeText(200, 'The description').default(''),
	href: href.optional(),
	width: z.number().int().min(20).max(800).optional(),
	align: align.default('center')
});

export const buttonBlock = z.object({
	type: z.literal('button'),
	id,
	label: safeText(80, 'The button text').refine(
		(s) => s.trim().length > 0,
		'The button needs a text.'
	),
	href,
	align: align.default('center'),
	color: color.default('#2563eb'),
	textColor: color.default('#ffffff')
});

export const dividerBlock = z.object({
	type: z.literal('divider'),
	id,
	color: color.default('#e5e7eb'),
	thickness: z.number().int().min(1).max(8).default(1)
});

export const spacerBlock = z.object({
	type: z.literal('spacer'),
	id,
	height: z.number().int().min(4).max(160).default(24)
});

export const SOCIAL_NETWORKS = [
	'facebook',
	'instagram',
	'x',
	'linkedin',
	'youtube',
	'pinterest'
] as const;

export const socialBlock = z.object({
	type: z.literal('social'),
	id,
	align: align.default('center'),
	links: z
		.array(z.object({ network: z.enum(SOCIAL_NETWORKS), href }))
		.max(SOCIAL_NETWORKS.length, 'At most one link per network.')
});

export const footerBlock = z.object({
	type: z.literal('footer'),
	id,
	/** Why the person gets this email, in the organization's words. */
	text: safeText(1000).default(''),
	/** The organization's postal address (the law asks for it in marketing email). */
	address: safeText(300, 'The postal address').refine(
		(s) => s.trim().length > 0,
		'Add the postal address of the organization.'
	),
	unsubscribeLabel: safeText(80, 'The unsubscribe text').default('Unsubscribe')
});

export const block = z.discriminatedUnion('type', [
	textBlock,
	imageBlock,
	buttonBlock,
	dividerBlock,
	spacerBlock,
	socialBlock,
	footerBlock
]);

export const column = z.object({
	id,
	blocks: z
		.array(block)
		.max(MAX_BLOCKS_PER_COLUMN, `A column holds at most ${MAX_BLOCKS_PER_COLUMN} blocks.`)
});

export const section = z.object({
	type: z.literal('section'),
	id,
	backgroundColor: color.optional(),
	columns: z.array(column).min(1).max(MAX_COLUMNS, `A section has at most ${MAX_COLUMNS} columns.`)
});

export const FONTS = {
	sans: 'Helvetica, Arial, sans-serif',
	serif: 'Georgia, "Times New Roman", serif',
	mono: '"Courier New", Courier, monospace'
} as const;

export const settings = z.object({
	width: z.number().int().min(480).max(800).default(600),
	backgroundColor: color.default('#f4f4f5'),
	contentColor: color.default('#ffffff'),
	textColor: color.default('#18181b'),
	linkColor: color.default('#2563eb'),
	font: z.enum(['sans', 'serif', 'mono']).default('sans')
});

const documentShape = z
	.object({
		version: z.literal(1),
		settings: settings.prefault({}),
		sections: z.array(section).max(MAX_SECTIONS, `A template has at most ${MAX_SECTIONS} sections.`)
	})
	.superRefine((doc, ctx) => {
		let blocks = 0;
		const seen = new Set<string>();
		for (const s of doc.sections) {
			for (const c of s.columns) {
				blocks += c.blocks.length;
				for (const b of c.blocks) {
					if (seen.has(b.id))
						ctx.addIssue({ code: 'custom', message: `Two blocks share the id ${b.id}.` });
					seen.add(b.id);
				}
			}
		}
		if (blocks > MAX_BLOCKS)
			ctx.addIssue({ code: 'custom', message: `A template has at most ${MAX_BLOCKS} blocks.` });
	});

/**
 * The document as stored and rendered. Depth and size are measured before zod
 * reads it (a value nested thousands deep would overflow zod's recursion, and
 * ten thousand blocks are refused before each is parsed).
 */
export const emailDocument = z
	.unknown()
	.superRefine((value, ctx) => {
		if (jsonDepth(value, MAX_DOCUMENT_DEPTH) > MAX_DOCUMENT_DEPTH) {
			ctx.addIssue({ code: 'custom', message: 'This template is nested too deeply.' });
			return z.NEVER;
		}
		if ((JSON.stringify(value) ?? '').length > MAX_DOCUMENT_BYTES)
			ctx.addIssue({ code: 'custom', message: 'This template is too large.' });
	})
	.pipe(documentShape);

export type EmailDocument = z.output<typeof documentShape>;
export type EmailDocumentInput = z.input<typeof documentShape>;
export type Section = z.output<typeof section>;
export type Column = z.output<typeof column>;
export type Block = z.output<typeof block>;
export type BlockType = Block['type'];
export type Settings = z.output<typeof settings>;

/** Parses a stored or posted document; throws a ZodError with the path of each problem. */
export function parseDocument(value: unknown): EmailDocument {
	return emailDocument.parse(value);
}

/** Every block with where it is (for validation messages and the editor). */
export function* blocksOf(
	doc: EmailDocument
): Generator<{ block: Block; section: number; column: number; index: number }> {
	for (const [si, s] of doc.sections.entries())
		for (const [ci, c] of s.columns.entries())
			for (const [bi, b] of c.blocks.entries())
				yield { block: b, section: si, column: ci, index: bi };
}
