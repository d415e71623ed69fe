// A financial document's links: the influencer collaboration it pays for
// (one of its own campaign's, in its own organization: refused otherwise for
// every writer) with the list filtered by influencer, and an invoice's
// purchase order, which the budget guard counts once (the larger of the
// order and its invoices), under concurrent approvals too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/lib/server/db/client.ts';
import { mapDbError } from '../../src/lib/server/db/errors.ts';
import { withRls } from '../../src/lib/server/db/rls.ts';
import * as finance from '../../src/lib/server/finance/index.ts';
import { financeWorld, refusal, type FinanceWorld } from './world.ts';

let w: FinanceWorld;
beforeAll(async () => {
	w = await financeWorld();
});
afterAll(() => w.close());

function mapped(error: Error) {
	const m = mapDbError(error);
	if (!m) throw error;
	return m;
}

async function one<T>(sql: string, values: unknown[]): Promise<T> {
	return (await w.admin.query(sql, values)).rows[0] as T;
}

async function influencer(orgId: string, name: string): Promise<string> {
	return (
		await one<{ id: string }>(
			'insert into public.influencers (org_id, name) values ($1, $2) returning id',
			[orgId, name]
		)
	).id;
}

async function collaboration(orgId: string, campaignId: string, influencerId: string) {
	return (
		await one<{ id: string }>(
			`insert into public.collaborations (org_id, campaign_id, influencer_id, rate_amount, rate_currency)
			 values ($1, $2, $3, 500, 'EUR') returning id`,
			[orgId, campaignId, influencerId]
		)
	).id;
}

async function documentCount(): Promise<number> {
	return (
		await one<{ n: number }>(
			'select count(*)::int as n from public.finance_documents where org_id = $1',
			[w.world.orgA]
		)
	).n;
}

describe('collaboration', () => {
	it('records a PO for one of the campaign collaborations and filters the list by influencer', async () => {
		const campaign = await w.campaign(5000);
		const ana = await influencer(w.world.orgA, 'Ana Creator');
		const ben = await influencer(w.world.orgA, 'Ben Streams');
		const forAna = await collaboration(w.world.orgA, campaign, ana);
		const forBen = await collaboration(w.world.orgA, campaign, ben);
		const po = await w.document(campaign, { collaborationId: forAna });
		const other = await w.document(campaign, { collaborationId: forBen });
		const loose = await w.document(campaign);

		const row = await w.as('viewer', (trx) => finance.get(trx, w.world.orgA, po.id));
		expect(row).toMatchObject({
			collaborationId: forAna,
			influencerId: ana,
			influencerName: 'Ana Creator'
		});
		const listed = await w.as('viewer', (trx) =>
			finance.list(trx, w.world.orgA, { influencer: ana, overdue: false })
		);
		expect(listed.rows.map((d) => d.id)).toEqual([po.id]);
		const all = await w.as('viewer', (trx) =>
			finance.list(trx, w.world.orgA, { campaign, overdue: false })
		);
		expect(all.rows.map((d) => d.id).sort()).toEqual([po.id, other.id, loose.id].sort());
		const options = await w.as('member', (trx) => finance.influencerOptions(trx, w.world.orgA));
		expect(options.map((o) => o.name)).toEqual(
			expect.arrayContaining(['Ana Creator', 'Ben Streams'])
		);
	});

	it("refuses another campaign's or another organization's collaboration, on the field, writing nothing", async () => {
		const campaign = await w.campaign(5000);
		const elsewhere = await w.campaign(5000);
		const ana = await influencer(w.world.orgA, 'Ana Elsewhere');
		const otherCampaigns = await collaboration(w.world.orgA, elsewhere, ana);
		const campaignB = (
			await one<{ id: string }>(
				`insert into public.campaigns (org_id, kind, brand_id, name, budget_amount, currency)
				 values ($1, 'influencer', $2, 'B campaign', 1000, 'EUR') returning id`,
				[w.world.orgB, w.brandB]
			)
		).id;
		const orgBs = await collaboration(w.world.orgB, campaignB, await influencer(w.world.orgB, 'B'));
		const before = await documentCount();

		for (const collaborationId of [otherCampaigns, orgBs]) {
			const m = mapped(await refusal(w.document(campaign, { collaborationId })));
			expect(m.status).toBe(422);
			expect(m).toMatchObject({ field: 'collaboration_id', code: 'collaboration_unknown' });
		}
		// Org B's owner cannot use org B's collaboration on org A's campaign either.
		const outsider = mapped(
			await refusal(w.document(campaign, { collaborationId: orgBs }, 'outsider'))
		);
		expect(outsider.status).toBeGreaterThanOrEqual(400);
		expect(outsider.status).toBeLessThan(500);
		// The database refuses it for every writer, the superuser included (the foreign key).
		await expect(
			w.admin.query(
				`insert into public.finance_documents (org_id, campaign_id, type, amount, currency, collaboration_id)
				 values ($1, $2, 'po', 10, 'EUR', $3)`,
				[w.world.orgA, campaign, orgBs]
			)
		).rejects.toThrow();
		expect(await documentCount()).toBe(before);
		// A filter naming org B's influencer shows nothing.
		const listed = await w.as('member', (trx) =>
			finance.list(trx, w.world.orgA, { influencer: orgBs, overdue: false })
		);
		expect(listed.rows).toEqual([]);
	});

	it('keeps a collaboration with documents: they are the books', async () => {
		const campaign = await w.campaign(5000);
		const k = await collaboration(w.world.orgA, campaign, await influencer(w.world.orgA, 'Kept'));
		await w.document(campaign, { collaborationId: k });
		await expect(
			w.admin.query('delete from public.collaborations where id = $1', [k])
		).rejects.toMatchObject({ code: '23503' });
	});
});

describe('invoice against its purchase order', () => {
	const approve = (id: string) => w.decide('admin', id);

	it('counts an invoice within its approved PO once, and what goes beyond it', async () => {
		const campaign = await w.campaign(1000);
		const po = await w.document(campaign, { type: 'po', amount: '600' });
		await approve(po.id);
		// 600 committed; an invoice of 500 against it stays within it.
		const first = await w.document(campaign, { type: 'invoice', amount: '500', poId: po.id });
		expect(await approve(first.id)).toBe('approved');
		// 800 invoiced against a 600 order: the larger, 800, counts.
		const second = await w.document(campaign, { type: 'invoice', amount: '300', poId: po.id });
		expect(await approve(second.id)).toBe('approved');
		// 800 + a loose invoice of 300 would be 1,100: over the budget.
		const loose = await w.document(campaign, { type: 'invoice', amount: '300' });
		const m = mapped(await refusal(approve(loose.id)));
		expect(m).toMatchObject({ status: 422, field: 'status', code: 'over_budget' });
		expect((await refusal(approve(loose.id))).message).toMatch(/over its budget/);
		// 200 more fits exactly.
		const fits = await w.document(campaign, { type: 'invoice', amount: '200' });
		expect(await approve(fits.id)).toBe('approved');
		const spend = await w.as('member', (trx) => finance.campaignSpend(trx, w.world.orgA, campaign));
		expect(spend).toMatchObject({ committed: 600, invoiced: 1000, counted: 1000 });
		const row = await w.as('member', (trx) => finance.get(trx, w.world.orgA, first.id));
		expect(row).toMatchObject({ poId: po.id, poNumber: po.number });
	});

	it('counts invoices against a PO still waiting in full, and the PO once approved as the larger', async () => {
		const campaign = await w.campaign(1000);
		const po = await w.document(campaign, { type: 'po', amount: '700' });
		const invoice = await w.document(campaign, { type: 'invoice', amount: '400', poId: po.id });
		await approve(invoice.id);
		// Approving the order: max(700, 400) = 700, not 1,100.
		expect(await approve(po.id)).toBe('approved');
	});

	it('refuses a PO link on a non-invoice, to another campaign, or to a rejected PO', async () => {
		const campaign = await w.campaign(1000);
		const elsewhere = await w.campaign(1000);
		const po = await w.document(campaign, { type: 'po', amount: '100' });
		const otherPo = await w.document(elsewhere, { type: 'po', amount: '100' });
		const rejected = await w.document(campaign, { type: 'po', amount: '100' });
		await w.decide('admin', rejected.id, 'rejected', 'Not this one');
		const before = await documentCount();
		const cases: [Partial<finance.DocumentInput>, string][] = [
			[{ type: 'po', poId: po.id }, 'po_link_invoice_only'],
			[{ type: 'invoice', poId: otherPo.id }, 'po_unknown'],
			[{ type: 'invoice', poId: rejected.id }, 'po_unknown']
		];
		for (const [values, code] of cases) {
			const m = mapped(await refusal(w.document(campaign, values)));
			expect(m).toMatchObject({ status: 422, field: 'po_id', code });
		}
		expect(await documentCount()).toBe(before);
		expect(
			finance.documentSchema.safeParse({
				campaignId: campaign,
				type: 'form',
				amount: '10',
				currency: 'EUR',
				issueDate: '2026-12-01',
				poId: po.id
			}).error?.issues[0]?.path
		).toEqual(['poId']);
	});

	it('never passes the budget under concurrent approvals of a PO, its invoices and loose invoices', async () => {
		const campaign = await w.campaign(1000);
		const po = await w.document(campaign, { type: 'po', amount: '600' });
		const docs = [po];
		for (let i = 0; i < 5; i++)
			docs.push(await w.document(campaign, { type: 'invoice', amount: '200', poId: po.id }));
		for (let i = 0; i < 3; i++)
			docs.push(await w.document(campaign, { type: 'invoice', amount: '200' }));
		const pool = createDatabase(w.testDb.url, docs.length + 2);
		let approved = 0;
		try {
			const claims = w.world.claims('admin');
			const results = await Promise.allSettled(
				docs.map((d) => withRls(pool, claims, (trx) => finance.decide(trx, d.id, 'approved', '')))
			);
			for (const r of results) {
				if (r.status === 'fulfilled') approved += 1;
				else
					expect(mapped(r.reason as Error)).toMatchObject({
						status: 422,
						field: 'status',
						code: 'over_budget'
					});
			}
		} finally {
			await pool.destroy();
		}
		// Counted once per PO: the larger of the order and its invoices, plus loose invoices.
		const { spend, naive } = await one<{ spend: string; naive: string }>(
			`select private.finance_campaign_spend($1)::text as spend,
			        (select coalesce(sum(amount_base), 0) from public.finance_documents
			          where campaign_id = $1 and status in ('approved', 'paid'))::text as naive`,
			[campaign]
		);
		expect(Number(spend)).toBeLessThanOrEqual(1000);
		expect(approved).toBeGreaterThanOrEqual(5);
		// Something was approved that a guard counting both would have refused, or it all fitted.
		expect(Number(naive)).toBeGreaterThanOrEqual(Number(spend));
		// Whatever was refused would have gone over: the guard took turns, not a stale sum.
		const { left } = await one<{ left: number }>(
			`select count(*)::int as left from public.finance_documents d
			  where d.campaign_id = $1 and d.status = 'pending'
			    and private.finance_campaign_spend($1, d.id) <= 1000`,
			[campaign]
		);
		expect(left).toBe(0);
	});
});

describe('an organization deleted', () => {
	// Last in the file: it deletes organization A.
	it('takes its documents, their collaborations and PO links with it', async () => {
		const campaign = await w.campaign(5000);
		const k = await collaboration(w.world.orgA, campaign, await influencer(w.world.orgA, 'Gone'));
		const po = await w.document(campaign, { collaborationId: k });
		await w.document(campaign, { type: 'invoice', poId: po.id, collaborationId: k });
		// The influencer is kept while documents name its collaboration: a 4xx, not a 500.
		const kept = await w.admin
			.query('delete from public.influencers where org_id = $1', [w.world.orgA])
			.then(
				() => null,
				(e: Error) => e
			);
		expect(mapped(kept!).status).toBe(409);
		await w.admin.query('delete from public.organizations where id = $1', [w.world.orgA]);
		expect(await documentCount()).toBe(0);
	});
});
