// Previews and test sends: a template rendered with a chosen contact's data
// (or no one's: fallbacks show), and the same sent to the person editing it
// through the app's mailer (locally the platform mailbox). The unsubscribe link
// of a preview or a test goes nowhere: only a real send has one.
import type { Trx } from '../db/rls.ts';
import type { Mailer } from '../mail/mailer.ts';
import {
	countSms,
	countWhatsApp,
	renderEmail,
	renderText,
	type EmailDocument,
	type MergeVars,
	type TemplateIssue
} from '../../templates/index.ts';
import { TemplateInvalidError } from './errors.ts';
import type { TemplateChannel } from './schemas.ts';

export type PreviewContact = { id: string; label: string };

/** Contacts to preview with: the most recent ones, or those whose name or email matches. */
export async function contactsToPreview(
	trx: Trx,
	orgId: string,
	search = ''
): Promise<PreviewContact[]> {
	let q = trx
		.selectFrom('contacts')
		.select(['id', 'first_name', 'last_name', 'email'])
		.where('org_id', '=', orgId)
		.where('erased_at', 'is', null)
		.orderBy('created_at', 'desc')
		.orderBy('id', 'desc')
		.limit(25);
	const s = search.trim().toLowerCase();
	if (s) q = q.where('search', 'like', `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
	const rows = await q.execute();
	return rows.map((r) => ({
		id: r.id,
		label:
			[r.first_name, r.last_name].filter(Boolean).join(' ') + (r.email ? ` <${r.email}>` : '') ||
			'Unnamed contact'
	}));
}

/** The merge values of one contact of the organization (empty when none is chosen or found). */
export async function varsFor(
	trx: Trx,
	orgId: string,
	orgName: string,
	contactId: string | null
): Promise<MergeVars> {
	const base: MergeVars = { org: { name: orgName }, unsubscribe_url: null };
	if (!contactId) return base;
	const c = await trx
		.selectFrom('contacts')
		.select(['email', 'first_name', 'last_name', 'company', 'phone', 'custom'])
		.where('org_id', '=', orgId)
		.where('id', '=', contactId)
		.where('erased_at', 'is', null)
		.executeTakeFirst();
	if (!c) return base;
	return {
		...base,
		contact: {
			email: c.email,
			first_name: c.first_name,
			last_name: c.last_name,
			company: c.company,
			phone: c.phone
		},
		custom: (c.custom ?? {}) as Record<string, unknown>
	};
}

export type EmailPreview = { channel: 'email'; subject: string; html: string; text: string };
export type TextPreview = {
	channel: 'sms' | 'whatsapp';
	text: string;
	sms?: ReturnType<typeof countSms>;
	whatsapp?: ReturnType<typeof countWhatsApp>;
};

export async function previewEmail(
	doc: EmailDocument,
	headers: { subject: string; preheader: string },
	vars: MergeVars
): Promise<EmailPreview> {
	const r = await renderEmail(doc, vars, headers);
	return { channel: 'email', ...r };
}

export function previewText(
	channel: Exclude<TemplateChannel, 'email'>,
	body: string,
	vars: MergeVars
): TextPreview {
	const text = renderText(body, vars);
	return channel === 'sms'
		? { channel, text, sms: countSms(text) }
		: { channel, text, whatsapp: countWhatsApp(text) };
}

/** Sends the rendered email to the person testing it; refuses content that could not be saved. */
export async function sendTest(
	mailer: Mailer,
	to: string,
	fromName: string,
	preview: EmailPreview,
	issues: TemplateIssue[]
): Promise<void> {
	if (issues.length > 0) throw new TemplateInvalidError(issues);
	await mailer.send({
		to,
		subject: `[Test] ${preview.subject || '(no subject)'}`,
		html: preview.html,
		text: preview.text,
		fromName
	});
}
