// RLS expectations of the collaboration tables (spread into
// tests/rls/expectations.ts): members read; influencers.write (member, admin,
// owner) invites, answers and tracks collaborations, their deliverables and
// product seeding; clicks are written only by the public redirect's function
// and conversions only by the service role, so no API role writes either.
import { randomBytes } from 'node:crypto';
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
const editors = { ...readers, member: 'siud', admin: 'siud', owner: 'siud' };

const suffix = () => randomBytes(4).toString('hex');

async function one(client: pg.Client, sql: string, values: unknown[]): Promise<Row> {
	return (await client.query<Row>(sql, values)).rows[0]!;
}

export const influencer = (c: pg.Client, orgId: string) =>
	one(c, `insert into public.influencers (org_id, name) values ($1, $2) returning id`, [
		orgId,
		`Influencer ${suffix()}`
	]);

async function influencerCampaign(c: pg.Client, orgId: string): Promise<string> {
	const brand = await one(
		c,
		`insert into public.brands (org_id, name) values ($1, $2) returning id`,
		[orgId, `Collab brand ${suffix()}`]
	);
	const row = await one(
		c,
		`insert into public.campaigns (org_id, kind, brand_id, name) values ($1, 'influencer', $2, 'Collabs') returning id`,
		[orgId, brand.id]
	);
	return row.id as string;
}

const requirement = (c: pg.Client, orgId: string, campaignId: string) =>
	one(
		c,
		`insert into public.creative_requirements (org_id, campaign_id, deliverable, platform)
		 values ($1, $2, 'reel', 'instagram') returning id`,
		[orgId, campaignId]
	);

async function collaboration(c: pg.Client, orgId: string, campaignId: string, accepted = false) {
	const inf = await influencer(c, orgId);
	const row = await one(
		c,
		`insert into public.collaborations (org_id, campaign_id, influencer_id, rate_amount, rate_currency)
		 values ($1, $2, $3, 500, 'EUR') returning id`,
		[orgId, campaignId, inf.id]
	);
	if (accepted)
		await c.query(`update public.collaborations set status = 'accepted' where id = $1`, [row.id]);
	return row.id as string;
}

/** Filled by the seeds: rows a persona's insert can point at. */
const spare: {
	campaignId?: string;
	influencerId?: string;
	collaborationId?: string;
	requirementId?: string;
	productId?: string;
} = {};

export const collaborationTables: Record<string, TableSpec> = {
	'public.collaborations': {
		seed: async (c, w) => {
			spare.campaignId = await influencerCampaign(c, w.orgA);
			spare.influencerId = (await influencer(c, w.orgA)).id as string;
			return { id: await collaboration(c, w.orgA, spare.campaignId) };
		},
		insert: (w) => ({
			org_id: w.orgA,
			campaign_id: spare.campaignId,
			influencer_id: spare.influencerId,
			rate_amount: '250.00',
			rate_currency: 'EUR'
		}),
		update: { status: 'accepted' },
		expect: editors
	},
	'public.collaboration_deliverables': {
		seed: async (c, w) => {
			const campaignId = await influencerCampaign(c, w.orgA);
			const collab = await collaboration(c, w.orgA, campaignId);
			const first = await requirement(c, w.orgA, campaignId);
			spare.requirementId = (await requirement(c, w.orgA, campaignId)).id as string;
			spare.collaborationId = collab;
			await c.query(
				`insert into public.collaboration_deliverables (org_id, campaign_id, collaboration_id, requirement_id, count)
				 values ($1, $2, $3, $4, 1)`,
				[w.orgA, campaignId, collab, first.id]
			);
			briefCampaign = campaignId;
			return { collaboration_id: collab, requirement_id: first.id };
		},
		insert: (w) => ({
			org_id: w.orgA,
			campaign_id: briefCampaign,
			collaboration_id: spare.collaborationId,
			requirement_id: spare.requirementId,
			count: 2
		}),
		update: { count: 3 },
		expect: editors
	},
	'public.collaboration_products': {
		seed: async (c, w) => {
			const campaignId = await influencerCampaign(c, w.orgA);
			const collab = await collaboration(c, w.orgA, campaignId, true);
			const product = (sku: string) =>
				one(
					c,
					`insert into public.products (org_id, name, sku, price, currency) values ($1, 'Seeded', $2, 10, 'EUR') returning id`,
					[w.orgA, sku]
				);
			const first = await product(`SEED-${suffix()}`);
			spare.productId = (await product(`SEED-${suffix()}`)).id as string;
			seedingCollab = collab;
			return one(
				c,
				`insert into public.collaboration_products (org_id, collaboration_id, product_id, quantity)
				 values ($1, $2, $3, 1) returning id`,
				[w.orgA, collab, first.id]
			);
		},
		insert: (w) => ({
			org_id: w.orgA,
			collaboration_id: seedingCollab,
			product_id: spare.productId,
			quantity: 2
		}),
		update: { status: 'ordered' },
		expect: editors
	},
	'public.collaboration_clicks': {
		seed: async (c, w) => {
			const campaignId = await influencerCampaign(c, w.orgA);
			const collab = await collaboration(c, w.orgA, campaignId);
			return one(
				c,
				`insert into public.collaboration_clicks (org_id, collaboration_id, visitor_id)
				 values ($1, $2, gen_random_uuid()) returning id`,
				[w.orgA, collab]
			);
		},
		insert: (w, key) => ({ org_id: w.orgA, collaboration_id: key.collaboration_id ?? null }),
		update: { visitor_id: null },
		expect: readers
	},
	'public.conversions': {
		seed: (c, w) =>
			one(
				c,
				`insert into public.conversions (org_id, order_ref, amount, currency) values ($1, $2, 10, 'EUR') returning id`,
				[w.orgA, `ORDER-${suffix()}`]
			),
		insert: (w) => ({ org_id: w.orgA, order_ref: `NEW-${suffix()}`, amount: '5', currency: 'EUR' }),
		update: { amount: '11' },
		expect: readers
	}
};

let briefCampaign: string | undefined;
let seedingCollab: string | undefined;
