// The SMS/WhatsApp stand-in of the local platform, as the mailbox is for
// email: it speaks Twilio's Messages API (the shape the app's adapter,
// src/lib/server/messaging/twilio.ts, talks to in production), keeps what was
// sent in memory, shows it on a page, and plays the provider's side: a
// delivery receipt (posted to the message's StatusCallback) or a reply
// (posted to the inbound URL), both form posts signed with X-Twilio-Signature
// under the auth token, exactly as Twilio signs them.
//
//   POST /2010-04-01/Accounts/<sid>/Messages.json   send (basic auth, form-encoded)
//   GET  /                                          the page: messages, receipt and reply buttons
//   GET  /api/messages                              JSON for tests
//   POST /api/messages/<sid>/status  {status}       simulate a receipt (JSON for tests)
//   POST /api/messages/<sid>/reply   {body}         simulate a reply
//   POST /api/refuse  {count, status}               answer the next sends 429 or 503 (provider trouble)
// Like Twilio's test credentials, +15005550001 is a number that cannot get
// messages (400, error 21211): a refusal for good.
import { createHmac, randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { csrf } from 'hono/csrf';
import { html, trusted } from '../mailbox/html.ts';
import { startHttp } from '../mailbox/http.ts';

export const DEFAULT_MESSAGING_PORT = 54326;

export type SentSms = {
	sid: string;
	channel: 'sms' | 'whatsapp';
	to: string;
	from: string;
	body: string;
	status: string;
	statusCallback: string | null;
	createdAt: string;
	/** Receipts and replies played so far, with the app's answer. */
	log: Array<{ at: string; what: string; answer: number | string }>;
};

export type MessagingOptions = {
	httpPort: number;
	host?: string;
	accountSid: string;
	authToken: string;
	/** Where replies are posted (the app's inbound webhook). */
	inboundUrl: string | null;
	onLog?: (line: string) => void;
};

export type RunningMessaging = {
	url: string;
	port: number;
	messages(): SentSms[];
	/** Answer the next `count` sends with this status (429 too many requests, 503 unavailable). */
	refuseNext(count: number, status?: 429 | 503): void;
	stop(): Promise<void>;
};

/** Fresh local credentials for the stand-in (the app gets them as TWILIO_*). */
export function standInCredentials() {
	return {
		accountSid: `AC${randomBytes(16).toString('hex')}`,
		authToken: randomBytes(16).toString('hex')
	};
}

function sign(authToken: string, url: string, form: URLSearchParams): string {
	let data = url;
	for (const key of [...new Set(form.keys())].sort()) {
		for (const value of form.getAll(key)) data += key + value;
	}
	return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

const E164 = /^\+[1-9]\d{6,14}$/;
const RECEIPTS = ['sent', 'delivered', 'read', 'failed', 'undelivered'];

/** Twilio's magic test number that is not a valid mobile number. */
export const INVALID_TEST_NUMBER = '+15005550001';

function twilioError(
	c: Context,
	status: 400 | 401 | 404 | 429 | 503,
	code: number,
	message: string
) {
	return c.json(
		{ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
		status
	);
}

export async function startMessaging(opts: MessagingOptions): Promise<RunningMessaging> {
	const log = opts.onLog ?? (() => {});
	const sent: SentSms[] = [];
	const bySid = new Map<string, SentSms>();
	let refuse = { count: 0, status: 429 as 429 | 503 };
	const auth = `Basic ${Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64')}`;

	async function post(url: string, form: URLSearchParams): Promise<number | string> {
		try {
			const res = await fetch(url, {
				method: 'POST',
				headers: {
					'content-type': 'application/x-www-form-urlencoded',
					'x-twilio-signature': sign(opts.authToken, url, form),
					'user-agent': 'TwilioProxy/1.1 (growthdesk stand-in)'
				},
				body: form,
				signal: AbortSignal.timeout(15_000)
			});
			return res.status;
		} catch (e) {
			return (e as Error).message;
		}
	}

	async function receipt(m: SentSms, status: string) {
		m.status = status;
		if (!m.statusCallback) return 'no StatusCallback';
		const form = new URLSearchParams({
			AccountSid: opts.accountSid,
			MessageSid: m.sid,
			SmsSid: m.sid,
			MessageStatus: status,
			SmsStatus: status,
			To: m.channel === 'whatsapp' ? `whatsapp:${m.to}` : m.to,
			From: m.channel === 'whatsapp' ? `whatsapp:${m.from}` : m.from,
			ApiVersion: '2010-04-01'
		});
		if (status === 'failed' || status === 'undelivered') {
			form.set('ErrorCode', '30003');
			form.set('ErrorMessage', 'Unreachable destination handset');
		}
		const answer = await post(m.statusCallback, form);
		m.log.push({ at: new Date().toISOString(), what: `receipt: ${status}`, answer });
		log(`receipt ${status} for ${m.sid} → ${answer}`);
		return answer;
	}

	async function reply(m: SentSms, body: string) {
		if (!opts.inboundUrl) return 'no inbound URL';
		const prefix = m.channel === 'whatsapp' ? 'whatsapp:' : '';
		const form = new URLSearchParams({
			AccountSid: opts.accountSid,
			MessageSid: `SM${randomBytes(16).toString('hex')}`,
			From: prefix + m.to,
			To: prefix + m.from,
			Body: body,
			NumMedia: '0',
			ApiVersion: '2010-04-01'
		});
		const answer = await post(opts.inboundUrl, form);
		m.log.push({ at: new Date().toISOString(), what: `reply: ${body}`, answer });
		log(`reply from ${m.to} → ${answer}`);
		return answer;
	}

	const app = new Hono();
	app.use('*', async (c, next) => {
		await next();
		c.header('Cache-Control', 'no-store');
		c.header('X-Content-Type-Options', 'nosniff');
	});

	app.post('/2010-04-01/Accounts/:sid/Messages.json', async (c) => {
		if (c.req.header('authorization') !== auth || c.req.param('sid') !== opts.accountSid) {
			return twilioError(c, 401, 20003, 'Authenticate');
		}
		const form = new URLSearchParams(await c.req.text());
		if (refuse.count > 0) {
			refuse.count--;
			return refuse.status === 429
				? twilioError(c, 429, 20429, 'Too Many Requests')
				: twilioError(c, 503, 20503, 'Service Unavailable');
		}
		const to = form.get('To') ?? '';
		const from = form.get('From') ?? '';
		const body = form.get('Body') ?? '';
		const channel = to.startsWith('whatsapp:') ? 'whatsapp' : 'sms';
		const bare = (v: string) => v.replace(/^whatsapp:/, '');
		if (!E164.test(bare(to)))
			return twilioError(c, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
		if (!E164.test(bare(from)))
			return twilioError(c, 400, 21212, `The 'From' number ${from} is not a valid phone number.`);
		if (bare(to) === INVALID_TEST_NUMBER)
			return twilioError(c, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
		if (!body) return twilioError(c, 400, 21602, 'Message body is required.');
		if (body.length > 1600)
			return twilioError(
				c,
				400,
				21617,
				'The concatenated message body exceeds the 1600 character limit.'
			);
		const m: SentSms = {
			sid: `SM${randomBytes(16).toString('hex')}`,
			channel,
			to: bare(to),
			from: bare(from),
			body,
			status: 'queued',
			statusCallback: form.get('StatusCallback'),
			createdAt: new Date().toISOString(),
			log: []
		};
		sent.unshift(m);
		bySid.set(m.sid, m);
		log(`${channel} to ${m.to}: ${body.slice(0, 60)}`);
		return c.json(
			{
				sid: m.sid,
				account_sid: opts.accountSid,
				to,
				from,
				body,
				status: 'queued',
				num_segments: String(Math.max(1, Math.ceil(body.length / 153))),
				direction: 'outbound-api',
				api_version: '2010-04-01',
				date_created: new Date(m.createdAt).toUTCString(),
				error_code: null,
				error_message: null,
				uri: `/2010-04-01/Accounts/${opts.accountSid}/Messages/${m.sid}.json`
			},
			201
		);
	});

	app.get('/api/messages', (c) => c.json({ messages: sent }));
	app.post('/api/refuse', async (c) => {
		const { count, status } = (await c.req.json().catch(() => ({}))) as {
			count?: number;
			status?: number;
		};
		if (!Number.isInteger(count) || (status !== undefined && status !== 429 && status !== 503))
			return c.json({ error: 'count: a whole number; status: 429 or 503' }, 400);
		refuse = { count: count!, status: status === 503 ? 503 : 429 };
		return c.json({ refusing: refuse });
	});
	app.post('/api/messages/:sid/status', async (c) => {
		const m = bySid.get(c.req.param('sid'));
		const { status } = (await c.req.json().catch(() => ({}))) as { status?: string };
		if (!m) return c.json({ error: 'No such message' }, 404);
		if (!status || !RECEIPTS.includes(status))
			return c.json({ error: `status: one of ${RECEIPTS.join(', ')}` }, 400);
		return c.json({ answer: await receipt(m, status) });
	});
	app.post('/api/messages/:sid/reply', async (c) => {
		const m = bySid.get(c.req.param('sid'));
		const { body } = (await c.req.json().catch(() => ({}))) as { body?: string };
		if (!m) return c.json({ error: 'No such message' }, 404);
		if (!body) return c.json({ error: 'body: the text of the reply' }, 400);
		return c.json({ answer: await reply(m, body) });
	});

	// The page's buttons (same-origin form posts only).
	app.post('/messages/:sid/status', csrf(), async (c) => {
		const m = bySid.get(c.req.param('sid'));
		const form = await c.req.parseBody();
		const status = typeof form.status === 'string' ? form.status : '';
		if (m && RECEIPTS.includes(status)) await receipt(m, status);
		return c.redirect('/', 303);
	});
	app.post('/messages/:sid/reply', csrf(), async (c) => {
		const m = bySid.get(c.req.param('sid'));
		const form = await c.req.parseBody();
		const body = typeof form.body === 'string' ? form.body.trim() : '';
		if (m && body) await reply(m, body);
		return c.redirect('/', 303);
	});

	app.get('/', (c) => {
		c.header(
			'Content-Security-Policy',
			"script-src 'none'; object-src 'none'; form-action 'self'; frame-ancestors 'none'"
		);
		return c.html(page(sent, opts.inboundUrl).__html);
	});

	const http = await startHttp(app, {
		port: opts.httpPort,
		host: opts.host ?? '127.0.0.1',
		what: 'The SMS/WhatsApp stand-in',
		envVar: 'GD_MESSAGING_PORT'
	});
	const url = `http://${opts.host ?? '127.0.0.1'}:${http.port}`;
	log(`SMS/WhatsApp stand-in ${url}`);
	return {
		url,
		port: http.port,
		messages: () => [...sent],
		refuseNext: (count, status = 429) => {
			refuse = { count, status };
		},
		stop: () => http.close()
	};
}

const STYLE = trusted(`body { margin: 0; font: 15px/1.5 system-ui, sans-serif; }
main { max-width: 64rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .5rem; border-bottom: 1px solid #d4d4dc; vertical-align: top; overflow-wrap: anywhere; }
th { font-size: .8rem; text-transform: uppercase; color: #667; }
form { display: inline-flex; gap: .25rem; margin: .15rem 0; }
input, select, button { font: inherit; padding: .2rem .5rem; }
.muted { color: #667; } .empty { padding: 3rem; text-align: center; border: 1px dashed #d4d4dc; }`);

function page(messages: SentSms[], inboundUrl: string | null) {
	return html`<!doctype html>
		<html lang="en">
			<head>
				<meta charset="utf-8" />
				<title>Text messages · Growthdesk local platform</title>
				<style>
					${STYLE}
				</style>
			</head>
			<body>
				<main>
					<h1>Text messages</h1>
					<p class="muted">
						Every SMS and WhatsApp message the app sends locally lands here (it speaks Twilio's
						API). Play the phone's side: mark a message delivered or failed (a signed status
						callback to the app), or reply (posted to ${inboundUrl ?? 'nowhere: no inbound URL'}).
					</p>
					${
						messages.length === 0
							? html`<p class="empty">No messages yet.</p>`
							: html`<table>
									<thead>
										<tr>
											<th>Sent</th>
											<th>To</th>
											<th>Message</th>
											<th>Status</th>
											<th>Play</th>
										</tr>
									</thead>
									<tbody>
										${messages.map(
											(m) =>
												html`<tr>
													<td class="muted">${new Date(m.createdAt).toLocaleString('en-GB')}</td>
													<td>${m.channel === 'whatsapp' ? 'WhatsApp ' : ''}${m.to}</td>
													<td>${m.body}</td>
													<td>
														${m.status}
														${m.log.map((l) => html`<div class="muted">${l.what} → ${String(l.answer)}</div>`)}
													</td>
													<td>
														<form method="post" action="/messages/${m.sid}/status">
															<select name="status" aria-label="Receipt">
																${RECEIPTS.map((s) => html`<option>${s}</option>`)}
															</select>
															<button>Send receipt</button>
														</form>
														<form method="post" action="/messages/${m.sid}/reply">
															<input name="body" aria-label="Reply" placeholder="Reply…" required />
															<button>Reply</button>
														</form>
													</td>
												</tr>`
										)}
									</tbody>
								</table>`
					}
				</main>
			</body>
		</html>`;
}
