// RLS expectations of the campaigns module (spread into tests/rls/expectations.ts):
// members read their organization's campaigns; those with campaigns.write
// (members, admins, owners) write campaigns, folders, budget lines and KPIs;
// wizard drafts and submissions are written only by save_campaign_section()
// and submit_campaign(); currencies are a global catalogue.
import type pg from 'pg';
import type { TenancyWorld } from '../helpers/tenancy.ts';
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

async function one(client: pg.Client, sql: string, values: unknown[]): Promise<Row> {
	return (await client.query<Row>(sql, values)).rows[0]!;
}

/** A brand of organization A for campaigns to belong to (found or created, as superuser). */
const brands = new Map<string, string>();
async function brandOf(client: pg.Client, orgId: string): Promise<string> {
	const known = brands.get(orgId);
	if (known) return known;
	const row = await one(
		client,
		`insert into public.brands (org_id, name) values ($1, 'Campaign brand')
		 on conflict (org_id, name) do update set name = excluded.name returning id`,
		[orgId]
	);
	brands.set(orgId, row.id as string);
	return row.id as string;
}

/** A draft campaign of organization A with a budget, as superuser. */
async function seedCampaign(client: pg.Client, w: TenancyWorld, name: string): Promise<string> {
	const brand = await brandOf(client, w.orgA);
	const row = await one(
		client,
		`insert into public.campaigns (org_id, kind, brand_id, name, budget_amount, currency)
		 values ($1, 'influencer', $2, $3, 1000, 'EUR') returning id`,
		[w.orgA, brand, name]
	);
	return row.id as string;
}

const campaignIds = new Map<string, string>();

export const campaignTables: Record<string, TableSpec> = {
	'public.currencies': {
		seed: () => Promise.resolve({ code: 'EUR' }),
		insert: () => ({ code: 'XTS', name: 'Test', minor_units: 2 }),
		update: { name: 'Changed' },
		expect: { ...readers, outsider: 's---' }
	},
	'public.campaign_folders': {
		seed: (c, w) =>
			one(
				c,
				`insert into public.campaign_folders (org_id, name) values ($1, 'Seeded folder') returning id`,
				[w.orgA]
			),
		insert: (w) => ({ org_id: w.orgA, name: 'Fresh folder' }),
		update: { name: 'Renamed folder' },
		expect: editors
	},
	'public.campaigns': {
		seed: async (c, w) => {
			await brandOf(c, w.orgA);
			return { id: await seedCampaign(c, w, 'Seeded campaign') };
		},
		insert: (w) => ({
			org_id: w.orgA,
			kind: 'email',
			brand_id: brands.get(w.orgA),
			name: 'Fresh campaign'
		}),
		update: { name: 'Renamed campaign' },
		expect: editors
	},
	'public.campaign_budget_lines': {
		seed: async (c, w) => {
			const campaign = await seedCampaign(c, w, 'Campaign with lines');
			campaignIds.set('lines', campaign);
			return one(
				c,
				`insert into public.campaign_budget_lines (org_id, campaign_id, label, amount)
				 values ($1, $2, 'Fees', 100) returning id`,
				[w.orgA, campaign]
			);
		},
		insert: (w) => ({
			org_id: w.orgA,
			campaign_id: campaignIds.get('lines'),
			label: 'Shipping',
			amount: 10
		}),
		update: { amount: 50 },
		expect: editors
	},
	'public.campaign_kpis': {
		seed: async (c, w) => {
			const campaign = await seedCampaign(c, w, 'Campaign with KPIs');
			campaignIds.set('kpis', campaign);
			return one(
				c,
				`insert into public.campaign_kpis (org_id, campaign_id, metric, target)
				 values ($1, $2, 'reach', 100000) returning id`,
				[w.orgA, campaign]
			);
		},
		insert: (w) => ({
			org_id: w.orgA,
			campaign_id: campaignIds.get('kpis'),
			metric: 'clicks',
			target: 500
		}),
		update: { target: 5 },
		expect: editors
	},
	'public.campaign_sections': {
		seed: async (c, w) => {
			const campaign = await seedCampaign(c, w, 'Campaign with drafts');
			campaignIds.set('sections', campaign);
			return { campaign_id: campaign, section: 'objective' };
		},
		insert: (w) => ({
			org_id: w.orgA,
			campaign_id: campaignIds.get('sections'),
			section: 'nope',
			data: {}
		}),
		update: { data: { objective: 'Tampered' } },
		// Written through save_campaign_section() only (it checks the revision).
		expect: readers
	},
	'public.campaign_submissions': {
		seed: async (c, w) => {
			const campaign = await seedCampaign(c, w, 'Submitted campaign');
			campaignIds.set('submissions', campaign);
			return one(
				c,
				`insert into public.campaign_submissions (org_id, campaign_id, version, snapshot)
				 values ($1, $2, 1, '{}') returning id`,
				[w.orgA, campaign]
			);
		},
		insert: (w) => ({
			org_id: w.orgA,
			campaign_id: campaignIds.get('submissions'),
			version: 2,
			snapshot: {}
		}),
		update: { snapshot: { forged: true } },
		// Written by submit_campaign() only, and immutable for everyone.
		expect: readers
	}
};
