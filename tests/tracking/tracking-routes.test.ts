// The public tracking routes as a mail client reaches them (no session, role
// anon): the open pixel and click redirects count every open and click and
// the first of each message as unique, redirect only to the campaign's
// registered links, and refuse tampered or truncated tokens with a 4xx that
// records nothing. The report rollups agree with a recount of the events.
import { isHttpError, isRedirect } from '@sveltejs/kit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { withRls } from '../../src/lib/server/db/index.ts';
import { clickUrl, pixelUrl } from '../../src/lib/server/tracking/links.ts';
import { report } from '../../src/lib/server/tracking/report.ts';
import { sign } from '../../src/lib/server/tracking/token.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { recountTotals, rollupTotals, sentCampaign, type SentCampaign } from './world.ts';

const { SECRET } = vi.hoisted(() => ({ SECRET: 'tracking-routes-test-secret-123' }));
vi.mock('$env/dynamic/private', () => ({ env: { TRACKING_SECRET: SECRET } }));
type Handler = (event: never) => Promise<Response>;
const pixelRoute = (await import('../../src/routes/t/o/[token]/+server.ts')) as unknown as {
	GET: Handler;
};
const clickRoute = (await import('../../src/routes/t/c/[token]/+server.ts')) as unknown as {
	GET: Handler;
};
const config = { secret: SECRET, appUrl: 'http://app.test' };

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

function eventFor(url: string) {
	const u = new URL(url);
	return {
		url: u,
		params: { token: u.pathname.split('/')[3]! },
		request: new Request(u),
		setHeaders: () => {},
		locals: {
			db: <T>(fn: Parameters<typeof withRls<T>>[2]) =>
				withRls(c.world.db, c.world.claims('anon'), fn)
		}
	} as never;
}

/** The handler's outcome: a response, a redirect's location or an error's status. */
async function call(handler: Handler, url: string) {
	try {
		const res = await handler(eventFor(url));
		return { status: res.status, type: res.headers.get('content-type') };
	} catch (e) {
		if (isRedirect(e)) return { status: e.status, location: e.location };
		if (isHttpError(e)) return { status: e.status };
		throw e;
	}
}

async function eventCount(): Promise<number> {
	const { rows } = await c.pool.query<{ n: number }>(
		`select count(*)::int as n from public.events where type in ('message.opened', 'message.clicked')`
	);
	return rows[0]!.n;
}

describe('open pixel and click redirects', () => {
	it('count every open and click, and the first of each message as unique', async () => {
		const [a, b] = c.recipients;
		for (let i = 0; i < 3; i++) {
			expect(await call(pixelRoute.GET, pixelUrl(a!.id, config))).toEqual({
				status: 200,
				type: 'image/gif'
			});
		}
		expect((await call(pixelRoute.GET, pixelUrl(b!.id, config))).status).toBe(200);
		expect(await call(clickRoute.GET, clickUrl(a!.id, 1, config))).toEqual({
			status: 302,
			location: c.links[1]
		});
		expect((await call(clickRoute.GET, clickUrl(a!.id, 1, config))).status).toBe(302);
		expect(await call(clickRoute.GET, clickUrl(a!.id, 0, config))).toEqual({
			status: 302,
			location: c.links[0]
		});
		const totals = await rollupTotals(c.pool, c.campaignId);
		expect(totals).toMatchObject({ opens: 4, unique_opens: 2, clicks: 3, unique_clicks: 1 });
		expect(totals).toEqual(await recountTotals(c.pool, c.campaignId));

		const { rows: perLink } = await c.pool.query(
			`select position, sum(clicks)::int as clicks, sum(unique_clicks)::int as unique_clicks
			   from public.message_link_clicks where campaign_id = $1 group by 1 order by 1`,
			[c.campaignId]
		);
		expect(perLink).toEqual([
			{ position: 0, clicks: 1, unique_clicks: 1 },
			{ position: 1, clicks: 2, unique_clicks: 1 }
		]);
		const { rows: events } = await c.pool.query(
			`select type, subject_id, payload from public.events
			  where type = 'message.clicked' order by id limit 1`
		);
		expect(events[0]).toEqual({
			type: 'message.clicked',
			subject_id: a!.contactId,
			payload: {
				campaign_id: c.campaignId,
				recipient_id: a!.id,
				contact_id: a!.contactId,
				channel: 'email',
				url: c.links[1],
				link: 1
			}
		});
	});

	it('fold into the same totals', async () => {
		const before = await rollupTotals(c.pool, c.campaignId);
		await c.pool.query('select private.fold_message_reports()');
		const { rows } = await c.pool.query<{ n: number }>(
			`select count(*)::int as n from public.message_report_hours where campaign_id = $1 and batch <> 0`,
			[c.campaignId]
		);
		expect(rows[0]!.n).toBe(0);
		expect(await rollupTotals(c.pool, c.campaignId)).toEqual(before);
	});

	it('read back in the report for members, and nothing for an outsider', async () => {
		const mine = await withRls(c.world.db, c.world.claims('viewer'), (trx) =>
			report(trx, c.world.orgA, c.campaignId)
		);
		expect(mine.counts).toMatchObject({ opens: 4, uniqueOpens: 2, clicks: 3, uniqueClicks: 1 });
		expect(mine.links.map((l) => [l.url, l.clicks, l.uniqueClicks])).toEqual([
			[c.links[1], 2, 1],
			[c.links[0], 1, 1]
		]);
		expect(mine.days).toHaveLength(1);
		expect(mine.days[0]).toMatchObject({ opens: 4, clicks: 3 });
		const theirs = await withRls(c.world.db, c.world.claims('outsider'), (trx) =>
			report(trx, c.world.orgA, c.campaignId)
		);
		expect(theirs).toMatchObject({ days: [], links: [] });
		expect(theirs.counts.opens).toBe(0);
	});

	it('refuse tampered, truncated and swapped tokens with a 4xx, recording nothing', async () => {
		const before = await eventCount();
		const good = clickUrl(c.recipients[0]!.id, 0, config);
		const token = good.split('/').pop()!;
		const bad = [
			good.slice(0, -1),
			good.slice(0, -10),
			`${good}A`,
			good.replace(token, token.slice(0, 10) + (token[10] === 'A' ? 'B' : 'A') + token.slice(11)),
			'http://app.test/t/c/not-a-token',
			// An open token is not a click token, and the other way round.
			good.replace(token, pixelUrl(c.recipients[0]!.id, config).split('/').pop()!),
			// Signed with another secret.
			good.replace(
				token,
				sign('another-secret-of-16-chars', {
					kind: 'click',
					recipientId: c.recipients[0]!.id,
					link: 0
				})
			)
		];
		for (const url of bad) {
			expect((await call(clickRoute.GET, url)).status, url).toBe(400);
		}
		expect((await call(pixelRoute.GET, good.replace('/t/c/', '/t/o/'))).status).toBe(400);
		expect(await eventCount()).toBe(before);
	});

	it('redirect nowhere but the registered links: an unknown position or message is a 404', async () => {
		const before = await eventCount();
		expect(await call(clickRoute.GET, clickUrl(c.recipients[0]!.id, 2, config))).toEqual({
			status: 404
		});
		const stranger = '11111111-2222-4333-8444-555555555555';
		expect((await call(clickRoute.GET, clickUrl(stranger, 0, config))).status).toBe(404);
		expect((await call(pixelRoute.GET, pixelUrl(stranger, config))).status).toBe(404);
		// The route reads no URL from the request: a ?url= changes nothing.
		expect(
			await call(
				clickRoute.GET,
				`${clickUrl(c.recipients[2]!.id, 0, config)}?url=https://evil.test/`
			)
		).toEqual({ status: 302, location: c.links[0] });
		expect(await eventCount()).toBe(before + 1);
	});

	it('let anon call nothing but the tracking functions', async () => {
		const client = await c.pool.connect();
		try {
			await client.query('begin; set local role anon');
			await expect(
				client.query(`select private.message_register_links($1, array['https://evil.test/'])`, [
					c.campaignId
				])
			).rejects.toThrow(/permission denied/);
		} finally {
			await client.query('rollback');
			client.release();
		}
	});
});
