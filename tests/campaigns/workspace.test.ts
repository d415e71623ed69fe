// The campaigns module's server side against a real database: the wizard's
// steps validated by the same zod schemas as the page (a submission lists
// what is missing per step), the workspace list's filters and keyset pages,
// and what changed between two versions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffSnapshots } from '../../src/lib/campaigns/diff.ts';
import { problemsOf, sectionFromForm } from '../../src/lib/campaigns/steps.ts';
import * as campaigns from '../../src/lib/server/campaigns/index.ts';
import { campaignWorld, createCampaign, fillSections, type CampaignWorld } from './world.ts';

let w: CampaignWorld;
beforeAll(async () => {
	w = await campaignWorld();
});
afterAll(() => w.close());

describe('the wizard on the server', () => {
	it('lists what is missing per step before submitting, and writes nothing', async () => {
		const id = await createCampaign(w);
		const error = await w
			.as('member', (trx) => campaigns.submit(trx, w.world.orgA, id))
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(campaigns.CampaignIncompleteError);
		const problems = (error as campaigns.CampaignIncompleteError).problems;
		expect(problems.map((p) => `${p.step}.${p.field}`)).toEqual(
			expect.arrayContaining([
				'objective.objective',
				'objective.kpis',
				'budget.amount',
				'budget.starts_at'
			])
		);
		expect(problems.every((p) => !/expected|received/i.test(p.message))).toBe(true);
		const { rowCount } = await w.admin.query(
			'select 1 from public.campaign_submissions where campaign_id = $1',
			[id]
		);
		expect(rowCount).toBe(0);
	});

	it('reads a step posted without JavaScript, blank rows dropped', () => {
		const form = new FormData();
		form.set('objective', 'Sales');
		form.set('kpis.0.metric', 'sales');
		form.set('kpis.0.target', '500');
		form.set('kpis.1.metric', '');
		form.set('kpis.1.target', '');
		expect(sectionFromForm('objective', form)).toEqual({
			objective: 'Sales',
			kpis: [{ metric: 'sales', target: '500' }]
		});
		expect(
			problemsOf('email', { basics: { name: 'x', description: '', brand_id: w.brandA } })
		).not.toEqual(expect.arrayContaining([expect.objectContaining({ step: 'products' })]));
	});

	it('names what changed between two versions in the wizard’s words', () => {
		const changes = diffSnapshots(
			{ budget: { amount: '100', currency: 'EUR' }, basics: { name: 'A', brand_id: w.brandA } },
			{ budget: { amount: '150', currency: 'EUR' }, basics: { name: 'A', brand_id: w.brandA } },
			{ brands: new Map([[w.brandA, 'Northwind']]) }
		);
		expect(changes).toEqual([
			{ step: 'budget', stepLabel: 'Budget & dates', field: 'Budget', before: '100', after: '150' }
		]);
	});
});

describe('the workspace list', () => {
	it('filters by status, kind and search, and pages by keyset without gaps or repeats', async () => {
		const ids: string[] = [];
		for (let i = 0; i < 7; i++)
			ids.push(await createCampaign(w, 'member', { kind: 'sms', name: `Keyset ${i}` }));
		const submitted = await createCampaign(w, 'member', { kind: 'sms', name: 'Keyset submitted' });
		// A message campaign is submitted with an audience to send to.
		const audience = await w.admin.query<{ id: string }>(
			`insert into public.audiences (org_id, name) values ($1, 'Keyset readers') returning id`,
			[w.world.orgA]
		);
		await fillSections(w, submitted, {
			basics: { name: 'Keyset submitted', description: '', brand_id: w.brandA },
			audience: { audience_ids: [audience.rows[0]!.id] }
		});
		await w.as('member', (trx) => campaigns.submit(trx, w.world.orgA, submitted));
		await w.as('member', (trx) => campaigns.setStatus(trx, w.world.orgA, submitted, 'active'));

		const seen: string[] = [];
		let after: string | undefined;
		for (;;) {
			const page = await w.as('viewer', (trx) =>
				campaigns.list(trx, w.world.orgA, { kind: 'sms', q: 'keyset', sort: 'newest', after }, 3)
			);
			seen.push(...page.rows.map((r) => r.id));
			if (!page.next) break;
			after = page.next;
		}
		expect(seen.length).toBe(8);
		expect(new Set(seen)).toEqual(new Set([...ids, submitted]));

		const running = await w.as('viewer', (trx) =>
			campaigns.list(trx, w.world.orgA, {
				status: 'active',
				kind: 'sms',
				sort: 'name',
				from: '2099-03-15',
				to: '2099-03-20'
			})
		);
		expect(running.rows.map((r) => r.name)).toEqual(['Keyset submitted']);
		const outside = await w.as('viewer', (trx) =>
			campaigns.list(trx, w.world.orgA, { status: 'active', sort: 'starts', from: '2099-06-01' })
		);
		expect(outside.rows).toEqual([]);
		// Another organization's member sees none of them.
		const other = await w.as('outsider', (trx) =>
			campaigns.list(trx, w.world.orgA, { sort: 'newest' })
		);
		expect(other.rows).toEqual([]);
	});

	it('refuses a tampered page link with a clear error', async () => {
		const error = await w
			.as('viewer', (trx) => campaigns.list(trx, w.world.orgA, { sort: 'name', after: 'nonsense' }))
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(campaigns.CampaignCursorError);
	});
});
