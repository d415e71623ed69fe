// An unsubscribe from a campaign message (the page's button, or a mail
// client's RFC 8058 one-click POST with no session) is recorded as
// message.unsubscribed {campaign_id, recipient_id, contact_id, channel} for
// that message, once, and the campaign's report counts it. A link naming a
// message of another contact, or an older link naming no message, withdraws
// consent without counting anything for a campaign. A report rebuilt from its
// events keeps each message counted once.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { withRls } from '../../src/lib/server/db/index.ts';
import { report } from '../../src/lib/server/tracking/report.ts';
import { sign } from '../../src/lib/unsubscribe/token.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { rollupTotals, sentCampaign, type SentCampaign } from '../tracking/world.ts';

const { SECRET } = vi.hoisted(() => ({ SECRET: 'message-unsubscribed-test-secret' }));
vi.mock('$env/dynamic/private', () => ({ env: { UNSUBSCRIBE_SECRET: SECRET } }));
type Handler = (event: never) => Promise<unknown>;
const route = (await import('../../src/routes/u/[token]/+page.server.ts')) as unknown as {
	actions: { default: Handler };
};

let testDb: TestDatabase;
let c: SentCampaign;

beforeAll(async () => {
	testDb = await createTestDatabase();
	c = await sentCampaign(testDb.url, 3);
});
afterAll(async () => {
	await c?.close();
	await testDb?.drop();
});

/** A one-click POST as a mail provider sends it: no cookies, no Origin, role anon. */
function oneClick(token: string) {
	const url = new URL(`http://app.test/u/${token}`);
	return {
		url,
		params: { token },
		request: new Request(url, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: 'List-Unsubscribe=One-Click'
		}),
		locals: {
			db: <T>(fn: Parameters<typeof withRls<T>>[2]) =>
				withRls(c.world.db, c.world.claims('anon'), fn)
		}
	} as never;
}

const tokenFor = (contactId: string, messageId?: string) =>
	sign(SECRET, { orgId: c.world.orgA, contactId, channel: 'email', messageId });

async function unsubscribedEvents() {
	const { rows } = await c.pool.query<{ subject_id: string; payload: Record<string, unknown> }>(
		`select subject_id, payload from public.events where type = 'message.unsubscribed' order by id`
	);
	return rows;
}

it('records message.unsubscribed for the message once, and the report counts it', async () => {
	const [a] = c.recipients;
	const token = tokenFor(a!.contactId, a!.id);
	expect(token.startsWith('u2.')).toBe(true);
	expect(await route.actions.default(oneClick(token))).toEqual({ unsubscribed: 'Acme' });
	expect(await unsubscribedEvents()).toEqual([
		{
			subject_id: a!.contactId,
			payload: {
				campaign_id: c.campaignId,
				recipient_id: a!.id,
				contact_id: a!.contactId,
				channel: 'email'
			}
		}
	]);
	// The provider posts again, the person clicks the button too: nothing new.
	await route.actions.default(oneClick(token));
	await route.actions.default(oneClick(token));
	expect(await unsubscribedEvents()).toHaveLength(1);
	expect((await rollupTotals(c.pool, c.campaignId)).unsubscribes).toBe(1);
	const seen = await withRls(c.world.db, c.world.claims('viewer'), (trx) =>
		report(trx, c.world.orgA, c.campaignId)
	);
	expect(seen.counts.unsubscribes).toBe(1);
	// The contact's consent is withdrawn as for any unsubscribe link.
	const { rows } = await c.pool.query<{ status: string }>(
		`select status::text from public.contacts where id = $1`,
		[a!.contactId]
	);
	expect(rows[0]!.status).toBe('unsubscribed');
});

it("counts nothing for a message that is not the contact's, nor for a link naming no message", async () => {
	const [a, b, d] = c.recipients;
	// A genuine token of contact b that names a's message (signed by us: a forger cannot).
	await route.actions.default(oneClick(tokenFor(b!.contactId, a!.id)));
	await route.actions.default(oneClick(tokenFor(d!.contactId)));
	expect(await unsubscribedEvents()).toHaveLength(1);
	expect((await rollupTotals(c.pool, c.campaignId)).unsubscribes).toBe(1);
	const { rows } = await c.pool.query<{ status: string }>(
		`select status::text from public.contacts where id = any($1::uuid[]) order by status`,
		[[b!.contactId, d!.contactId]]
	);
	expect(rows.map((r) => r.status)).toEqual(['unsubscribed', 'unsubscribed']);
});

it('still counts an unsubscribe once after the report is rebuilt from its events', async () => {
	const [a] = c.recipients;
	await c.pool.query(`select private.rebuild_message_report($1)`, [c.campaignId]);
	expect((await rollupTotals(c.pool, c.campaignId)).unsubscribes).toBe(1);
	// The rebuild recreated the message's unsubscribe marker: a later click records nothing.
	await route.actions.default(oneClick(tokenFor(a!.contactId, a!.id)));
	expect(await unsubscribedEvents()).toHaveLength(1);
	expect((await rollupTotals(c.pool, c.campaignId)).unsubscribes).toBe(1);
});
