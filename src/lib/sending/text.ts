// A text message as one person would get it, for the sending page's live
// estimate while the text is typed (browser-safe: no server imports). The
// worker fills the same tags the same way (src/lib/templates/render.ts
// renderText: a tag's value, else its fallback) and trims the result.
import { lookup, parseTags, type MergeVars } from '../templates/merge-tags.ts';
import { countSms, countWhatsApp } from '../templates/sms.ts';

/** The text with each merge tag filled in for these values (the fallback when a value is missing). */
export function fillText(text: string, vars: MergeVars): string {
	let out = '';
	let at = 0;
	for (const t of parseTags(text).tags) {
		out += text.slice(at, t.start) + (lookup(vars, t.name) || t.fallback);
		at = t.end;
	}
	return (out + text.slice(at)).trim();
}

/** What one person's text would cost: its length and, for SMS, its parts. */
export function estimateFor(
	channel: 'sms' | 'whatsapp',
	text: string,
	vars: MergeVars
): { length: number; segments: number | null } {
	const filled = fillText(text, vars);
	if (channel === 'whatsapp') return { length: countWhatsApp(filled).length, segments: null };
	const count = countSms(filled);
	return { length: count.length, segments: Math.max(1, count.segments) };
}
