// RLS expectations of message tracking (spread into tests/rls/expectations.ts):
// members read their organization's campaign links and report rollups; only
// the worker's and the tracking functions write them.
import type pg from 'pg';
import type { Row, TableSpec } from '../rls/expectations.ts';

const nobody = {
	anon: '----',
	outsider: '----',
	viewer: '----',
	member: '----',
	admin: '----',
	owner: '----'
};
const readers = { ...nobody, viewer: 's---', member: 's---', admin: 's---', owner: 's---' };

async function one(client: pg.Client, sql: string, values: unknown[]): Promise<Row> {
	return (await client.query<Row>(sql, values)).rows[0]!;
}

/** An email campaign of organization A, as superuser. */
async function emailCampaign(c: pg.Client, orgId: string): Promise<string> {
	const brand = await one(
		c,
		`insert into public.brands (org_id, name) values ($1, 'Tracking ' || gen_random_uuid()) returning id`,
		[orgId]
	);
	const row = await one(
		c,
		`insert into public.campaigns (org_id, kind, brand_id, name) values ($1, 'email', $2, 'Tracked') returning id`,
		[orgId, brand.id]
	);
	return row.id as string;
}

export const trackingTables: Record<string, TableSpec> = {
	'public.message_links': {
		seed: async (c, w) =>
			one(
				c,
				`insert into public.message_links (org_id, campaign_id, position, url)
				 values ($1, $2, 0, 'https://example.com/') returning org_id, campaign_id, position`,
				[w.orgA, await emailCampaign(c, w.orgA)]
			),
		insert: (w, key) => ({
			org_id: w.orgA,
			campaign_id: key.campaign_id,
			position: 1,
			url: 'https://evil.example/'
		}),
		update: { url: 'https://evil.example/' },
		expect: readers
	},
	'public.message_report_hours': {
		seed: async (c, w) =>
			one(
				c,
				`insert into public.message_report_hours (org_id, campaign_id, hour, opens)
				 values ($1, $2, '2000-01-01', 3) returning org_id, campaign_id, hour::text as hour, batch`,
				[w.orgA, await emailCampaign(c, w.orgA)]
			),
		insert: (w, key) => ({
			org_id: w.orgA,
			campaign_id: key.campaign_id,
			hour: '2000-01-02',
			opens: 1000
		}),
		update: { opens: 1000 },
		expect: readers
	},
	'public.message_link_clicks': {
		seed: async (c, w) =>
			one(
				c,
				`insert into public.message_link_clicks (org_id, campaign_id, position, clicks)
				 values ($1, $2, 0, 3) returning org_id, campaign_id, position, batch`,
				[w.orgA, await emailCampaign(c, w.orgA)]
			),
		insert: (w, key) => ({ org_id: w.orgA, campaign_id: key.campaign_id, position: 1, clicks: 9 }),
		update: { clicks: 1000 },
		expect: readers
	}
};
