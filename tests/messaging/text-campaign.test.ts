// SMS and WhatsApp campaigns end to end, over real HTTP: the send engine
// (src/worker/sending/sender.ts) sends a text campaign through the Twilio
// adapter to the platform's stand-in; the stand-in plays the phone's side
// (delivery receipts to the status callback, replies to the inbound URL),
// signed as Twilio signs them, into the app's real route handlers. The
// audience is by phone number and the channel's consent; a reply STOP
// withdraws that consent so the next campaign leaves the person out.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { withRls } from '../../src/lib/server/db/rls.ts';
import { twilioAdapter } from '../../src/lib/server/messaging/twilio.ts';
import { startSender, type Sender } from '../../src/worker/sending/sender.ts';
import {
	INVALID_TEST_NUMBER,
	standInCredentials,
	startMessaging,
	type RunningMessaging,
	type SentSms
} from '../../platform/messaging/index.ts';
import {
	progress,
	sendingWorld,
	setRate,
	TEST_UNSUBSCRIBE_SECRET,
	until,
	type SendingWorld
} from '../sending/world.ts';

const creds = standInCredentials();
const { ENV } = vi.hoisted((): { ENV: Record<string, string> } => ({ ENV: {} }));
vi.mock('$env/dynamic/private', () => ({ env: ENV }));
type Handler = (event: never) => Promise<Response>;
const routes: Record<string, Handler> = {
	'/t/hooks/twilio/status': (
		(await import('../../src/routes/t/hooks/twilio/status/+server.ts')) as unknown as {
			POST: Handler;
		}
	).POST,
	'/t/hooks/twilio/inbound': (
		(await import('../../src/routes/t/hooks/twilio/inbound/+server.ts')) as unknown as {
			POST: Handler;
		}
	).POST
};

let w: SendingWorld;
let standIn: RunningMessaging;
let app: Server;
let appUrl: string;
const senders: Sender[] = [];
const SENDER_NUMBER = '+15005550006';

/** The app's webhook routes behind a plain HTTP server (no cookies: the provider's posts). */
function startApp(): Promise<string> {
	app = createServer((req, res) => {
		let body = '';
		req.on('data', (chunk: Buffer) => (body += chunk.toString()));
		req.on('end', () => {
			const url = new URL(req.url!, `http://${req.headers.host}`);
			const handler = routes[url.pathname];
			if (!handler) return void res.writeHead(404).end();
			const request = new Request(url, {
				method: 'POST',
				headers: req.headers as Record<string, string>,
				body
			});
			const event = {
				request,
				url,
				locals: {
					db: <T>(fn: Parameters<typeof withRls<T>>[2]) =>
						withRls(w.world.db, w.world.claims('anon'), fn)
				}
			} as never;
			handler(event).then(
				async (r) => res.writeHead(r.status).end(await r.text()),
				(e: { status?: number }) => res.writeHead(e.status ?? 500).end()
			);
		});
	});
	return new Promise((resolve) =>
		app.listen(0, '127.0.0.1', () => {
			const address = app.address();
			resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
		})
	);
}

beforeAll(async () => {
	w = await sendingWorld();
	appUrl = await startApp();
	Object.assign(ENV, {
		APP_URL: appUrl,
		TWILIO_ACCOUNT_SID: creds.accountSid,
		TWILIO_AUTH_TOKEN: creds.authToken,
		TWILIO_FROM: SENDER_NUMBER,
		TWILIO_WHATSAPP_FROM: '+15005550007'
	});
	standIn = await startMessaging({
		httpPort: 0,
		...creds,
		inboundUrl: `${appUrl}/t/hooks/twilio/inbound`
	});
	ENV.TWILIO_API_URL = standIn.url;
	await setRate(w, 100_000);
});
afterAll(async () => {
	await Promise.all(senders.map((s) => s.stop()));
	await standIn?.stop();
	await new Promise((r) => app?.close(r));
	await w?.close();
});

function sender(): Sender {
	const s = startSender({
		connectionString: w.testDb.url,
		// Never used: these campaigns are texts (the transport connects lazily).
		smtpUrl: 'smtp://127.0.0.1:9',
		compose: {
			mailFrom: 'Growthdesk <campaigns@send.growthdesk.test>',
			appUrl,
			unsubscribeSecret: TEST_UNSUBSCRIBE_SECRET
		},
		messaging: twilioAdapter({
			...creds,
			from: SENDER_NUMBER,
			whatsappFrom: '+15005550007',
			apiUrl: standIn.url,
			statusCallbackUrl: `${appUrl}/t/hooks/twilio/status`
		}),
		batch: 20,
		lanes: 2,
		connections: 4,
		leaseSeconds: 30,
		retryBaseMs: 20,
		maxAttempts: 5,
		pollMs: 50,
		log: (line) => console.error(line)
	});
	senders.push(s);
	return s;
}

/** Contacts of organization A: name, phone as typed, and the channel consents they gave or withdrew. */
async function contact(
	name: string,
	phone: string | null,
	consent: Partial<Record<'sms' | 'whatsapp', 'granted' | 'withdrawn'>> = {}
): Promise<string> {
	const { rows } = await w.admin.query<{ id: string }>(
		`insert into public.contacts (org_id, first_name, phone) values ($1, $2, $3) returning id`,
		[w.world.orgA, name, phone]
	);
	const id = rows[0]!.id;
	for (const [channel, status] of Object.entries(consent)) {
		await w.admin.query(
			`insert into public.consent_records (org_id, contact_id, channel, status, source)
			 values ($1, $2, $3, $4, 'Signed up at the till')`,
			[w.world.orgA, id, channel, status]
		);
	}
	return id;
}

/** A text campaign of organization A to the given contacts (a segment of them), not started. */
async function textCampaign(
	kind: 'sms' | 'whatsapp',
	text: string,
	contactIds: string[]
): Promise<string> {
	const q = async (sql: string, params: unknown[]) =>
		(await w.admin.query<{ id: string }>(sql, params)).rows[0]?.id;
	const id = (await q(
		`insert into public.campaigns (org_id, kind, brand_id, name) values ($1, $2, $3, $4) returning id`,
		[w.world.orgA, kind, w.brandA, `${kind} ${contactIds.length}`]
	))!;
	const audience = await q(
		`insert into public.audiences (org_id, name) values ($1, $2) returning id`,
		[w.world.orgA, `Texted ${id.slice(0, 8)}`]
	);
	const segment = await q(
		`insert into public.segments (org_id, name, rules) values ($1, $2, '{"op": "and", "rules": []}') returning id`,
		[w.world.orgA, `Texted ${id.slice(0, 8)}`]
	);
	await w.admin.query(
		`insert into public.segment_memberships (org_id, segment_id, contact_id) select $1, $2, unnest($3::uuid[])`,
		[w.world.orgA, segment, contactIds]
	);
	await w.admin.query(
		`insert into public.audience_segments (org_id, audience_id, segment_id) values ($1, $2, $3)`,
		[w.world.orgA, audience, segment]
	);
	await w.admin.query(
		`insert into public.campaign_audiences (org_id, campaign_id, audience_id) values ($1, $2, $3)`,
		[w.world.orgA, id, audience]
	);
	await w.admin.query(
		`insert into public.message_sends (org_id, campaign_id, content) values ($1, $2, $3)`,
		[w.world.orgA, id, { text }]
	);
	return id;
}

const start = (id: string) =>
	w.admin.query(`update public.message_sends set status = 'sending' where campaign_id = $1`, [id]);

async function sendToEnd(campaign: string) {
	await start(campaign);
	const s = sender();
	await until('finished', async () => (await progress(w, campaign)).status === 'finished', 45_000);
	await s.stop();
	senders.splice(senders.indexOf(s), 1);
}

const to = (number: string) => standIn.messages().filter((m) => m.to === number);

async function events(type: string, campaign: string) {
	const { rows } = await w.admin.query<{ payload: Record<string, string> }>(
		`select payload from public.events where type = $1 and payload->>'campaign_id' = $2 order by id`,
		[type, campaign]
	);
	return rows.map((r) => r.payload);
}

async function play(sms: SentSms, what: 'status' | 'reply', body: Record<string, string>) {
	const res = await fetch(`${standIn.url}/api/messages/${sms.sid}/${what}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body)
	});
	return ((await res.json()) as { answer: number | string }).answer;
}

let people: Record<string, string>;
let firstCampaign: string;

describe('an SMS campaign', () => {
	it('goes once to each contact with a number and SMS consent, the text filled in, its parts counted', async () => {
		people = {
			ada: await contact('Ada', '+44 7700 900101', { sms: 'granted' }),
			bo: await contact('Bo', '(0044) 7700-900102', { sms: 'granted' }),
			cy: await contact('Cy', '+44 7700 900103', { sms: 'granted', whatsapp: 'granted' }),
			noPhone: await contact('Dee', null, { sms: 'granted' }),
			noCountry: await contact('Eve', '07700 900105', { sms: 'granted' }),
			noConsent: await contact('Fay', '+44 7700 900106'),
			withdrew: await contact('Gus', '+44 7700 900107', { sms: 'withdrawn' }),
			emailOnly: await contact('Hal', '+44 7700 900108', { whatsapp: 'granted' }),
			twin: await contact('Ivy', '+447700900101', { sms: 'granted' }),
			invalid: await contact('Jo', INVALID_TEST_NUMBER, { sms: 'granted' })
		};
		// A long text with a character outside GSM-7: UCS-2, 67 per part.
		const text = `Hi {{contact.first_name | "there"}}, {{org.name}}'s winter sale starts now ☃ ${'x'.repeat(80)}`;
		firstCampaign = await textCampaign('sms', text, Object.values(people));
		await sendToEnd(firstCampaign);

		expect(await progress(w, firstCampaign)).toMatchObject({
			status: 'finished',
			recipients: 10,
			sent: 3,
			failed: 1,
			suppressed: 6
		});
		const { rows } = await w.admin.query<{ suppressed_by_reason: Record<string, number> }>(
			`select suppressed_by_reason from public.message_sends where campaign_id = $1`,
			[firstCampaign]
		);
		expect(rows[0]!.suppressed_by_reason).toEqual({
			no_phone: 1,
			invalid_phone: 1,
			no_text_consent: 3,
			duplicate_phone: 1
		});
		// One text each, to the number in E.164 form, merge tags filled in.
		for (const [number, name] of [
			['+447700900101', 'Ada'],
			['+447700900102', 'Bo'],
			['+447700900103', 'Cy']
		] as const) {
			const got = to(number);
			expect(got).toHaveLength(1);
			expect(got[0]!.channel).toBe('sms');
			expect(got[0]!.from).toBe(SENDER_NUMBER);
			expect(got[0]!.body).toMatch(new RegExp(`^Hi ${name}, Acme's winter sale starts now ☃ x+$`));
		}
		expect(standIn.messages()).toHaveLength(3);

		const sent = await w.admin.query<{ segments: number; provider_id: string; address: string }>(
			`select segments, provider_id, address::text from public.message_recipients
			  where campaign_id = $1 and status = 'sent' order by address`,
			[firstCampaign]
		);
		const body = to('+447700900101')[0]!.body;
		expect(body.length).toBeGreaterThan(70);
		expect(sent.rows.map((r) => r.segments)).toEqual([2, 2, 2]);
		expect(sent.rows[0]!.provider_id).toBe(to('+447700900101')[0]!.sid);

		const failed = await events('message.failed', firstCampaign);
		expect(failed).toHaveLength(1);
		expect(failed[0]!.channel).toBe('sms');
		expect(failed[0]!.reason).toMatch(/21211/);
		const sentEvents = await events('message.sent', firstCampaign);
		expect(sentEvents).toHaveLength(3);
		expect(sentEvents.every((e) => e.channel === 'sms')).toBe(true);
		expect((await events('message.suppressed', firstCampaign)).map((e) => e.channel)).toEqual(
			Array(6).fill('sms')
		);
	});

	it('records delivery receipts once: delivered, and failed with the reason', async () => {
		const ada = to('+447700900101')[0]!;
		const bo = to('+447700900102')[0]!;
		expect(await play(ada, 'status', { status: 'delivered' })).toBe(204);
		expect(await play(ada, 'status', { status: 'delivered' })).toBe(204);
		expect(await play(bo, 'status', { status: 'sent' })).toBe(204);
		expect(await play(bo, 'status', { status: 'undelivered' })).toBe(204);
		const delivered = await events('message.delivered', firstCampaign);
		expect(delivered.map((e) => [e.channel, e.contact_id])).toEqual([['sms', people.ada]]);
		const failed = (await events('message.failed', firstCampaign)).filter(
			(e) => e.contact_id === people.bo
		);
		expect(failed).toHaveLength(1);
		expect(failed[0]!.channel).toBe('sms');
		expect(failed[0]!.reason).toMatch(/30003/);
	});

	it('a reply STOP withdraws SMS consent, records message.unsubscribed, and the next campaign leaves them out; START brings them back', async () => {
		const ada = to('+447700900101')[0]!;
		const cy = to('+447700900103')[0]!;
		expect(await play(ada, 'reply', { body: 'Thanks, see you there!' })).toBe(200);
		expect(await play(ada, 'reply', { body: ' Stop. ' })).toBe(200);
		expect(await play(ada, 'reply', { body: 'STOP' })).toBe(200);
		expect(await play(cy, 'reply', { body: 'unsubscribe' })).toBe(200);

		const unsubscribed = await events('message.unsubscribed', firstCampaign);
		expect(unsubscribed.map((e) => e.contact_id).sort()).toEqual([people.ada, people.cy].sort());
		expect(unsubscribed.every((e) => e.channel === 'sms')).toBe(true);
		const consent = await w.admin.query<{ contact_id: string; channel: string; status: string }>(
			`select contact_id, channel::text, status::text from public.consent_records
			  where source like 'Replied %' order by id`
		);
		expect(consent.rows).toEqual([
			{ contact_id: people.ada, channel: 'sms', status: 'withdrawn' },
			{ contact_id: people.cy, channel: 'sms', status: 'withdrawn' }
		]);
		// Only SMS: Cy's WhatsApp consent stands.
		const { rows } = await w.admin.query<{ sms: boolean; whatsapp: boolean }>(
			`select public.contact_can_send($1, 'sms') as sms, public.contact_can_send($1, 'whatsapp') as whatsapp`,
			[people.cy]
		);
		expect(rows[0]).toEqual({ sms: false, whatsapp: true });

		const before = standIn.messages().length;
		const second = await textCampaign('sms', 'Last day of the sale!', [
			people.ada!,
			people.bo!,
			people.cy!
		]);
		await sendToEnd(second);
		expect(await progress(w, second)).toMatchObject({ recipients: 3, sent: 1, suppressed: 2 });
		expect(
			standIn
				.messages()
				.slice(0, standIn.messages().length - before)
				.map((m) => m.to)
		).toEqual(['+447700900102']);

		expect(await play(ada, 'reply', { body: 'start' })).toBe(200);
		const again = await w.admin.query<{ ok: boolean }>(
			`select public.contact_can_send($1, 'sms') as ok`,
			[people.ada]
		);
		expect(again.rows[0]!.ok).toBe(true);
		// START is a consent change, not an unsubscribe.
		expect(await events('message.unsubscribed', firstCampaign)).toHaveLength(2);
	});

	it('retries the provider’s temporary refusals (429, 503) with backoff, never counting them as sent', async () => {
		const ids = [
			await contact('Kim', '+44 7700 900111', { sms: 'granted' }),
			await contact('Lu', '+44 7700 900112', { sms: 'granted' })
		];
		const campaign = await textCampaign('sms', 'Hello {{contact.first_name}}', ids);
		standIn.refuseNext(2, 429);
		await start(campaign);
		const s = sender();
		await until('finished', async () => (await progress(w, campaign)).status === 'finished');
		await s.stop();
		senders.splice(senders.indexOf(s), 1);
		expect(await progress(w, campaign)).toMatchObject({ recipients: 2, sent: 2, failed: 0 });
		expect(to('+447700900111')).toHaveLength(1);
		expect(to('+447700900112')).toHaveLength(1);
		const { rows } = await w.admin.query<{ attempts: number }>(
			`select sum(attempts)::int as attempts from public.message_recipients where campaign_id = $1`,
			[campaign]
		);
		expect(rows[0]!.attempts).toBe(4);

		// The provider down for a moment (503): the same.
		const lu = await contact('Nat', '+44 7700 900113', { sms: 'granted' });
		const again = await textCampaign('sms', 'Hello again', [lu]);
		standIn.refuseNext(1, 503);
		await sendToEnd(again);
		expect(await progress(w, again)).toMatchObject({ recipients: 1, sent: 1, failed: 0 });
		expect(to('+447700900113')).toHaveLength(1);
	});

	it('refuses to start without a text, or with one longer than an SMS may be', async () => {
		const id = await contact('Mo', '+44 7700 900121', { sms: 'granted' });
		const empty = await textCampaign('sms', '  ', [id]);
		await expect(start(empty)).rejects.toMatchObject({
			code: '23514',
			message: 'Write the text message before sending.'
		});
		const long = await textCampaign('sms', 'x'.repeat(1601), [id]);
		const tooLong = await start(long).then(
			() => null,
			(e: { code: string; message: string }) => e
		);
		expect(tooLong?.code).toBe('23514');
		expect(tooLong?.message).toMatch(/1600 characters at most for SMS/);
		expect(await progress(w, long)).toMatchObject({ status: 'draft', recipients: 0 });
	});
});

describe('a WhatsApp campaign', () => {
	it('goes to contacts with WhatsApp consent, as WhatsApp messages without SMS parts', async () => {
		const campaign = await textCampaign('whatsapp', 'Hi {{contact.first_name}} 👋', [
			people.cy!,
			people.emailOnly!,
			people.bo!
		]);
		await sendToEnd(campaign);
		expect(await progress(w, campaign)).toMatchObject({ recipients: 3, sent: 2, suppressed: 1 });
		const got = standIn.messages().filter((m) => m.channel === 'whatsapp');
		expect(got.map((m) => [m.to, m.body]).sort()).toEqual([
			['+447700900103', 'Hi Cy 👋'],
			['+447700900108', 'Hi Hal 👋']
		]);
		const { rows } = await w.admin.query<{ segments: number | null }>(
			`select segments from public.message_recipients where campaign_id = $1 and status = 'sent'`,
			[campaign]
		);
		expect(rows.map((r) => r.segments)).toEqual([null, null]);
		const sent = await events('message.sent', campaign);
		expect(sent.map((e) => e.channel)).toEqual(['whatsapp', 'whatsapp']);
		// A STOP on WhatsApp stops WhatsApp only.
		const hal = got.find((m) => m.to === '+447700900108')!;
		expect(await play(hal, 'reply', { body: 'STOP' })).toBe(200);
		const consent = await w.admin.query<{ whatsapp: boolean }>(
			`select public.contact_can_send($1, 'whatsapp') as whatsapp`,
			[people.emailOnly]
		);
		expect(consent.rows[0]!.whatsapp).toBe(false);
		expect(
			(await events('message.unsubscribed', campaign)).map((e) => [e.channel, e.contact_id])
		).toEqual([['whatsapp', people.emailOnly]]);
	});
});
