// The wizard's audience, products and creative sections become the
// campaign's audiences, product lines and brief when it is submitted (in the
// submission's transaction), a later submission replaces them, and a bad line
// fails the submission with its field, leaving nothing half-applied.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mapDbError } from '../../src/lib/server/db/errors.ts';
import {
	campaignWorld,
	createCampaign,
	fillSections,
	revisionOf,
	saveSection,
	submit,
	type CampaignWorld
} from '../campaigns/world.ts';

let w: CampaignWorld;
let products: string[];
let audienceId: string;
beforeAll(async () => {
	w = await campaignWorld();
	products = [];
	for (const [sku, price] of [
		['A-1', '100.00'],
		['B-2', '20.00']
	] as const) {
		const { rows } = await w.admin.query<{ id: string }>(
			`insert into public.products (org_id, name, sku, price, currency) values ($1, $2, $2, $3, 'EUR') returning id`,
			[w.world.orgA, sku, price]
		);
		products.push(rows[0]!.id);
	}
	const { rows } = await w.admin.query<{ id: string }>(
		`insert into public.audiences (org_id, name) values ($1, 'Runners') returning id`,
		[w.world.orgA]
	);
	audienceId = rows[0]!.id;
});
afterAll(async () => {
	await w.close();
});

const save = async (id: string, section: string, data: Record<string, unknown>) =>
	saveSection(w, id, section, data, await revisionOf(w, id, section));

const requirement = {
	id: '7d2b8c1e-0c4e-4d55-9a39-1a2b3c4d5e6f',
	deliverable: 'reel',
	platform: 'instagram',
	format: '9:16',
	count: 2,
	due_on: '2099-03-15',
	guidelines: 'Show the jacket in the rain.',
	hashtags: ['#springlaunch'],
	mentions: ['@northwind'],
	accepted_kinds: ['video']
};

it('applies the sections on submission and replaces them on the next one', async () => {
	const id = await createCampaign(w);
	await fillSections(w, id);
	await save(id, 'audience', { audience_ids: [audienceId] });
	await save(id, 'products', {
		lines: [
			{ product_id: products[0], quantity: 2, discount_percent: 25 },
			{ product_id: products[1], quantity: 5, discount_percent: 0 }
		]
	});
	await save(id, 'creative', { requirements: [requirement] });
	await submit(w, id);

	const totals = await w.admin.query<{ total: string }>(
		'select total::text from public.campaign_product_totals where campaign_id = $1',
		[id]
	);
	expect(totals.rows).toEqual([{ total: '250.00' }]); // 2 × 100 × 0.75 + 5 × 20
	const brief = await w.admin.query(
		'select id, count, hashtags, accepted_kinds from public.creative_requirements where campaign_id = $1',
		[id]
	);
	expect(brief.rows).toEqual([
		{ id: requirement.id, count: 2, hashtags: ['#springlaunch'], accepted_kinds: ['video'] }
	]);
	const targeted = await w.admin.query(
		'select audience_id from public.campaign_audiences where campaign_id = $1',
		[id]
	);
	expect(targeted.rows).toEqual([{ audience_id: audienceId }]);

	// Version 2: one product, a changed requirement, no audience.
	await save(id, 'products', { lines: [{ product_id: products[1], quantity: 1 }] });
	await save(id, 'creative', { requirements: [{ ...requirement, count: 3 }] });
	await save(id, 'audience', { audience_ids: [] });
	await submit(w, id);
	const after = await w.admin.query<{ lines: string; count: number; audiences: string }>(
		`select (select count(*) from public.campaign_products where campaign_id = $1)::text as lines,
		        (select count from public.creative_requirements where id = $2) as count,
		        (select count(*) from public.campaign_audiences where campaign_id = $1)::text as audiences`,
		[id, requirement.id]
	);
	expect(after.rows[0]).toEqual({ lines: '1', count: 3, audiences: '0' });
});

it('fails the whole submission on a discount over 100 %, with the field', async () => {
	const id = await createCampaign(w);
	await fillSections(w, id);
	await save(id, 'products', {
		lines: [{ product_id: products[0], quantity: 1, discount_percent: 150 }]
	});
	const mapped = await submit(w, id).then(
		() => null,
		(e: unknown) => mapDbError(e)
	);
	expect(mapped).toMatchObject({ status: 422, field: 'discount_percent' });
	const { rows } = await w.admin.query<{ n: string }>(
		`select ((select count(*) from public.campaign_submissions where campaign_id = $1)
		       + (select count(*) from public.campaign_products where campaign_id = $1))::text as n`,
		[id]
	);
	expect(rows[0]!.n).toBe('0');
});
