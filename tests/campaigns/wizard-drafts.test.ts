// The wizard's drafts in the database: a section save names the revision it
// started from and a stale save is not written (the caller gets the section
// as it is now); two saves racing on one revision: exactly one wins.
// Submissions are numbered, immutable snapshots of every section; editing a
// submitted campaign starts its next version; bad values are refused with the
// column and nothing is half-written.
import { sql } from 'kysely';
import { DatabaseError } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapDbError } from '../../src/lib/server/db/errors.ts';
import {
	campaignWorld,
	createCampaign,
	fillSections,
	revisionOf,
	saveSection,
	submit,
	type CampaignWorld
} from './world.ts';

let w: CampaignWorld;
beforeAll(async () => {
	w = await campaignWorld();
});
afterAll(() => w.close());

async function refusal(promise: Promise<unknown>): Promise<DatabaseError> {
	const error = await promise.then(
		() => null,
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(DatabaseError);
	return error as DatabaseError;
}

describe('sections', () => {
	it('creates the sections of the kind, basics filled from the start', async () => {
		const influencer = await createCampaign(w);
		const email = await createCampaign(w, 'member', { kind: 'email', name: 'Newsletter' });
		const sections = async (id: string) =>
			(
				await w.admin.query<{ section: string; revision: number }>(
					'select section, revision, data from public.campaign_sections where campaign_id = $1 order by section',
					[id]
				)
			).rows;
		expect((await sections(influencer)).map((s) => s.section)).toEqual([
			'audience',
			'basics',
			'budget',
			'creative',
			'objective',
			'products'
		]);
		expect((await sections(email)).map((s) => s.section)).not.toContain('products');
		expect((await sections(email)).find((s) => s.section === 'basics')).toMatchObject({
			revision: 1,
			data: { name: 'Newsletter', description: '', brand_id: w.brandA }
		});
	});

	it('refuses a stale save and returns the section as it is now', async () => {
		const id = await createCampaign(w);
		const first = await saveSection(w, id, 'objective', { objective: 'Reach' }, 1, 'member');
		expect(first).toMatchObject({ saved: true, revision: 2 });
		// The admin started from revision 1 too.
		const stale = await saveSection(w, id, 'objective', { objective: 'Sales' }, 1, 'admin');
		expect(stale).toMatchObject({
			saved: false,
			revision: 2,
			data: { objective: 'Reach' },
			updated_by: w.world.users.member.id
		});
		// Keeping theirs: a save from the revision they were shown.
		const kept = await saveSection(w, id, 'objective', { objective: 'Sales' }, 2, 'admin');
		expect(kept).toMatchObject({ saved: true, revision: 3, data: { objective: 'Sales' } });
	});

	it('lets exactly one of two concurrent saves from the same revision through', async () => {
		const id = await createCampaign(w);
		const results = await Promise.all([
			saveSection(w, id, 'budget', { amount: '100' }, 1, 'member'),
			saveSection(w, id, 'budget', { amount: '200' }, 1, 'admin')
		]);
		expect(results.map((r) => r.saved).sort()).toEqual([false, true]);
		const winner = results.find((r) => r.saved)!;
		const loser = results.find((r) => !r.saved)!;
		expect(loser.data).toEqual(winner.data);
		expect(await revisionOf(w, id, 'budget')).toBe(2);
	});

	it('does not bump the revision for a save that changes nothing', async () => {
		const id = await createCampaign(w);
		await saveSection(w, id, 'objective', { objective: 'Reach' }, 1);
		const again = await saveSection(w, id, 'objective', { objective: 'Reach' }, 2);
		expect(again).toMatchObject({ saved: true, revision: 2 });
	});

	it('shows the name being typed in the list until the first submission', async () => {
		const id = await createCampaign(w);
		await saveSection(w, id, 'basics', { name: 'Summer drop', brand_id: w.brandA }, 1);
		const { rows } = await w.admin.query('select name from public.campaigns where id = $1', [id]);
		expect(rows[0]).toEqual({ name: 'Summer drop' });
	});

	it('refuses saves by viewers and outsiders, unknown steps and oversized drafts', async () => {
		const id = await createCampaign(w);
		for (const persona of ['viewer', 'outsider'] as const) {
			const error = await refusal(saveSection(w, id, 'objective', { objective: 'x' }, 1, persona));
			expect(error.code).toBe('P0002');
		}
		expect((await refusal(saveSection(w, id, 'nope', {}, 1))).code).toBe('22023');
		const email = await createCampaign(w, 'member', { kind: 'email' });
		expect((await refusal(saveSection(w, email, 'products', {}, 1))).hint).toBe('section_unknown');
		const deep = JSON.parse('{"a":'.repeat(20) + '1' + '}'.repeat(20)) as Record<string, unknown>;
		expect((await refusal(saveSection(w, id, 'audience', deep, 1))).hint).toBe(
			'json_out_of_bounds'
		);
		expect(
			(await refusal(saveSection(w, id, 'audience', { notes: 'x'.repeat(300_000) }, 1))).hint
		).toBe('json_out_of_bounds');
	});

	it('gives clients no direct write to drafts', async () => {
		const id = await createCampaign(w);
		const error = await refusal(
			w.as('member', (trx) =>
				sql`update public.campaign_sections set data = '{}', revision = 99 where campaign_id = ${id}`.execute(
					trx
				)
			)
		);
		expect(error.code).toBe('42501');
	});
});

describe('submissions and versions', () => {
	const submissions = async (id: string) =>
		(
			await w.admin.query<{ version: number; snapshot: Record<string, unknown> }>(
				'select version, snapshot from public.campaign_submissions where campaign_id = $1 order by version',
				[id]
			)
		).rows;
	const campaign = async (id: string) =>
		(
			await w.admin.query<Record<string, unknown>>(
				`select name, status, version, submitted_version, budget_amount::text, currency, time_zone,
				        starts_at, ends_at, objective from public.campaigns where id = $1`,
				[id]
			)
		).rows[0]!;

	it('snapshots every section, applies it to the campaign, its budget lines and KPIs', async () => {
		const id = await createCampaign(w);
		await fillSections(w, id);
		expect(await submit(w, id)).toBe(1);
		const [first] = await submissions(id);
		expect(first!.version).toBe(1);
		expect(Object.keys(first!.snapshot).sort()).toEqual([
			'audience',
			'basics',
			'budget',
			'creative',
			'objective',
			'products'
		]);
		expect(first!.snapshot.budget).toMatchObject({ amount: '15000', currency: 'EUR' });
		expect(await campaign(id)).toMatchObject({
			name: 'Spring launch',
			version: 1,
			submitted_version: 1,
			budget_amount: '15000.00',
			currency: 'EUR',
			time_zone: 'Europe/Berlin',
			// 09:00 in Berlin on 1 March (CET, UTC+1).
			starts_at: new Date('2099-03-01T08:00:00Z'),
			objective: 'Awareness for the spring collection'
		});
		const { rows: lines } = await w.admin.query(
			'select label, amount::text from public.campaign_budget_lines where campaign_id = $1 order by position',
			[id]
		);
		expect(lines).toEqual([
			{ label: 'Creator fees', amount: '10000.00' },
			{ label: 'Product seeding', amount: '2500.00' }
		]);
		const { rows: kpis } = await w.admin.query(
			'select metric, target::text from public.campaign_kpis where campaign_id = $1 order by metric',
			[id]
		);
		expect(kpis).toEqual([
			{ metric: 'engagements', target: '12000.00' },
			{ metric: 'reach', target: '250000.00' }
		]);
	});

	it('starts a new version when a submitted campaign is edited, numbered on submission', async () => {
		const id = await createCampaign(w);
		await fillSections(w, id);
		await submit(w, id);
		const again = await refusal(submit(w, id));
		expect(again.hint).toBe('nothing_to_submit');

		const saved = await saveSection(
			w,
			id,
			'objective',
			{ objective: 'Sales', kpis: [{ metric: 'sales', target: 500 }] },
			await revisionOf(w, id, 'objective')
		);
		expect(saved.version).toBe(2);
		// A second edit stays in version 2.
		const more = await saveSection(
			w,
			id,
			'basics',
			{ name: 'Spring launch v2', brand_id: w.brandA },
			await revisionOf(w, id, 'basics')
		);
		expect(more.version).toBe(2);
		expect(await campaign(id)).toMatchObject({
			version: 2,
			submitted_version: 1,
			name: 'Spring launch'
		});
		expect(await submit(w, id)).toBe(2);
		const all = await submissions(id);
		expect(all.map((s) => s.version)).toEqual([1, 2]);
		expect(all[0]!.snapshot.objective).toMatchObject({
			objective: 'Awareness for the spring collection'
		});
		expect(all[1]!.snapshot.objective).toMatchObject({ objective: 'Sales' });
		expect(await campaign(id)).toMatchObject({ name: 'Spring launch v2', objective: 'Sales' });
	});

	it('keeps submissions immutable for everyone, the superuser included', async () => {
		const id = await createCampaign(w);
		await fillSections(w, id);
		await submit(w, id);
		const error = await refusal(
			w.admin.query(
				`update public.campaign_submissions set snapshot = '{}' where campaign_id = $1`,
				[id]
			)
		);
		expect(error.hint).toBe('submission_immutable');
		const deletion = await refusal(
			w.admin.query('delete from public.campaign_submissions where campaign_id = $1', [id])
		);
		expect(deletion.hint).toBe('submission_immutable');
	});

	const badBudgets: Array<[string, object, string]> = [
		[
			'an end before the start',
			{ starts_at: '2099-04-01T09:00', ends_at: '2099-03-01T09:00' },
			'ends_at'
		],
		['a negative budget', { amount: '-5' }, 'budget_amount'],
		['an absurd budget', { amount: '99999999999999' }, 'budget_amount'],
		['a budget that is not a number', { amount: 'lots' }, 'budget_amount'],
		['an unknown currency', { currency: 'XXQ' }, 'currency'],
		['cents in yen', { currency: 'JPY', amount: '1000.50', lines: [] }, 'budget_amount'],
		['an unknown time zone', { time_zone: 'Mars/Olympus' }, 'time_zone'],
		['a date that is not one', { starts_at: '2099-02-31T09:00' }, 'starts_at'],
		[
			'lines over the budget',
			{ amount: '1000', lines: [{ label: 'Fees', amount: '1500' }] },
			'budget_lines'
		]
	];
	for (const [what, change, field] of badBudgets) {
		it(`refuses ${what} with the field, writing nothing`, async () => {
			const id = await createCampaign(w);
			await fillSections(w, id, {
				budget: {
					amount: '15000',
					currency: 'EUR',
					time_zone: 'Europe/Berlin',
					starts_at: '2099-03-01T09:00',
					ends_at: '2099-04-30T18:00',
					lines: [{ label: 'Creator fees', amount: '100' }],
					...change
				}
			});
			const error = await refusal(submit(w, id));
			expect(mapDbError(error)).toMatchObject({ status: 422, field });
			expect(await submissions(id)).toEqual([]);
			expect(await campaign(id)).toMatchObject({ submitted_version: null, budget_amount: null });
		});
	}

	it('refuses a brand of another organization', async () => {
		const id = await createCampaign(w);
		await fillSections(w, id, { basics: { name: 'Stolen brand', brand_id: w.brandB } });
		const error = await refusal(submit(w, id));
		expect(mapDbError(error)).toMatchObject({ status: 422, field: 'brand_id' });
		const direct = await refusal(
			w.as('member', (trx) =>
				trx.updateTable('campaigns').set({ brand_id: w.brandB }).where('id', '=', id).execute()
			)
		);
		expect(direct.code).toBe('23503');
	});

	it('refuses submissions by a viewer', async () => {
		const id = await createCampaign(w);
		await fillSections(w, id);
		expect((await refusal(submit(w, id, 'viewer'))).code).toBe('P0002');
	});
});
