// The app's SMS/WhatsApp webhooks as the provider calls them: a cross-site form
// post with no cookie, believed only with a valid X-Twilio-Signature over the
// app's public URL. A delivery receipt for one of our messages records
// message.delivered once; a forged one is a 403 and records nothing.
import { isHttpError } from '@sveltejs/kit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { crossSiteProblem } from '../../src/lib/server/csrf.ts';
import { withRls } from '../../src/lib/server/db/index.ts';
import { twilioSignature } from '../../src/lib/server/messaging/twilio.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { sentCampaign, type SentCampaign } from '../tracking/world.ts';

const { ENV } = vi.hoisted(() => ({
	ENV: {
		APP_URL: 'https://app.example.com',
		TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
		TWILIO_AUTH_TOKEN: 'twilio-routes-test-token',
		TWILIO_FROM: '+15005550006'
	}
}));
vi.mock('$env/dynamic/private', () => ({ env: ENV }));
type Handler = (event: never) => Promise<Response>;
const status = (await import('../../src/routes/t/hooks/twilio/status/+server.ts')) as unknown as {
	POST: Handler;
};
const inbound = (await import('../../src/routes/t/hooks/twilio/inbound/+server.ts')) as unknown as {
	POST: Handler;
};

let testDb: TestDatabase;
let c: SentCampaign;
beforeAll(async () => {
	testDb = await createTestDatabase();
	c = await sentCampaign(testDb.url, 1);
	// Receipts are for texts: the campaign is an SMS campaign (a draft may
	// still change kind) and its message went out as Twilio's SM0123.
	await c.pool.query(`update public.campaigns set kind = 'sms' where id = $1`, [c.campaignId]);
	await c.pool.query(`update public.message_recipients set provider_id = 'SM0123' where id = $1`, [
		c.recipients[0]!.id
	]);
});
afterAll(async () => {
	await c?.close();
	await testDb?.drop();
});

/** The provider's post, seen by the app behind a proxy at an internal address. */
function post(path: string, form: URLSearchParams, signature: string | null) {
	const request = new Request(`http://10.0.0.5:3000${path}`, {
		method: 'POST',
		headers: {
			'content-type': 'application/x-www-form-urlencoded',
			...(signature ? { 'x-twilio-signature': signature } : {})
		},
		body: form.toString()
	});
	return {
		request,
		url: new URL(request.url),
		locals: {
			db: <T>(fn: Parameters<typeof withRls<T>>[2]) =>
				withRls(c.world.db, c.world.claims('anon'), fn)
		}
	} as never;
}

async function call(handler: Handler, event: never): Promise<number> {
	try {
		return (await handler(event)).status;
	} catch (e) {
		if (isHttpError(e)) return e.status;
		throw e;
	}
}

async function delivered(): Promise<number> {
	const { rows } = await c.pool.query<{ n: number }>(
		`select count(*)::int as n from public.events where type = 'message.delivered'`
	);
	return rows[0]!.n;
}

describe('Twilio webhooks', () => {
	it('record a signed delivery receipt once, and refuse a forged one', async () => {
		const path = `/t/hooks/twilio/status?m=${c.recipients[0]!.id}`;
		const form = new URLSearchParams({
			MessageSid: 'SM0123',
			MessageStatus: 'delivered',
			To: '+447700900123'
		});
		const signature = twilioSignature(ENV.TWILIO_AUTH_TOKEN, `${ENV.APP_URL}${path}`, form);
		// A provider's post is cross-site and carries no cookie: the form check lets it through.
		expect(
			crossSiteProblem(
				new Request(`${ENV.APP_URL}${path}`, {
					method: 'POST',
					headers: { 'content-type': 'application/x-www-form-urlencoded' }
				}),
				new URL(`${ENV.APP_URL}${path}`)
			)
		).toBeNull();

		const forged = new URLSearchParams(form);
		forged.set('MessageStatus', 'failed');
		expect(await call(status.POST, post(path, form, null))).toBe(403);
		expect(await call(status.POST, post(path, forged, signature))).toBe(403);
		expect(await call(status.POST, post(path, form, 'x'.repeat(28)))).toBe(403);
		expect(await delivered()).toBe(0);

		expect(await call(status.POST, post(path, form, signature))).toBe(204);
		expect(await call(status.POST, post(path, form, signature))).toBe(204);
		expect(await delivered()).toBe(1);
	});

	it('acknowledge a signed reply, and refuse an unsigned one', async () => {
		const path = '/t/hooks/twilio/inbound';
		const form = new URLSearchParams({
			MessageSid: 'SM9',
			From: '+447700900123',
			To: '+15005550006',
			Body: 'Thanks!'
		});
		const signature = twilioSignature(ENV.TWILIO_AUTH_TOKEN, `${ENV.APP_URL}${path}`, form);
		expect(await call(inbound.POST, post(path, form, signature))).toBe(200);
		expect(await call(inbound.POST, post(path, form, null))).toBe(403);
	});
});
