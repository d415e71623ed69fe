// Sends the Auth emails over SMTP with nodemailer, as GoTrue does: locally to the dev
// mailbox (Supabase's local stack sends to Inbucket the same way), or to the SMTP server of
// [auth.email.smtp].
import nodemailer from 'nodemailer';
import type { AuthSettings } from '../settings.ts';
import type { RenderedMail } from './templates.ts';

export type Mailer = {
	send(to: string, mail: RenderedMail): Promise<void>;
};

export function createMailer(smtp: AuthSettings['smtp']): Mailer {
	const transport = nodemailer.createTransport({
		host: smtp.host,
		port: smtp.port,
		// Port 465 is implicit TLS; others upgrade with STARTTLS when the server offers it.
		secure: smtp.port === 465,
		auth: smtp.user ? { user: smtp.user, pass: smtp.pass } : undefined,
		connectionTimeout: 10_000,
		greetingTimeout: 10_000,
		socketTimeout: 20_000
	});
	const from = { name: smtp.senderName, address: smtp.adminEmail };
	return {
		async send(to, mail) {
			await transport.sendMail({ from, to, subject: mail.subject, html: mail.html });
		}
	};
}
