// Reading the dev mailbox from tests: wait for the email a flow sends (sign-up confirmation,
// magic link, invitation, …) and pull the links out of it to follow them.
//
//   const since = new Date().toISOString();
//   await supabase.auth.signUp({ email, password });
//   const mail = await waitForMail(mailbox.url, email, { subject: /confirm/i, after: since });
//   const [confirmUrl] = linksIn(mail);
import type { MailMessage } from '../../platform/mailbox/types.ts';

export type { MailMessage } from '../../platform/mailbox/types.ts';
/** hrefs from the HTML (entities such as &amp; decoded), else the http(s) URLs of the text. */
export { linksIn } from '../../platform/mailbox/links.ts';

export type WaitForMailOptions = {
	/** A RegExp, or a string the subject must contain. */
	subject?: RegExp | string;
	/** Short by default: local mail arrives in milliseconds, and this beats the test timeout. */
	timeoutMs?: number;
	/** ISO time: only mail received strictly after it counts (ignores earlier tests' mail). */
	after?: string;
};

const POLL_MS = 50;

/** The newest message to `to` that matches; polls the mailbox's JSON API until it arrives. */
export async function waitForMail(
	mailboxUrl: string,
	to: string,
	opts: WaitForMailOptions = {}
): Promise<MailMessage> {
	const timeoutMs = opts.timeoutMs ?? 4000;
	const after = opts.after === undefined ? undefined : Date.parse(opts.after);
	if (after !== undefined && Number.isNaN(after)) {
		throw new Error(`waitForMail: \`after\` is not an ISO time: ${opts.after}`);
	}
	const matches = (m: MailMessage) =>
		subjectMatches(m.subject, opts.subject) &&
		(after === undefined || Date.parse(m.receivedAt) > after);

	const deadline = Date.now() + timeoutMs;
	let lastError: unknown;
	for (;;) {
		try {
			const found = (await fetchMessages(mailboxUrl, to)).find(matches);
			if (found) return found;
			lastError = undefined;
		} catch (error) {
			// The mailbox may still be starting; keep trying until the deadline.
			lastError = error;
		}
		if (Date.now() >= deadline) break;
		await new Promise((resolve) => setTimeout(resolve, POLL_MS));
	}
	throw new Error(await timeoutReport(mailboxUrl, to, opts, timeoutMs, lastError));
}

function subjectMatches(subject: string, wanted: RegExp | string | undefined): boolean {
	if (wanted === undefined) return true;
	if (typeof wanted === 'string') return subject.includes(wanted);
	wanted.lastIndex = 0; // a /g or /y RegExp keeps state between test() calls
	return wanted.test(subject);
}

async function fetchMessages(mailboxUrl: string, to?: string): Promise<MailMessage[]> {
	const url = new URL('/api/messages', mailboxUrl);
	if (to !== undefined) url.searchParams.set('to', to);
	const response = await fetch(url);
	if (!response.ok) throw new Error(`GET ${url.href} answered ${response.status}`);
	const body = (await response.json()) as { messages: MailMessage[] };
	return body.messages;
}

// Says what did arrive, so a typo in an address or a subject shows at a glance.
async function timeoutReport(
	mailboxUrl: string,
	to: string,
	opts: WaitForMailOptions,
	timeoutMs: number,
	lastError: unknown
): Promise<string> {
	const wanted =
		`mail to ${to}` +
		(opts.subject === undefined ? '' : ` with subject ${String(opts.subject)}`) +
		(opts.after === undefined ? '' : ` received after ${opts.after}`);
	const head = `waitForMail: no ${wanted} within ${timeoutMs} ms`;
	if (lastError !== undefined) {
		const reason = describe(lastError);
		return `${head}; the mailbox at ${mailboxUrl} could not be read: ${reason}`;
	}
	let all: MailMessage[];
	try {
		all = await fetchMessages(mailboxUrl);
	} catch {
		return head;
	}
	if (all.length === 0) return `${head}. The mailbox at ${mailboxUrl} is empty.`;
	const shown = all.slice(0, 20);
	const lines = shown.map(
		(m) => `  - ${m.receivedAt}  to ${m.to.join(', ')}  "${m.subject}"  (from ${m.from})`
	);
	const more = all.length > shown.length ? `\n  … and ${all.length - shown.length} older` : '';
	return `${head}. The mailbox has ${all.length} message(s), newest first:\n${lines.join('\n')}${more}`;
}

// fetch() says only "fetch failed"; the reason (ECONNREFUSED …) is in its cause.
function describe(error: unknown): string {
	if (!(error instanceof Error)) return JSON.stringify(error);
	return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}
