// Renders a campaign's message for one contact. A block document made in the
// template editor (`{ settings, sections }`, src/lib/templates) is compiled
// with MJML once per campaign and personalized per recipient (templates'
// compileEmail/personalize); its footer carries the postal address and the
// unsubscribe link itself. A message typed as HTML on the sending page
// (`{ html, text? }`) is merged with the same tags and wrapped in the
// organization's layout by compose().
import { escapeHtml, render, type MergeData } from '../../lib/automations/merge.ts';
import {
	compileEmail,
	emailDocument,
	personalize,
	type CompiledEmail,
	type MergeVars
} from '../../lib/templates/index.ts';

export type RenderedEmail = { html: string; text: string };

/** What compose() needs from a campaign's content, prepared once per campaign. */
export type PreparedContent =
	| { kind: 'document'; compiled: CompiledEmail }
	| { kind: 'html'; html: string; text: string | null };

/** Compiles a template document once (MJML); a typed HTML message as it is. */
export async function prepareContent(
	content: unknown,
	headers: { subject: string; preheader: string }
): Promise<PreparedContent> {
	const doc = content as { sections?: unknown; html?: unknown; text?: unknown } | null;
	if (doc && Array.isArray(doc.sections)) {
		const parsed = emailDocument.parse(doc);
		return { kind: 'document', compiled: await compileEmail(parsed, headers) };
	}
	return {
		kind: 'html',
		html: typeof doc?.html === 'string' ? doc.html : '',
		text: typeof doc?.text === 'string' ? doc.text : null
	};
}

function stripTags(html: string): string {
	return html
		.replace(/<(style|script)[\s\S]*?<\/\1>/gi, '')
		.replace(/<br\s*\/?>|<\/(p|div|h[1-6]|li|tr)>/gi, '\n')
		.replace(/<[^>]+>/g, '')
		.replace(/&nbsp;/g, ' ')
		.replace(/\n{3,}/g, '\n\n')
		.trim();
}

/** A typed HTML message merged for one person (values HTML-escaped). */
export function renderHtmlMessage(
	html: string,
	text: string | null,
	vars: MergeData
): RenderedEmail {
	const merged = render(html, vars, { escape: 'html' });
	const plain = text !== null ? render(text, vars) : stripTags(merged);
	return { html: merged || `<p>${escapeHtml(plain)}</p>`, text: plain };
}

/** A template document personalized for one person. */
export function renderDocument(compiled: CompiledEmail, vars: MergeVars) {
	return personalize(compiled, vars);
}
