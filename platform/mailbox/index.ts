// The dev mailbox of the local platform: the stand-in for the mail catcher (Inbucket/Mailpit)
// of Supabase's local stack. The platform's Auth API and the app send mail over SMTP to
// `smtpPort`; people read it at `url`, tests read it through the JSON API (see
// tests/helpers/mailbox.ts).
//
//   store.ts   messages in memory (+ optional JSON-lines file)   smtp.ts   the SMTP catcher
//   parse.ts   raw mail → MailMessage (postal-mime)                routes.ts pages + JSON API
//   views.ts   the HTML pages                                      http.ts   the HTTP listener
import { startHttp } from './http.ts';
import { listen } from '../ports.ts';
import { createRoutes } from './routes.ts';
import { createSmtpServer } from './smtp.ts';
import { createStore } from './store.ts';
import type { MailMessage } from './types.ts';

export type { MailMessage } from './types.ts';
export { linksIn } from './links.ts';

/** Supabase's local ports for its mail catcher (web UI 54324, SMTP 54325). */
export const DEFAULT_MAILBOX_PORT = 54324;
export const DEFAULT_SMTP_PORT = 54325;

export type MailboxOptions = {
	smtpPort: number;
	httpPort: number;
	/** Interface to bind both servers to; 127.0.0.1 keeps the mailbox off the network. */
	host?: string;
	/** JSON-lines file that keeps mail across restarts; in memory only without it. */
	storeFile?: string;
	onLog?: (line: string) => void;
};

export type RunningMailbox = {
	smtpPort: number;
	httpPort: number;
	/** HTTP base of the viewer and the JSON API, e.g. http://127.0.0.1:54324 */
	url: string;
	/** Newest first. */
	messages(): MailMessage[];
	clear(): void;
	stop(): Promise<void>;
};

export async function startMailbox(opts: MailboxOptions): Promise<RunningMailbox> {
	const host = opts.host ?? '127.0.0.1';
	const log = opts.onLog ?? (() => {});
	const store = createStore({ file: opts.storeFile });

	const smtp = createSmtpServer({
		log,
		onMessage(message) {
			store.add(message);
			log(`received "${message.subject}" for ${message.to.join(', ')}`);
		}
	});
	const smtpPort = await listen(smtp.server, {
		port: opts.smtpPort,
		host,
		what: 'The dev mailbox (SMTP)',
		envVar: 'GD_SMTP_PORT'
	});
	const stopSmtp = () => new Promise<void>((resolve) => smtp.close(() => resolve()));

	const smtpAddress = `${urlHost(host)}:${smtpPort}`;
	const http = await startHttp(createRoutes(store, { smtp: smtpAddress }), {
		port: opts.httpPort,
		host,
		what: 'The dev mailbox (web)',
		envVar: 'GD_MAILBOX_PORT'
	}).catch(async (error: unknown) => {
		// Do not leave the SMTP port bound behind a failed start.
		await stopSmtp();
		throw error;
	});
	const url = `http://${urlHost(host)}:${http.port}`;
	log(
		`viewer ${url}, SMTP ${smtpAddress}` +
			(opts.storeFile ? `, ${store.loaded} message(s) kept in ${opts.storeFile}` : '')
	);

	let stopped: Promise<void> | undefined;
	return {
		smtpPort,
		httpPort: http.port,
		url,
		messages: () => store.list(),
		clear: () => store.clear(),
		stop() {
			stopped ??= Promise.all([stopSmtp(), http.close()]).then(() => undefined);
			return stopped;
		}
	};
}

// A wildcard bind is reachable on loopback; IPv6 literals need brackets in URLs.
function urlHost(host: string): string {
	if (host === '0.0.0.0' || host === '') return '127.0.0.1';
	if (host === '::') return '[::1]';
	return host.includes(':') ? `[${host}]` : host;
}
