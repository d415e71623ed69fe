// Email the app sends itself. Use as `import * as mail from '$lib/server/mail'`.
import { env } from '$env/dynamic/private';
import { createMailer, type Mailer } from './mailer';

export { createMailer, MailNotSentError, type Email, type Mailer } from './mailer';
export { escapeHtml } from './escape';

let mailer: Mailer | undefined;

/** The mailer configured by SMTP_URL and MAIL_FROM. */
export function getMailer(): Mailer {
	if (!mailer) {
		if (!env.SMTP_URL) throw new Error('SMTP_URL is not set');
		mailer = createMailer(env.SMTP_URL, env.MAIL_FROM ?? 'Growthdesk <no-reply@growthdesk.test>');
	}
	return mailer;
}
