// The wizard's audience, creative brief and products steps: which kinds show
// them, what a submission requires of each (a message campaign an audience,
// an influencer campaign a brief), how they are read from a form posted
// without JavaScript (add and remove a requirement included), how a version
// diff names their changes, and that a submission names an archived product
// or a deleted audience as a problem of its step, writing nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffSection, diffSnapshots } from '../../src/lib/campaigns/diff.ts';
import {
	problemsOf,
	sectionErrors,
	sectionFromForm,
	stepsFor
} from '../../src/lib/campaigns/steps.ts';
import * as audiences from '../../src/lib/server/audiences/index.ts';
import * as campaigns from '../../src/lib/server/campaigns/index.ts';
import { campaignWorld, createCampaign, fillSections, type CampaignWorld } from './world.ts';

const A = '0b8f6a52-7c1e-4f43-9a8e-2d5b1c3e4f50';
const B = '7d2b8c1e-0c4e-4d55-9a39-1a2b3c4d5e6f';
const requirement = {
	id: B,
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
const form = (entries: [string, string][]) => {
	const f = new FormData();
	for (const [k, v] of entries) f.append(k, v);
	return f;
};

describe('steps per kind', () => {
	it('shows creative brief and products to influencer campaigns, the audience to all', () => {
		const keys = (kind: Parameters<typeof stepsFor>[0]) => stepsFor(kind).map((s) => s.key);
		expect(keys('influencer')).toEqual([
			'basics',
			'objective',
			'budget',
			'audience',
			'creative',
			'products',
			'review'
		]);
		for (const kind of ['email', 'sms', 'whatsapp'] as const)
			expect(keys(kind)).toEqual(['basics', 'objective', 'budget', 'audience', 'review']);
	});

	it('requires an audience of a message campaign and a brief of an influencer one', () => {
		const steps = (kind: Parameters<typeof problemsOf>[0]) =>
			problemsOf(kind, {}).filter((p) => ['audience', 'creative', 'products'].includes(p.step));
		expect(steps('email')).toEqual([
			{
				step: 'audience',
				label: 'Audience',
				field: 'audience_ids',
				message: 'Pick at least one audience: who receives this campaign.'
			}
		]);
		expect(steps('influencer')).toEqual([
			{
				step: 'creative',
				label: 'Creative brief',
				field: 'requirements',
				message: 'Add at least one requirement: what creators should deliver.'
			}
		]);
		expect(sectionErrors('audience', { audience_ids: [] }, 'influencer')).toEqual({});
		expect(sectionErrors('products', { lines: [] }, 'influencer')).toEqual({});
	});

	it('names a bad line by its field: a discount over 100 %, a quantity of 0', () => {
		expect(
			sectionErrors('products', {
				lines: [{ product_id: A, quantity: '0', discount_percent: '120' }]
			})
		).toEqual({
			'lines.0.quantity': 'A quantity is at least 1.',
			'lines.0.discount_percent': 'A discount is at most 100%.'
		});
		expect(
			sectionErrors('creative', { requirements: [{ ...requirement, hashtags: ['#two words'] }] })
		).toEqual({ 'requirements.0.hashtags.0': 'Hashtags start with # and have no spaces.' });
	});
});

describe('posted without JavaScript', () => {
	it('reads audiences (once each) and product lines (the blank one left out)', () => {
		expect(
			sectionFromForm(
				'audience',
				form([
					['audience_ids', A],
					['audience_ids', B],
					['audience_ids', A]
				])
			)
		).toEqual({ audience_ids: [A, B] });
		expect(
			sectionFromForm(
				'products',
				form([
					['product_id', A],
					['quantity', '3'],
					['discount_percent', '10'],
					['product_id', ''],
					['quantity', '1'],
					['discount_percent', '0']
				])
			)
		).toEqual({ lines: [{ product_id: A, quantity: '3', discount_percent: '10' }] });
	});

	it('adds and removes a requirement', () => {
		const fields: [string, string][] = [
			['requirement_id', B],
			[`deliverable:${B}`, 'reel'],
			[`platform:${B}`, 'tiktok'],
			[`count:${B}`, '2'],
			[`hashtags:${B}`, 'spring trail']
		];
		const added = sectionFromForm('creative', form([...fields, ['add_requirement', '1']])) as {
			requirements: { id: string; platform: string; hashtags: string[] }[];
		};
		expect(added.requirements).toHaveLength(2);
		expect(added.requirements[0]).toMatchObject({
			id: B,
			platform: 'tiktok',
			hashtags: ['#spring', '#trail']
		});
		expect(added.requirements[1]!.id).toMatch(/^[0-9a-f-]{36}$/);
		expect(sectionFromForm('creative', form([...fields, ['remove_requirement', B]]))).toEqual({
			requirements: []
		});
	});
});

describe('what changed', () => {
	it('names audiences, requirements and products in words', () => {
		const names = {
			audiences: new Map([
				[A, 'Runners'],
				[B, 'Hikers']
			]),
			products: new Map([[A, 'Rain jacket']])
		};
		expect(diffSection('audience', { audience_ids: [A] }, { audience_ids: [A, B] }, names)).toEqual(
			[
				{
					step: 'audience',
					stepLabel: 'Audience',
					field: 'Audiences',
					before: 'Runners',
					after: 'Hikers, Runners'
				}
			]
		);
		expect(
			diffSnapshots(
				{
					products: { lines: [{ product_id: A, quantity: 2, discount_percent: 0 }] },
					creative: { requirements: [requirement] }
				},
				{
					products: { lines: [{ product_id: A, quantity: 5, discount_percent: 25 }] },
					creative: { requirements: [{ ...requirement, count: 3 }] }
				},
				names
			)
		).toEqual([
			{
				step: 'creative',
				stepLabel: 'Creative brief',
				field: 'Requirements',
				before:
					'1. 2 × Reel on Instagram (9:16), due 2099-03-15, #springlaunch @northwind, “Show the jacket in the rain.”',
				after:
					'1. 3 × Reel on Instagram (9:16), due 2099-03-15, #springlaunch @northwind, “Show the jacket in the rain.”'
			},
			{
				step: 'products',
				stepLabel: 'Products',
				field: 'Products',
				before: 'Rain jacket × 2',
				after: 'Rain jacket × 5 (−25 %)'
			}
		]);
	});
});

describe('submission', () => {
	let w: CampaignWorld;
	let product: string;
	let audience: string;
	beforeAll(async () => {
		w = await campaignWorld();
		product = (
			await w.admin.query<{ id: string }>(
				`insert into public.products (org_id, name, sku, price, currency)
				 values ($1, 'Rain jacket', 'RJ-1', 120, 'EUR') returning id`,
				[w.world.orgA]
			)
		).rows[0]!.id;
		audience = (
			await w.admin.query<{ id: string }>(
				`insert into public.audiences (org_id, name, age_ranges, genders)
				 values ($1, 'Runners', '{18-24,25-34}', '{female}') returning id`,
				[w.world.orgA]
			)
		).rows[0]!.id;
	});
	afterAll(() => w.close());

	it('submits an influencer campaign with its brief, products and audience', async () => {
		const id = await createCampaign(w);
		await fillSections(w, id, {
			audience: { audience_ids: [audience] },
			creative: { requirements: [requirement] },
			products: { lines: [{ product_id: product, quantity: '2', discount_percent: '10' }] }
		});
		const version = await w.as('member', (trx) => campaigns.submit(trx, w.world.orgA, id));
		expect(version).toBe(1);
		const totals = await w.as('viewer', (trx) =>
			campaigns.brief.productTotals(trx, w.world.orgA, id)
		);
		expect(totals).toEqual([
			{
				currency: 'EUR',
				lines: 1,
				units: 2,
				subtotal: '240.00',
				discount: '24.00',
				total: '216.00'
			}
		]);
		const progress = await w.as('viewer', (trx) =>
			campaigns.brief.creativeProgress(trx, w.world.orgA, id)
		);
		expect(progress).toMatchObject([
			{ id: B, deliverable: 'reel', required: 2, approved: 0, missing: 2, dueOn: '2099-03-15' }
		]);
		const targeted = await w.as('viewer', (trx) =>
			campaigns.brief.audiences(trx, w.world.orgA, id)
		);
		// Enum arrays read as arrays (pg hands them over as '{…}' text unless cast).
		expect(targeted).toMatchObject([{ name: 'Runners', ageRanges: ['18-24', '25-34'] }]);
		const listed = await w.as('viewer', (trx) => audiences.list(trx, w.world.orgA));
		expect(listed.find((a) => a.id === audience)?.ageRanges).toEqual(['18-24', '25-34']);
		const one = await w.as('viewer', (trx) => audiences.get(trx, w.world.orgA, audience));
		expect(one).toMatchObject({ ageRanges: ['18-24', '25-34'], genders: ['female'] });
	});

	it('names an archived product and a deleted audience as problems, writing nothing', async () => {
		const gone = (
			await w.admin.query<{ id: string }>(
				`insert into public.audiences (org_id, name) values ($1, 'Gone') returning id`,
				[w.world.orgA]
			)
		).rows[0]!.id;
		const archived = (
			await w.admin.query<{ id: string }>(
				`insert into public.products (org_id, name, sku, price, currency, archived_at)
				 values ($1, 'Old cap', 'CAP-0', 10, 'EUR', now()) returning id`,
				[w.world.orgA]
			)
		).rows[0]!.id;
		await w.admin.query('delete from public.audiences where id = $1', [gone]);
		const id = await createCampaign(w);
		await fillSections(w, id, {
			audience: { audience_ids: [gone] },
			creative: { requirements: [{ ...requirement, id: A }] },
			products: { lines: [{ product_id: archived, quantity: 1, discount_percent: 0 }] }
		});
		const error = await w
			.as('member', (trx) => campaigns.submit(trx, w.world.orgA, id))
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(campaigns.CampaignIncompleteError);
		expect((error as campaigns.CampaignIncompleteError).problems).toEqual([
			{
				step: 'audience',
				label: 'Audience',
				field: 'audience_ids',
				message: 'An audience you picked has been deleted: pick another.'
			},
			{
				step: 'products',
				label: 'Products',
				field: 'lines.0.product_id',
				message: '“Old cap” is archived: remove it or restore it in the catalogue.'
			}
		]);
		const { rows } = await w.admin.query<{ n: string }>(
			`select ((select count(*) from public.campaign_submissions where campaign_id = $1)
			       + (select count(*) from public.creative_requirements where campaign_id = $1))::text as n`,
			[id]
		);
		expect(rows[0]!.n).toBe('0');
	});
});
