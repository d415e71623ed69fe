// The invitation email.
import { escapeHtml, type Email } from '$lib/server/mail';

export type InvitationEmail = {
	to: string;
	orgName: string;
	inviterName: string;
	role: string;
	acceptUrl: string;
	expiresAt: Date;
};

export function invitationEmail(i: InvitationEmail): Email {
	const expires = i.expiresAt.toUTCString().replace(/ \d\d:\d\d:\d\d GMT$/, '');
	const text = `${i.inviterName} invited you to join ${i.orgName} on Growthdesk as ${i.role}.

Accept the invitation: ${i.acceptUrl}

The link works once and until ${expires}. If you did not expect this email, ignore it.`;
	const html = `<p>${escapeHtml(i.inviterName)} invited you to join <strong>${escapeHtml(i.orgName)}</strong> on Growthdesk as ${escapeHtml(i.role)}.</p>
<p><a href="${escapeHtml(i.acceptUrl)}">Accept the invitation</a></p>
<p style="color:#64748b">The link works once and until ${escapeHtml(expires)}. If you did not expect this email, ignore it.</p>`;
	return { to: i.to, subject: `Join ${i.orgName} on Growthdesk`, text, html };
}
