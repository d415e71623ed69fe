// RLS expectations of the campaign catalogue tables (spread into
// tests/rls/expectations.ts): the interest taxonomy is global and read-only;
// members read products and audiences; campaigns.products (member, admin,
// owner) writes products; campaigns.write (member, admin, owner) writes
// audiences and their segments.
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

/** Filled by the seeds: a second segment a persona's insert can point at. */
const spare: { segmentId?: string } = {};

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
	}
};
