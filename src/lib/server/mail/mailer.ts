// The app's own email (invitations, notifications): SMTP from SMTP_URL. Locally
// that is the platform's mailbox; in production any SMTP relay.
import nodemailer from 'nodemailer';

export type Email = {
	to: string;
	subject: string;
	text: string;
	html: string;
	/** Sent as this name with the platform's address (only the platform may send from its domain). */
	fromName?: string;
	replyTo?: string;
};

/** The address part of `Name <address>` (or the whole value when it is a bare address). */
function addressOf(from: string): string {
	return /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from.trim();
}

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
				const { fromName, ...rest } = email;
				await transport.sendMail({
					...rest,
					from: fromName ? { name: fromName, address: addressOf(from) } : from
				});
			} catch (error) {
				throw new MailNotSentError(error);
			}
		}
	};
}
