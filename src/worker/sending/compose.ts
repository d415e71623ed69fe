// One campaign email as it goes out: the message rendered for the contact in
// the organization's layout, the brand's postal address in the footer, an
// unsubscribe link, the List-Unsubscribe headers for mail clients' button
// (RFC 2369, one click per RFC 8058), and a Message-ID made from the
// recipient row's id, so a message sent again after a crash is recognisably
// the same message. With a tracking secret, the campaign's own links become
// signed click redirects and an open pixel is added (src/lib/server/tracking).
import type { SendMailOptions } from 'nodemailer';
import { escapeHtml, render } from '../../lib/automations/merge.ts';
import { sign } from '../../lib/unsubscribe/token.ts';
import {
	unsubscribeHeaders,
	wrapHtml,
	wrapText,
	type OrgSender
} from '../automations/branded-email.ts';
import type { MergeVars } from '../../lib/templates/index.ts';
import { renderDocument, renderHtmlMessage, type PreparedContent } from './render.ts';
import { trackMessage } from '../../lib/server/tracking/links.ts';
import { renderText } from '../../lib/templates/render.ts';
import { subjectFor } from './subject-test.ts';

export type CampaignMessage = {
	campaignId: string;
	orgId: string;
	subject: string;
	preheader: string;
	fromName: string;
	replyTo: string | null;
	content: PreparedContent;
	sender: OrgSender;
	postalAddress: string;
	/** The links clicks are tracked on, as registered for the campaign (empty: none). */
	links: readonly string[];
	/** A subject-line test's subjects of variants 1..3 (subject-test.ts); absent: no test. */
	testSubjects?: readonly string[];
};

export type Recipient = {
	id: string;
	contact_id: string;
	address: string;
	attempts: number;
	variant: number;
};

export type ContactVars = Record<string, unknown>;

export type ComposeConfig = {
	mailFrom: string;
	appUrl: string;
	unsubscribeSecret: string;
	/** TRACKING_SECRET (shared with the app, which verifies): null or absent sends untracked. */
	trackingSecret?: string | null;
};

/** The address part of `Name <address>`. */
export function addressOf(from: string): string {
	return /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from.trim();
}

/** `<recipient-id@sending-domain>`: fixed before the first attempt, the same on every retry. */
export function messageIdFor(recipientId: string, mailFrom: string): string {
	const domain = addressOf(mailFrom).split('@')[1] ?? 'growthdesk.invalid';
	return `<${recipientId}@${domain}>`;
}

export function compose(
	config: ComposeConfig,
	campaign: CampaignMessage,
	recipient: Recipient,
	contact: ContactVars
): SendMailOptions {
	const token = sign(config.unsubscribeSecret, {
		orgId: campaign.orgId,
		contactId: recipient.contact_id,
		channel: 'email',
		// The report counts an unsubscribe from this message (message.unsubscribed).
		messageId: recipient.id
	});
	const unsubscribe = {
		url: `${config.appUrl.replace(/\/$/, '')}/u/${token}`,
		mailto: campaign.replyTo ?? campaign.sender.replyTo
	};
	let subject: string;
	let html: string;
	let text: string;
	if (campaign.content.kind === 'document') {
		// A template document: its own layout, footer, postal address and unsubscribe link.
		const { custom, ...fields } = contact;
		const vars: MergeVars = {
			contact: fields,
			custom: (custom ?? {}) as Record<string, unknown>,
			org: { name: campaign.sender.name },
			unsubscribe_url: unsubscribe.url
		};
		({ subject, html, text } = renderDocument(campaign.content.compiled, vars));
		const variant = subjectFor(campaign, recipient.variant);
		if (variant !== null)
			subject = renderText(variant, vars)
				.replace(/[\r\n]+/g, ' ')
				.trim();
	} else {
		const vars = { contact, org: { name: campaign.sender.name } };
		const rendered = renderHtmlMessage(campaign.content.html, campaign.content.text, vars);
		const preheader = campaign.preheader
			? `<div style="display:none;max-height:0;overflow:hidden">${escapeHtml(campaign.preheader)}</div>`
			: '';
		const address = `<p style="font-size:12px;color:#71717a">${escapeHtml(campaign.postalAddress)}</p>`;
		subject = render(subjectFor(campaign, recipient.variant) ?? campaign.subject, vars).replace(
			/[\r\n]+/g,
			' '
		);
		html = wrapHtml(campaign.sender, preheader + rendered.html + address, unsubscribe);
		text = `${wrapText(campaign.sender, rendered.text, unsubscribe)}\n${campaign.postalAddress}\n`;
	}
	if (config.trackingSecret) {
		html = trackMessage(html, recipient.id, campaign.links, {
			secret: config.trackingSecret,
			appUrl: config.appUrl
		});
	}
	const from = addressOf(config.mailFrom);
	return {
		from: { name: campaign.fromName || campaign.sender.name, address: from },
		to: recipient.address,
		replyTo: campaign.replyTo ?? campaign.sender.replyTo ?? undefined,
		subject,
		messageId: messageIdFor(recipient.id, config.mailFrom),
		html,
		text,
		headers: { ...unsubscribeHeaders(unsubscribe), 'X-Growthdesk-Message': recipient.id }
	};
}
