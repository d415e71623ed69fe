// The bounce and complaint webhook: only a request signed with the secret,
// recently, over exactly its body is believed (missing, malformed, stale or
// wrong signatures are a 401; a malformed body a 400 naming the field; none
// writes anything). A bounce withdraws email consent (recorded), marks the
// contact bounced, so the next send suppresses it at once; a provider's retry
// counts once.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { withRls } from '../../src/lib/server/db/index.ts';
import { signBody } from '../../src/lib/server/tracking/webhook.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { recountTotals, rollupTotals, sentCampaign, type SentCampaign } from './world.ts';

const { SECRET } = vi.hoisted(() => ({ SECRET: 'message-webhook-test-secret-1234' }));
vi.mock('$env/dynamic/private', () => ({ env: { MESSAGE_WEBHOOK_SECRET: SECRET } }));
const route = (await import('../../src/routes/t/hooks/messages/+server.ts')) as unknown as {
	POST: (event: never) => Promise<Response>;
};

let testDb: TestDatabase;
let c: SentCampaign;

beforeAll(async () => {
	testDb = await createTestDatabase();
	c = await sentCampaign(testDb.url, 4);
});
afterAll(async () => {
	await c?.close();
	await testDb?.drop();
});

async function post(body: string, signature: string | null) {
	const request = new Request('http://app.test/t/hooks/messages', {
		method: 'POST',
		headers: {
			'content-type': 'application/json',
			...(signature === null ? {} : { 'x-growthdesk-signature': signature })
		},
		body
	});
	const res = await route.POST({
		request,
		locals: {
			db: <T>(fn: Parameters<typeof withRls<T>>[2]) =>
				withRls(c.world.db, c.world.claims('anon'), fn)
		}
	} as never);
	return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function writes() {
	const { rows } = await c.pool.query<{ events: number; consent: number }>(
		`select (select count(*)::int from public.events where type like 'message.%') as events,
		        (select count(*)::int from public.consent_records) as consent`
	);
	return rows[0]!;
}

async function contact(id: string) {
	const { rows } = await c.pool.query<{ status: string; can_send: boolean; sources: string[] }>(
		`select c.status::text, public.contact_can_send(c.id, 'email') as can_send,
		        array(select source from public.consent_records r where r.contact_id = c.id order by r.id) as sources
		   from public.contacts c where c.id = $1`,
		[id]
	);
	return rows[0]!;
}

describe('bounce and complaint webhook', () => {
	it('refuses missing, malformed, stale and wrong signatures, and malformed bodies, writing nothing', async () => {
		const before = await writes();
		const body = JSON.stringify({ type: 'bounce', message_id: c.recipients[0]!.id });
		const now = Math.floor(Date.now() / 1000);
		for (const [signature, status] of [
			[null, 401],
			['', 401],
			['v1=abc', 401],
			['t=now,v1=abc', 401],
			[signBody(SECRET, body, now - 3600), 401],
			[signBody('another-secret-of-16-chars', body, now), 401],
			[signBody(SECRET, `${body} `, now), 401]
		] as const) {
			const res = await post(body, signature);
			expect(res.status, String(signature)).toBe(status);
			expect(res.body.message).toEqual(expect.any(String));
		}
		for (const [bad, field] of [
			['{not json', 'body'],
			[JSON.stringify({ type: 'bounce', message_id: 'nope' }), 'message_id'],
			[JSON.stringify({ type: 'exploded', message_id: c.recipients[0]!.id }), 'type'],
			[JSON.stringify({ events: [] }), 'events'],
			[JSON.stringify([1, 2]), 'body']
		] as const) {
			const res = await post(bad, signBody(SECRET, bad));
			expect(res.status, bad).toBe(400);
			expect(res.body.field, bad).toEqual(expect.any(String));
			if (field !== 'body') expect(String(res.body.field), bad).toContain(field);
		}
		expect(await writes()).toEqual(before);
	});

	it('marks a bounced contact, withdraws its consent with a record, and counts a retry once', async () => {
		const r = c.recipients[0]!;
		expect((await contact(r.contactId)).can_send).toBe(true);
		const body = JSON.stringify({
			type: 'bounce',
			message_id: r.id,
			reason: '550 5.1.1 no such user'
		});
		expect(await post(body, signBody(SECRET, body))).toEqual({
			status: 200,
			body: { recorded: 1, duplicates: 0, unknown: 0 }
		});
		expect(await contact(r.contactId)).toEqual({
			status: 'bounced',
			can_send: false,
			sources: ['Email bounced: 550 5.1.1 no such user']
		});
		// The provider retries: nothing new.
		expect((await post(body, signBody(SECRET, body))).body).toEqual({
			recorded: 0,
			duplicates: 1,
			unknown: 0
		});
		const { rows } = await c.pool.query(
			`select type, payload->>'reason' as reason from public.events
			  where type = 'message.bounced' and subject_id = $1`,
			[r.contactId]
		);
		expect(rows).toEqual([{ type: 'message.bounced', reason: '550 5.1.1 no such user' }]);
	});

	it('takes complaints and deliveries in one batch; unknown messages are counted, not failed', async () => {
		const [, a, b] = c.recipients;
		const body = JSON.stringify({
			events: [
				{ type: 'complaint', message_id: a!.id },
				{ type: 'delivered', message_id: b!.id },
				{ type: 'soft_bounce', message_id: b!.id, reason: 'mailbox full' },
				{ type: 'bounce', message_id: '11111111-2222-4333-8444-555555555555' }
			]
		});
		expect((await post(body, signBody(SECRET, body))).body).toEqual({
			recorded: 3,
			duplicates: 0,
			unknown: 1
		});
		expect(await contact(a!.contactId)).toMatchObject({ status: 'unsubscribed', can_send: false });
		// A soft bounce is reported but keeps the contact.
		expect(await contact(b!.contactId)).toMatchObject({ status: 'subscribed', can_send: true });
		const totals = await rollupTotals(c.pool, c.campaignId);
		expect(totals).toMatchObject({ bounces: 2, complaints: 1, delivered: 1 });
		expect(totals).toEqual(await recountTotals(c.pool, c.campaignId));
	});
});
