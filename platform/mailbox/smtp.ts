// The SMTP side: accepts any mail from anyone, like Inbucket/Mailpit in Supabase's local stack.
// No AUTH and no STARTTLS, so the platform's Auth API and the app need no credentials or
// certificates to send locally. Only local processes can reach it (it binds 127.0.0.1).
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { parseMail } from './parse.ts';
import type { MailMessage } from './types.ts';

/** Big enough for any real email with attachments; stops a runaway loop filling memory. */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export type SmtpOptions = {
	onMessage: (message: MailMessage) => void;
	log: (line: string) => void;
};

export function createSmtpServer(opts: SmtpOptions): SMTPServer {
	const server = new SMTPServer({
		name: 'growthdesk-mailbox',
		banner: 'Growthdesk dev mailbox',
		authOptional: true,
		disabledCommands: ['STARTTLS', 'AUTH'],
		size: MAX_MESSAGE_BYTES,
		disableReverseLookup: true,
		logger: false,
		// Stopping the dev platform should not wait 30 s (the default) for an idle client.
		closeTimeout: 1000,
		onData(stream, session, callback) {
			receive(stream, session).then(
				(message) => {
					opts.onMessage(message);
					callback();
				},
				(error: unknown) => {
					const reason = error instanceof Error ? error.message : String(error);
					opts.log(`rejected a message: ${reason}`);
					callback(Object.assign(new Error(reason), { responseCode: codeOf(error) }));
				}
			);
		}
	});
	// Client hang-ups and protocol errors arrive here; they must not crash the platform.
	server.on('error', (error) => opts.log(`SMTP error: ${error.message}`));
	return server;
}

class TooLarge extends Error {}

async function receive(
	stream: SMTPServerDataStream,
	session: SMTPServerSession
): Promise<MailMessage> {
	const chunks: Buffer[] = [];
	// Keep reading an oversized message to the end (SMTP needs that) but stop holding it.
	for await (const chunk of stream) if (!stream.sizeExceeded) chunks.push(chunk as Buffer);
	if (stream.sizeExceeded) {
		throw new TooLarge(`message exceeds the ${MAX_MESSAGE_BYTES / 1024 / 1024} MB limit`);
	}
	const { mailFrom, rcptTo } = session.envelope;
	return parseMail(
		Buffer.concat(chunks),
		{ from: mailFrom ? mailFrom.address : null, to: rcptTo.map((rcpt) => rcpt.address) },
		new Date()
	);
}

function codeOf(error: unknown): number {
	return error instanceof TooLarge ? 552 : 451;
}
