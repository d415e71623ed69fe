// SMS and WhatsApp campaigns: the text of the campaign (message_sends.content
// = {"text": "…"}) filled in for one person with the templates' merge tags
// (no HTML escaping: it is not HTML), its SMS parts counted the way the
// network bills them (GSM-7 or UCS-2), and the adapter's answer read as the
// sender reads an SMTP reply: accepted, refused for now, or refused for good.
import type { MessagingAdapter, MessagingChannel } from '../../lib/server/messaging/adapter.ts';
import { countSms, renderText, type MergeVars } from '../../lib/templates/index.ts';
import type { Refusal } from './smtp.ts';

export type TextCampaign = {
	campaignId: string;
	orgId: string;
	orgName: string;
	channel: MessagingChannel;
	text: string;
};

export type ComposedText = { body: string; segments: number | null };

/** The text for one person; segments for SMS only (WhatsApp has none). */
export function composeText(
	campaign: TextCampaign,
	contact: Record<string, unknown>
): ComposedText {
	const { custom, ...fields } = contact;
	const vars: MergeVars = {
		contact: fields,
		custom: (custom ?? {}) as Record<string, unknown>,
		org: { name: campaign.orgName }
	};
	const body = renderText(campaign.text, vars).trim();
	return {
		body,
		segments: campaign.channel === 'sms' ? Math.max(1, countSms(body).segments) : null
	};
}

export type TextOutcome =
	{ ok: true; providerId: string; segments: number | null } | { ok: false; refusal: Refusal };

const NO_PROVIDER =
	'No SMS/WhatsApp provider is configured for the sending workers (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM).';

/** Sends one text through the adapter (the recipient row's id is the provider's reference). */
export async function sendText(
	adapter: MessagingAdapter | null,
	campaign: TextCampaign,
	recipient: { id: string; address: string },
	contact: Record<string, unknown>
): Promise<TextOutcome> {
	// Temporary: a worker started with the provider's settings can still send it.
	if (!adapter) return { ok: false, refusal: { temporary: true, reason: NO_PROVIDER } };
	const { body, segments } = composeText(campaign, contact);
	if (!body) {
		return {
			ok: false,
			refusal: { temporary: false, reason: 'The text is empty for this contact.' }
		};
	}
	const outcome = await adapter.send({
		channel: campaign.channel,
		to: recipient.address,
		body,
		reference: recipient.id
	});
	if (outcome.ok) return { ok: true, providerId: outcome.providerId, segments };
	return { ok: false, refusal: { temporary: outcome.temporary, reason: outcome.reason } };
}
