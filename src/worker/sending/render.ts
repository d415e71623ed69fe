// Renders a campaign's message document for one contact. The block editor's
// renderer (`renderEmail(doc, vars) -> { html, text }`, src/lib/templates,
// issue 15 part 1) is the real one; until it is on main this small stand-in
// with the same signature renders a document of the shape
// `{ html: string, text?: string }` with merge tags (`{{contact.first_name | "there"}}`).
import { escapeHtml, render, type MergeData } from '../../lib/automations/merge.ts';

export type RenderedEmail = { html: string; text: string };

/** The variables a message is merged with. */
export type MessageVars = MergeData;

function stripTags(html: string): string {
	return html
		.replace(/<(style|script)[\s\S]*?<\/\1>/gi, '')
		.replace(/<br\s*\/?>|<\/(p|div|h[1-6]|li|tr)>/gi, '\n')
		.replace(/<[^>]+>/g, '')
		.replace(/&nbsp;/g, ' ')
		.replace(/\n{3,}/g, '\n\n')
		.trim();
}

export function renderEmail(doc: unknown, vars: MessageVars): RenderedEmail {
	const d = (doc ?? {}) as { html?: unknown; text?: unknown };
	const html = typeof d.html === 'string' ? render(d.html, vars, { escape: 'html' }) : '';
	const text = typeof d.text === 'string' ? render(d.text, vars) : stripTags(html);
	return { html: html || `<p>${escapeHtml(text)}</p>`, text };
}
