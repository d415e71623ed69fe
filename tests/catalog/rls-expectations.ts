// RLS expectations of the campaign catalogue tables (spread into
// tests/rls/expectations.ts): the interest taxonomy is global and read-only;
// members read products and audiences; campaigns.products (member, admin,
// owner) writes products; campaigns.write (member, admin, owner) writes
// audiences and their segments, a campaign's products, audiences, brief and
// creatives; campaigns.review (admin, owner) reviews creative versions, whose
// rows cannot be inserted with a status or changed once reviewed.
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
const globalCatalog = { ...readers, outsider: 's---' };

const suffix = () => randomBytes(4).toString('hex');

async function one(client: pg.Client, sql: string, values: unknown[]): Promise<Row> {
	return (await client.query<Row>(sql, values)).rows[0]!;
}

const audience = (c: pg.Client, orgId: string) =>
	one(c, `insert into public.audiences (org_id, name) values ($1, $2) returning id`, [
		orgId,
		`audience-${suffix()}`
	]);
const segment = (c: pg.Client, orgId: string) =>
	one(
		c,
		`insert into public.segments (org_id, name, rules) values ($1, $2, '{"kind":"group","match":"all","rules":[]}') returning id`,
		[orgId, `segment-${suffix()}`]
	);

/** Filled by the seeds: rows a persona's insert can point at. */
const spare: { segmentId?: string; productId?: string; audienceId?: string } = {};

const product = (c: pg.Client, orgId: string) =>
	one(
		c,
		`insert into public.products (org_id, name, sku, price, currency) values ($1, 'Seeded', $2, 10, 'EUR') returning id`,
		[orgId, `SEED-${suffix()}`]
	);

/** A draft influencer campaign of organization A (with a brand), as superuser. */
async function campaign(c: pg.Client, orgId: string): Promise<string> {
	const brand = await one(
		c,
		`insert into public.brands (org_id, name) values ($1, $2) returning id`,
		[orgId, `Brief brand ${suffix()}`]
	);
	const row = await one(
		c,
		`insert into public.campaigns (org_id, kind, brand_id, name) values ($1, 'influencer', $2, 'Brief') returning id`,
		[orgId, brand.id]
	);
	return row.id as string;
}

const requirement = (c: pg.Client, orgId: string, campaignId: string) =>
	one(
		c,
		`insert into public.creative_requirements (org_id, campaign_id, deliverable, platform)
		 values ($1, $2, 'post', 'instagram') returning id`,
		[orgId, campaignId]
	);

/** A creative with one pending version, as superuser. */
async function creative(c: pg.Client, orgId: string) {
	const campaignId = await campaign(c, orgId);
	const req = await requirement(c, orgId, campaignId);
	const asset = await one(
		c,
		`insert into public.creative_assets (org_id, campaign_id, requirement_id, title)
		 values ($1, $2, $3, 'Seeded creative') returning id`,
		[orgId, campaignId, req.id]
	);
	const version = await one(
		c,
		`insert into public.creative_asset_versions (org_id, asset_id, storage_path, file_name, mime_type, size_bytes)
		 values ($1, $2, $3, 'a.png', 'image/png', 10) returning id`,
		[orgId, asset.id, `${orgId}/${campaignId}/a.png`]
	);
	return {
		campaignId,
		requirementId: req.id as string,
		assetId: asset.id as string,
		versionId: version.id as string
	};
}

const briefs: Record<string, string> = {};

export const campaignCatalogTables: Record<string, TableSpec> = {
	'public.interests': {
		seed: () => Promise.resolve({ key: 'fashion' }),
		insert: () => ({ key: 'made_up', label: 'Made up' }),
		update: { label: 'Changed' },
		expect: globalCatalog
	},
	'public.products': {
		seed: (c, w) =>
			one(
				c,
				`insert into public.products (org_id, name, sku, price, currency) values ($1, 'Seeded', $2, 10, 'EUR') returning id`,
				[w.orgA, `SEED-${suffix()}`]
			),
		insert: (w) => ({
			org_id: w.orgA,
			name: 'Fresh',
			sku: `FRESH-${suffix()}`,
			price: '5.00',
			currency: 'EUR'
		}),
		update: { price: '12.50' },
		expect: editors
	},
	'public.audiences': {
		seed: (c, w) => audience(c, w.orgA),
		insert: (w) => ({ org_id: w.orgA, name: `Fresh ${suffix()}` }),
		update: { description: 'Changed' },
		expect: editors
	},
	'public.audience_segments': {
		seed: async (c, w) => {
			const [a, s] = [await audience(c, w.orgA), await segment(c, w.orgA)];
			spare.segmentId = (await segment(c, w.orgA)).id as string;
			await c.query(
				`insert into public.audience_segments (org_id, audience_id, segment_id) values ($1, $2, $3)`,
				[w.orgA, a.id, s.id]
			);
			return { org_id: w.orgA, audience_id: a.id, segment_id: s.id };
		},
		insert: (w, key) => ({
			org_id: w.orgA,
			audience_id: key.audience_id,
			segment_id: spare.segmentId,
			excluded: true
		}),
		update: { excluded: true },
		expect: editors
	},
	'public.campaign_products': {
		seed: async (c, w) => {
			const campaignId = await campaign(c, w.orgA);
			const p = await product(c, w.orgA);
			spare.productId = (await product(c, w.orgA)).id as string;
			await c.query(
				`insert into public.campaign_products (org_id, campaign_id, product_id, quantity) values ($1, $2, $3, 2)`,
				[w.orgA, campaignId, p.id]
			);
			return { campaign_id: campaignId, product_id: p.id };
		},
		insert: (w, key) => ({
			org_id: w.orgA,
			campaign_id: key.campaign_id,
			product_id: spare.productId,
			quantity: 1
		}),
		update: { discount_percent: 15 },
		expect: editors
	},
	'public.campaign_audiences': {
		seed: async (c, w) => {
			const campaignId = await campaign(c, w.orgA);
			const a = await audience(c, w.orgA);
			spare.audienceId = (await audience(c, w.orgA)).id as string;
			await c.query(
				`insert into public.campaign_audiences (org_id, campaign_id, audience_id) values ($1, $2, $3)`,
				[w.orgA, campaignId, a.id]
			);
			return { campaign_id: campaignId, audience_id: a.id };
		},
		insert: (w, key) => ({
			org_id: w.orgA,
			campaign_id: key.campaign_id,
			audience_id: spare.audienceId
		}),
		update: { audience_id: '00000000-0000-4000-8000-000000000000' },
		// A link is added or removed, never changed.
		expect: { ...readers, member: 'si-d', admin: 'si-d', owner: 'si-d' }
	},
	'public.creative_requirements': {
		seed: async (c, w) => {
			const campaignId = await campaign(c, w.orgA);
			briefs.requirementCampaign = campaignId;
			return requirement(c, w.orgA, campaignId);
		},
		insert: (w) => ({
			org_id: w.orgA,
			campaign_id: briefs.requirementCampaign,
			deliverable: 'story',
			platform: 'tiktok'
		}),
		update: { count: 3 },
		expect: editors
	},
	'public.creative_assets': {
		seed: async (c, w) => {
			const made = await creative(c, w.orgA);
			Object.assign(briefs, {
				assetCampaign: made.campaignId,
				assetRequirement: made.requirementId
			});
			// A second creative without versions, so the seeded row's delete goes through.
			return one(
				c,
				`insert into public.creative_assets (org_id, campaign_id, requirement_id, title)
				 values ($1, $2, $3, 'Without versions') returning id`,
				[w.orgA, made.campaignId, made.requirementId]
			);
		},
		insert: (w) => ({
			org_id: w.orgA,
			campaign_id: briefs.assetCampaign,
			requirement_id: briefs.assetRequirement,
			title: 'Fresh creative'
		}),
		update: { title: 'Renamed' },
		expect: editors
	},
	'public.creative_asset_versions': {
		seed: async (c, w) => {
			const made = await creative(c, w.orgA);
			Object.assign(briefs, { versionAsset: made.assetId, versionCampaign: made.campaignId });
			return { id: made.versionId };
		},
		insert: (w) => ({
			org_id: w.orgA,
			asset_id: briefs.versionAsset,
			storage_path: `${w.orgA}/${briefs.versionCampaign}/b.png`,
			file_name: 'b.png',
			mime_type: 'image/png',
			size_bytes: 20
		}),
		// A review: only reviewers (admins, owners) change a version.
		update: { status: 'approved' },
		expect: { ...readers, member: 'si-d', admin: 'siud', owner: 'siud' }
	},
	'public.creative_comments': {
		seed: async (c, w) => {
			const made = await creative(c, w.orgA);
			briefs.commentVersion = made.versionId;
			return one(
				c,
				`insert into public.creative_comments (org_id, version_id, body, author_id)
				 values ($1, $2, 'Seeded comment', $3) returning id`,
				[w.orgA, made.versionId, w.users.member.id]
			);
		},
		insert: (w) => ({ org_id: w.orgA, version_id: briefs.commentVersion, body: 'Fresh comment' }),
		update: { body: 'Edited' },
		// Comments are never edited; their author deletes them (the member here).
		expect: { ...readers, member: 'si-d', admin: 'si--', owner: 'si--' }
	}
};
