// A sent email campaign for the tracking tests: organization A of a tenancy
// world with a brand, an email campaign, its message and `n` contacts whose
// messages were sent (rows written as superuser, as the send worker leaves
// them), and the campaign's registered links.
import pg from 'pg';
import { createTenancyWorld, type TenancyWorld } from '../helpers/tenancy.ts';

export type SentCampaign = {
	world: TenancyWorld;
	pool: pg.Pool;
	campaignId: string;
	recipients: { id: string; contactId: string }[];
	links: string[];
	close(): Promise<void>;
};

export const LINKS = ['https://shop.example.com/sale', 'https://shop.example.com/new?x=1&y=2'];

export async function sentCampaign(databaseUrl: string, n: number): Promise<SentCampaign> {
	const world = await createTenancyWorld(databaseUrl);
	const pool = new pg.Pool({ connectionString: databaseUrl, max: 3 });
	const org = world.orgA;
	const brand = await pool.query<{ id: string }>(
		`insert into public.brands (org_id, name) values ($1, 'Shop') returning id`,
		[org]
	);
	const campaign = await pool.query<{ id: string }>(
		`insert into public.campaigns (org_id, kind, brand_id, name) values ($1, 'email', $2, 'Spring sale') returning id`,
		[org, brand.rows[0]!.id]
	);
	const campaignId = campaign.rows[0]!.id;
	await pool.query(
		`insert into public.message_sends (org_id, campaign_id, subject) values ($1, $2, 'Spring')`,
		[org, campaignId]
	);
	const { rows } = await pool.query<{ id: string; contact_id: string }>(
		`with c as (
		   insert into public.contacts (org_id, email, first_name)
		   select $1, 'reader' || i || '@example.test', 'Reader ' || i from generate_series(1, $3::int) i
		   returning id)
		 insert into public.message_recipients (org_id, campaign_id, contact_id, address, status, sent_at)
		 select $1, $2, c.id, 'x@example.test', 'sent', now() from c
		 returning id, contact_id`,
		[org, campaignId, n]
	);
	await pool.query(`select private.message_register_links($1, $2)`, [campaignId, LINKS]);
	return {
		world,
		pool,
		campaignId,
		recipients: rows.map((r) => ({ id: r.id, contactId: r.contact_id })),
		links: LINKS,
		close: async () => {
			await pool.end();
			await world.close();
		}
	};
}

export type ReportTotals = Record<
	| 'sent'
	| 'delivered'
	| 'opens'
	| 'unique_opens'
	| 'clicks'
	| 'unique_clicks'
	| 'unsubscribes'
	| 'bounces'
	| 'complaints',
	number
>;

/** The rollup's totals for a campaign (summed over hours and batches). */
export async function rollupTotals(pool: pg.Pool, campaignId: string): Promise<ReportTotals> {
	const { rows } = await pool.query<ReportTotals>(
		`select coalesce(sum(sent), 0)::int as sent, coalesce(sum(delivered), 0)::int as delivered,
		        coalesce(sum(opens), 0)::int as opens, coalesce(sum(unique_opens), 0)::int as unique_opens,
		        coalesce(sum(clicks), 0)::int as clicks, coalesce(sum(unique_clicks), 0)::int as unique_clicks,
		        coalesce(sum(unsubscribes), 0)::int as unsubscribes, coalesce(sum(bounces), 0)::int as bounces,
		        coalesce(sum(complaints), 0)::int as complaints
		   from public.message_report_hours where campaign_id = $1`,
		[campaignId]
	);
	return rows[0]!;
}

/** The same totals recounted by scanning the campaign's events. */
export async function recountTotals(pool: pg.Pool, campaignId: string): Promise<ReportTotals> {
	const { rows } = await pool.query<ReportTotals>(
		`select count(*) filter (where type = 'message.sent')::int as sent,
		        count(*) filter (where type = 'message.delivered')::int as delivered,
		        count(*) filter (where type = 'message.opened')::int as opens,
		        count(distinct payload->>'recipient_id') filter (where type = 'message.opened')::int as unique_opens,
		        count(*) filter (where type = 'message.clicked')::int as clicks,
		        count(distinct payload->>'recipient_id') filter (where type = 'message.clicked')::int as unique_clicks,
		        count(*) filter (where type = 'message.unsubscribed')::int as unsubscribes,
		        count(*) filter (where type = 'message.bounced')::int as bounces,
		        count(*) filter (where type = 'message.complained')::int as complaints
		   from public.events where payload->>'campaign_id' = $1::text`,
		[campaignId]
	);
	return rows[0]!;
}
