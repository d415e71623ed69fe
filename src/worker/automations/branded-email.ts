// An automation email as the organization sends it: its name in From, its
// reply-to address, its logo, colour and font around the body, and for
// marketing email an unsubscribe link in the footer plus the List-Unsubscribe
// headers mail clients show as a button (RFC 2369, one-click per RFC 8058).
// Everything merged into the HTML is escaped before it gets here or here.
import { escapeHtml } from '../../lib/automations/merge.ts';

export type OrgSender = {
	name: string;
	replyTo: string | null;
	primaryColor: string;
	fontFamily: string;
	logoUrl: string | null;
};

export type Unsubscribe = { url: string; mailto: string | null };

const SERIF = new Set(['Georgia', 'Merriweather']);

function fontStack(font: string): string {
	if (font === 'system-ui') return "system-ui, -apple-system, 'Segoe UI', Arial, sans-serif";
	return `'${font}', ${SERIF.has(font) ? "Georgia, 'Times New Roman', serif" : 'Arial, Helvetica, sans-serif'}`;
}

/** The body HTML (already escaped) inside the organization's layout. */
export function wrapHtml(
	org: OrgSender,
	bodyHtml: string,
	unsubscribe: Unsubscribe | null
): string {
	const name = escapeHtml(org.name);
	// The colour and font come from check-constrained columns; escaped all the same.
	const color = escapeHtml(org.primaryColor);
	const font = escapeHtml(fontStack(org.fontFamily));
	const header = org.logoUrl
		? `<img src="${escapeHtml(org.logoUrl)}" alt="${name}" style="max-height:48px;max-width:200px">`
		: `<span style="font-size:20px;font-weight:bold;color:${color}">${name}</span>`;
	const footer = unsubscribe
		? `You receive this email from ${name}. <a href="${escapeHtml(unsubscribe.url)}" style="color:${color}">Unsubscribe</a> from ${name} emails.`
		: `Sent by ${name}.`;
	return `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<style>a{color:${color}} .gd-body a.button{background:${color};color:#ffffff;padding:10px 18px;border-radius:6px;text-decoration:none;display:inline-block}</style>
</head>
<body style="margin:0;padding:0;background:#f4f4f5">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border-radius:8px;border-top:4px solid ${color};font-family:${font};color:#18181b;font-size:16px;line-height:1.5">
<tr><td style="padding:24px 32px 8px">${header}</td></tr>
<tr><td class="gd-body" style="padding:8px 32px 24px">${bodyHtml}</td></tr>
<tr><td style="padding:16px 32px;border-top:1px solid #e4e4e7;font-size:12px;color:#71717a">${footer}</td></tr>
</table></td></tr></table>
</body></html>`;
}

/** The plain-text part: the text body and, for marketing email, the unsubscribe link. */
export function wrapText(org: OrgSender, text: string, unsubscribe: Unsubscribe | null): string {
	if (!unsubscribe) return text;
	return `${text}\n\n--\nYou receive this email from ${org.name}. Unsubscribe: ${unsubscribe.url}\n`;
}

/** The headers that make an unsubscribe button in mail clients (one click, no sign-in). */
export function unsubscribeHeaders(unsubscribe: Unsubscribe): Record<string, string> {
	const targets = [`<${unsubscribe.url}>`];
	if (unsubscribe.mailto) targets.push(`<mailto:${unsubscribe.mailto}?subject=unsubscribe>`);
	return {
		'List-Unsubscribe': targets.join(', '),
		'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click'
	};
}
