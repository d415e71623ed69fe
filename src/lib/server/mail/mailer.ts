// The app's own email (invitations, notifications): SMTP from SMTP_URL. Locally
// that is the platform's mailbox; in production any SMTP relay.
import nodemailer from 'nodemailer';

export type Email = { to: string; subject: string; text: string; html: string };

export type Mailer = { send(email: Email): Promise<void> };

export class MailNotSentError extends Error {
	override readonly name = 'MailNotSentError';
	constructor(cause: unknown) {
		super('The email could not be sent. Please try again in a moment.', { cause });
	}
}

export function createMailer(smtpUrl: string, from: string): Mailer {
	const transport = nodemailer.createTransport(smtpUrl);
	return {
		async send(email) {
			try {
				await transport.sendMail({ from, ...email });
			} catch (error) {
				throw new MailNotSentError(error);
			}
		}
	};
}
