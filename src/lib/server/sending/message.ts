// The message of an email campaign, made from a template: the organization's
// email templates and the ready-made ones to choose from, saving the choice
// (the template's document is copied into the campaign, so editing the
// template later does not change a campaign that was sent; merge tags, links
// and the unsubscribe link checked as a template's save checks them, an
// unknown field being an error), and a preview of the message as a chosen
// contact would receive it with the campaign's subject, sender and reply-to.
import type { Trx } from '../db/rls.ts';
import * as campaigns from '../campaigns/index.ts';
import { listFields } from '../contacts/fields.ts';
import * as templates from '../templates/index.ts';
import { escapeHtml, render } from '../../automations/merge.ts';
import { emailDocument, validateEmail } from '../../templates/index.ts';
import type { MessageInput } from './schema.ts';

/** The template chosen is not an email template (an SMS or WhatsApp one). */
export class NotAnEmailTemplateError extends Error {
	override readonly name = 'NotAnEmailTemplateError';
	readonly field = 'templateId';
	constructor() {
		super('That template is for text messages: choose an email template.');
	}
}

/** The campaign sends texts (SMS or WhatsApp): its message is written, not an email template. */
export class NotAnEmailCampaignError extends Error {
	override readonly name = 'NotAnEmailCampaignError';
	readonly field = 'templateId';
	constructor() {
		super('This campaign sends text messages: write its text instead of choosing an email.');
	}
}

/** Email templates to choose from: the organization's own first, then the ready-made ones. */
export async function templateChoices(trx: Trx, orgId: string) {
	const { own, readyMade } = await templates.library(trx, orgId, { q: '', channel: 'email' });
	const pick = (t: templates.TemplateSummary) => ({ id: t.id, name: t.name, subject: t.subject });
	return { own: own.map(pick), readyMade: readyMade.map(pick) };
}

/**
 * Saves the message from a template (the database refuses once sending
 * started, with why). Nothing is written unless every check passes; throws
 * TemplateInvalidError with each problem at its block or field.
 */
export async function choose(
	trx: Trx,
	orgId: string,
	campaignId: string,
	input: MessageInput
): Promise<void> {
	const campaign = await campaigns.get(trx, orgId, campaignId);
	if (campaign.kind !== 'email') throw new NotAnEmailCampaignError();
	const template = await templates.get(trx, orgId, input.templateId);
	if (template.channel !== 'email' || !template.document) throw new NotAnEmailTemplateError();
	const subject = input.subject || (template.subject ?? '').trim();
	const preheader = input.preheader || template.preheader.trim();
	const customKeys = new Set((await listFields(trx, orgId)).map((f) => f.key));
	// A campaign is marketing email: it must carry an unsubscribe link.
	const issues = validateEmail(
		template.document,
		{ subject, preheader },
		{ customKeys, marketing: true }
	);
	if (issues.length > 0) throw new templates.TemplateInvalidError(issues);
	const values = {
		template_id: template.id,
		content: JSON.stringify(template.document),
		subject,
		preheader,
		from_name: input.fromName,
		reply_to: input.replyTo || null
	};
	await trx
		.insertInto('message_sends')
		.values({ org_id: orgId, campaign_id: campaignId, ...values })
		.onConflict((oc) => oc.column('campaign_id').doUpdateSet(values))
		.execute();
}

export type MessagePreview = {
	subject: string;
	fromName: string;
	replyTo: string | null;
	html: string;
	text: string;
};

/**
 * The saved message as the contact would receive it (no contact: the merge
 * tags' fallbacks show); null before a message is saved. The unsubscribe link
 * of a preview goes nowhere: only a real send has one.
 */
export async function preview(
	trx: Trx,
	org: { id: string; name: string },
	campaignId: string,
	contactId: string | null
): Promise<MessagePreview | null> {
	const row = await trx
		.selectFrom('message_sends')
		.select(['content', 'subject', 'preheader', 'from_name', 'reply_to'])
		.where('org_id', '=', org.id)
		.where('campaign_id', '=', campaignId)
		.executeTakeFirst();
	if (!row?.content) return null;
	const vars = await templates.varsFor(trx, org.id, org.name, contactId);
	const envelope = { fromName: row.from_name || org.name, replyTo: row.reply_to };
	const content = row.content as { sections?: unknown; html?: unknown };
	if (Array.isArray(content.sections)) {
		const doc = emailDocument.safeParse(content);
		if (!doc.success) return null;
		const email = await templates.previewEmail(
			doc.data,
			{ subject: row.subject, preheader: row.preheader },
			vars
		);
		return { ...envelope, subject: email.subject, html: email.html, text: email.text };
	}
	// HTML typed before templates existed: shown as it is sent (merged, values escaped).
	const html = typeof content.html === 'string' ? content.html : '';
	const merged = render(html, vars, { escape: 'html' });
	return {
		...envelope,
		subject: render(row.subject, vars).replace(/[\r\n]+/g, ' '),
		html: merged || `<p>${escapeHtml(html)}</p>`,
		text: merged.replace(/<[^>]+>/g, '')
	};
}
