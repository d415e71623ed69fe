// The text of an SMS or WhatsApp campaign (message_sends.content = {"text": …},
// what the send engine in src/worker/sending/texts.ts sends): written on the
// sending page or started from one of the organization's (or the library's)
// text templates of the campaign's channel, checked on save exactly as a text
// template is (an unknown merge tag is an error at the field, never a blank),
// and previewed with a chosen contact's data and its SMS parts.
import { z } from 'zod';
import type { Trx } from '../db/rls.ts';
import * as campaigns from '../campaigns/index.ts';
import { listFields } from '../contacts/fields.ts';
import * as templates from '../templates/index.ts';
import { safeText, validateText, type MergeVars } from '../../templates/index.ts';

export type TextChannel = 'sms' | 'whatsapp';

/** What a text may hold: SMS as the text templates bound it (10 parts), WhatsApp's own limit. */
export const TEXT_MAX: Record<TextChannel, number> = { sms: 1600, whatsapp: 4096 };

/**
 * A save from the page: the template it started from (optional) and the text.
 * An empty text with a template takes the template's text as it is.
 */
export const textSchema = z.object({
	templateId: z.union([z.literal(''), z.uuid('Choose a template from the list.')]),
	// Browsers send a text box's line breaks as CRLF: kept as the LF typed.
	text: safeText(4096, 'The message').transform((s) => s.replace(/\r\n?/g, '\n'))
});
export type TextInput = z.infer<typeof textSchema>;

const CHANNEL_WORDS: Record<TextChannel | 'email', string> = {
	email: 'email',
	sms: 'SMS',
	whatsapp: 'WhatsApp'
};

/** The template chosen is for another channel than the campaign's. */
export class WrongChannelTemplateError extends Error {
	override readonly name = 'WrongChannelTemplateError';
	readonly field = 'templateId';
	constructor(template: TextChannel | 'email', campaign: TextChannel) {
		super(
			`That template is for ${CHANNEL_WORDS[template]}: choose a ${CHANNEL_WORDS[campaign]} template.`
		);
	}
}

/** The campaign is not a text campaign (email and influencer campaigns have no text). */
export class NotATextCampaignError extends Error {
	override readonly name = 'NotATextCampaignError';
	constructor() {
		super('Only SMS and WhatsApp campaigns have a text message.');
	}
}

/** The text cannot be saved: the first problem, at the page's text field. */
export class TextInvalidError extends Error {
	override readonly name = 'TextInvalidError';
	readonly field = 'text';
}

export const isTextChannel = (kind: string): kind is TextChannel =>
	kind === 'sms' || kind === 'whatsapp';

export type TextTemplateChoice = { id: string; name: string; body: string };

/**
 * The text templates of the channel to start from: the organization's own
 * first, then the ready-made ones, each with its text (the page fills the
 * message box with it, so the counter shows it at once).
 */
export async function textTemplateChoices(
	trx: Trx,
	orgId: string,
	channel: TextChannel
): Promise<{ own: TextTemplateChoice[]; readyMade: TextTemplateChoice[] }> {
	const { own, readyMade } = await templates.library(trx, orgId, { q: '', channel });
	// A text template is small and an organization has a handful: read each whole.
	const withBody = async (list: templates.TemplateSummary[]) => {
		const out: TextTemplateChoice[] = [];
		for (const t of list.slice(0, 100)) {
			const full = await templates.get(trx, orgId, t.id);
			out.push({ id: t.id, name: t.name, body: full.body ?? '' });
		}
		return out;
	};
	return { own: await withBody(own), readyMade: await withBody(readyMade) };
}

/** The problems of a text as the text templates check it (merge tags, empty, SMS length). */
export async function textIssues(
	trx: Trx,
	orgId: string,
	channel: TextChannel,
	text: string
): Promise<string[]> {
	const customKeys = new Set((await listFields(trx, orgId)).map((f) => f.key));
	const issues = validateText(text, { customKeys }).map((i) => i.message);
	if (text.length > TEXT_MAX[channel])
		issues.push(
			channel === 'sms'
				? 'An SMS can be at most 1,600 characters (10 parts).'
				: 'A WhatsApp message can be at most 4,096 characters.'
		);
	return issues;
}

/**
 * Saves the campaign's text (the database refuses once sending started, with
 * why). Nothing is written unless every check passes.
 */
export async function saveText(
	trx: Trx,
	orgId: string,
	campaignId: string,
	input: TextInput
): Promise<void> {
	const campaign = await campaigns.get(trx, orgId, campaignId);
	if (!isTextChannel(campaign.kind)) throw new NotATextCampaignError();
	const channel = campaign.kind;
	let text = input.text;
	let templateId: string | null = null;
	if (input.templateId) {
		const template = await templates.get(trx, orgId, input.templateId);
		if (template.channel !== channel)
			throw new WrongChannelTemplateError(template.channel, channel);
		templateId = template.id;
		if (!text.trim()) text = template.body ?? '';
	}
	const issues = await textIssues(trx, orgId, channel, text);
	if (issues.length > 0) throw new TextInvalidError(issues[0]);
	const values = { template_id: templateId, content: JSON.stringify({ text }) };
	await trx
		.insertInto('message_sends')
		.values({ org_id: orgId, campaign_id: campaignId, ...values })
		.onConflict((oc) => oc.column('campaign_id').doUpdateSet(values))
		.execute();
}

export type TextPreview = {
	/** The saved text filled in for the contact, with its length and SMS parts; null before a text is saved. */
	preview: templates.TextPreview | null;
	/** The contact's merge values, so the page can count a text being typed for the same person. */
	vars: MergeVars;
};

/** The saved text as the contact would receive it (no contact: the merge tags' fallbacks show). */
export async function previewText(
	trx: Trx,
	org: { id: string; name: string },
	campaignId: string,
	channel: TextChannel,
	contactId: string | null
): Promise<TextPreview> {
	const row = await trx
		.selectFrom('message_sends')
		.select('content')
		.where('org_id', '=', org.id)
		.where('campaign_id', '=', campaignId)
		.executeTakeFirst();
	const text = (row?.content as { text?: unknown } | null)?.text;
	const vars = await templates.varsFor(trx, org.id, org.name, contactId);
	const preview = typeof text === 'string' ? templates.previewText(channel, text, vars) : null;
	return { preview, vars };
}

/**
 * The number texts go out from, as the sending workers pick it
 * (TWILIO_FROM for SMS, TWILIO_WHATSAPP_FROM for WhatsApp); null when none is set.
 */
export function senderOf(
	channel: TextChannel,
	env: Record<string, string | undefined>
): string | null {
	const from = channel === 'sms' ? env.TWILIO_FROM : env.TWILIO_WHATSAPP_FROM;
	return from?.trim() || null;
}
