// Finance documents in the database, for every writer: gap-free numbering
// under concurrent creation, conversion at a stored rate, the status machine,
// the approval rules (no self-approval, nobody twice, two approvers, an admin
// above an amount), the budget guard under concurrent approvals, the overdue
// event once per document, and bad input refused with its field and nothing
// half-written.
import { DatabaseError } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/lib/server/db/client.ts';
import { mapDbError } from '../../src/lib/server/db/errors.ts';
import { withRls } from '../../src/lib/server/db/rls.ts';
import * as finance from '../../src/lib/server/finance/index.ts';
import { flagOverdueDocuments } from '../../src/worker/finance-overdue.ts';
import { financeWorld, refusal, type FinanceWorld } from './world.ts';

let w: FinanceWorld;
beforeAll(async () => {
	w = await financeWorld();
});
afterAll(() => w.close());

async function count(table: string): Promise<number> {
	const { rows } = await w.admin.query<{ n: number }>(
		`select count(*)::int as n from public.${table} where org_id = $1`,
		[w.world.orgA]
	);
	return rows[0]!.n;
}

/** The second member ("target"), who is no persona of the matrix. */
const targetDecides = (id: string) =>
	withRls(w.world.db, w.world.users.target.claims, (trx) =>
		finance.decide(trx, id, 'approved', '')
	);

function mapped(error: Error) {
	const m = mapDbError(error);
	if (!m) throw error;
	return m;
}

describe('numbering', () => {
	it('gives 20 concurrent creations the numbers 1–20 of their type, with no gap left by one that rolled back', async () => {
		const campaign = await w.campaign(1_000_000);
		const pool = createDatabase(w.testDb.url, 22);
		try {
			const claims = w.world.claims('member');
			const year = new Date().getUTCFullYear();
			const created = Promise.all(
				Array.from({ length: 20 }, () =>
					withRls(pool, claims, (trx) =>
						finance.create(trx, w.world.orgA, {
							campaignId: campaign,
							type: 'invoice',
							amount: '10',
							currency: 'EUR',
							issueDate: '2026-12-01',
							dueDate: '',
							description: '',
							fileId: ''
						})
					)
				)
			);
			// One more creation takes a number, then its transaction fails: the number comes back.
			const rolledBack = withRls(pool, claims, async (trx) => {
				await finance.create(trx, w.world.orgA, {
					campaignId: campaign,
					type: 'invoice',
					amount: '10',
					currency: 'EUR',
					issueDate: '2026-12-01',
					dueDate: '',
					description: '',
					fileId: ''
				});
				throw new Error('changed my mind');
			}).catch((e: unknown) => e);
			const numbers = (await created).map((d) => d.number);
			expect(await rolledBack).toBeInstanceOf(Error);
			const expected = Array.from(
				{ length: 20 },
				(_, i) => `INV-${year}-${String(i + 1).padStart(4, '0')}`
			);
			expect(numbers.sort()).toEqual(expected);
			const { rows } = await w.admin.query<{ sequence: number }>(
				`select sequence from public.finance_documents where org_id = $1 and type = 'invoice' order by sequence`,
				[w.world.orgA]
			);
			expect(rows.map((r) => r.sequence)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
			// Purchase orders count on their own.
			const po = await w.document(campaign, { type: 'po' });
			expect(po.number).toMatch(new RegExp(`^PO-${year}-\\d{4}$`));
		} finally {
			await pool.destroy();
		}
	});
});

describe('currency conversion', () => {
	it('stores the newest rate on or before the issue date, the rate date and the converted amount', async () => {
		const campaign = await w.campaign(5000);
		const doc = await w.document(campaign, {
			amount: '100',
			currency: 'USD',
			issueDate: '2026-12-03'
		});
		const row = (await w.as('member', (trx) => finance.get(trx, w.world.orgA, doc.id)))!;
		expect(row).toMatchObject({
			baseCurrency: 'EUR',
			exchangeRate: '0.9000000000',
			rateDate: '2026-11-30',
			amountBase: '90.0000'
		});
		// An older issue date uses the rate of its day.
		const older = await w.document(campaign, {
			amount: '100',
			currency: 'USD',
			issueDate: '2026-11-15'
		});
		const olderRow = (await w.as('member', (trx) => finance.get(trx, w.world.orgA, older.id)))!;
		expect(olderRow).toMatchObject({ rateDate: '2026-11-01', amountBase: '95.0000' });
		// Only EUR → GBP is known: a GBP amount converts with its inverse.
		const gbp = await w.document(campaign, { amount: '80', currency: 'GBP' });
		const gbpRow = (await w.as('member', (trx) => finance.get(trx, w.world.orgA, gbp.id)))!;
		expect(gbpRow.amountBase).toBe('100.0000');
	});

	it('refuses a currency with no rate, clearly and on the currency field', async () => {
		const campaign = await w.campaign(5000);
		const before = await count('finance_documents');
		const error = await refusal(w.document(campaign, { currency: 'JPY', amount: '1000' }));
		expect(mapped(error)).toMatchObject({
			status: 422,
			field: 'currency',
			code: 'exchange_rate_missing'
		});
		expect(error.message).toMatch(/no exchange rate from JPY to EUR/);
		expect(await count('finance_documents')).toBe(before);
	});
});

describe('approvals', () => {
	it('refuses the requester approving their own document', async () => {
		const campaign = await w.campaign();
		const doc = await w.document(campaign, {}, 'admin');
		const error = await refusal(w.decide('admin', doc.id));
		expect(mapped(error)).toMatchObject({ status: 403, code: 'self_approval' });
		expect(await w.statusOf(doc.id)).toBe('pending');
		expect(await count('finance_approvals')).toBe(0);
	});

	it('refuses a member without finance.approve, and a viewer creating a document', async () => {
		const campaign = await w.campaign();
		const doc = await w.document(campaign);
		expect(mapped(await refusal(targetDecides(doc.id)))).toMatchObject({ status: 403 });
		expect(mapped(await refusal(w.document(campaign, {}, 'viewer')))).toMatchObject({
			status: 403
		});
	});

	it('needs two different approvers when the rule says so, and refuses approving twice', async () => {
		await w.admin.query(
			'update public.organizations set finance_approvals_required = 2 where id = $1',
			[w.world.orgA]
		);
		try {
			const campaign = await w.campaign();
			const doc = await w.document(campaign);
			expect(await w.decide('admin', doc.id, 'approved', 'Fine by me')).toBe('pending');
			const twice = await refusal(w.decide('admin', doc.id));
			expect(mapped(twice)).toMatchObject({
				status: 409,
				field: 'decision',
				code: 'already_decided'
			});
			expect(await w.decide('owner', doc.id)).toBe('approved');
			const history = await w.as('viewer', (trx) => finance.decisions(trx, w.world.orgA, doc.id));
			expect(history.map((d) => [d.decision, d.decidedBy, d.comment])).toEqual([
				['approved', w.world.users.admin.id, 'Fine by me'],
				['approved', w.world.users.owner.id, '']
			]);
		} finally {
			await w.admin.query(
				'update public.organizations set finance_approvals_required = 1 where id = $1',
				[w.world.orgA]
			);
		}
	});

	it('needs an admin above the amount the rule names', async () => {
		// A custom role that may approve, held by the second member ("target").
		const { rows } = await w.admin.query<{ id: string }>(
			`insert into public.roles (org_id, name) values ($1, 'Approver') returning id`,
			[w.world.orgA]
		);
		await w.admin.query(
			`insert into public.role_permissions (org_id, role_id, permission) values ($1, $2, 'finance.approve')`,
			[w.world.orgA, rows[0]!.id]
		);
		await w.admin.query(
			'update public.members set custom_role_id = $1 where org_id = $2 and user_id = $3',
			[rows[0]!.id, w.world.orgA, w.world.users.target.id]
		);
		await w.admin.query('update public.organizations set finance_admin_above = 500 where id = $1', [
			w.world.orgA
		]);
		try {
			const campaign = await w.campaign(5000);
			const small = await w.document(campaign, { amount: '400' });
			expect(await targetDecides(small.id)).toBe('approved');
			const large = await w.document(campaign, { amount: '600' });
			expect(await targetDecides(large.id)).toBe('pending');
			expect(await w.decide('admin', large.id)).toBe('approved');
		} finally {
			await w.admin.query(
				'update public.organizations set finance_admin_above = null where id = $1',
				[w.world.orgA]
			);
		}
	});

	it('never lets approved and paid amounts pass the campaign budget, under concurrent approvals', async () => {
		const campaign = await w.campaign(1000);
		const docs = [];
		for (let i = 0; i < 6; i++) docs.push(await w.document(campaign, { amount: '300' }));
		const pool = createDatabase(w.testDb.url, 8);
		try {
			const claims = w.world.claims('admin');
			const results = await Promise.allSettled(
				docs.map((d) => withRls(pool, claims, (trx) => finance.decide(trx, d.id, 'approved', '')))
			);
			const approved = results.filter((r) => r.status === 'fulfilled');
			const refused = results.filter((r) => r.status === 'rejected');
			expect(approved).toHaveLength(3);
			expect(refused).toHaveLength(3);
			for (const r of refused) {
				expect(mapped(r.reason as Error)).toMatchObject({
					status: 422,
					field: 'status',
					code: 'over_budget'
				});
			}
		} finally {
			await pool.destroy();
		}
		const { rows } = await w.admin.query<{ total: string; decisions: number }>(
			`select (select sum(amount_base) from public.finance_documents
			          where campaign_id = $1 and status in ('approved', 'paid'))::text as total,
			        (select count(*)::int from public.finance_approvals a
			          join public.finance_documents d on d.id = a.document_id where d.campaign_id = $1) as decisions`,
			[campaign]
		);
		// The refused approvals left no decision behind.
		expect(rows[0]).toEqual({ total: '900.0000', decisions: 3 });
	});

	it('refuses approving with no campaign budget', async () => {
		const campaign = await w.campaign(null, 'EUR');
		const doc = await w.document(campaign);
		expect(mapped(await refusal(w.decide('admin', doc.id)))).toMatchObject({ code: 'over_budget' });
	});
});

describe('status machine', () => {
	it('goes pending → approved → paid, records events, and refuses paying a rejected document', async () => {
		const campaign = await w.campaign();
		const doc = await w.document(campaign);
		// Not approved yet: cannot be paid.
		expect(
			mapped(await refusal(w.as('admin', (trx) => finance.markPaid(trx, doc.id, null))))
		).toMatchObject({
			status: 422,
			field: 'status',
			code: 'finance_transition_refused'
		});
		await w.decide('admin', doc.id);
		await w.as('owner', (trx) => finance.markPaid(trx, doc.id, '2026-12-04'));
		expect(await w.statusOf(doc.id)).toBe('paid');

		const rejected = await w.document(campaign);
		const noReason = await refusal(w.decide('admin', rejected.id, 'rejected', ''));
		expect(mapped(noReason)).toMatchObject({ status: 422, field: 'comment' });
		expect(await w.decide('admin', rejected.id, 'rejected', 'Wrong supplier')).toBe('rejected');
		const paying = await refusal(w.as('admin', (trx) => finance.markPaid(trx, rejected.id, null)));
		expect(mapped(paying)).toMatchObject({ status: 422, field: 'status' });
		expect(paying.message).toBe('A rejected document cannot be marked paid.');
		expect(await w.statusOf(rejected.id)).toBe('rejected');

		const { rows } = await w.admin.query<{ type: string; payload: Record<string, unknown> }>(
			`select type, payload from public.events where subject_id = $1 order by id`,
			[doc.id]
		);
		expect(rows.map((r) => r.type)).toEqual([
			'finance_document.created',
			'finance_document.status_changed',
			'finance_document.approved',
			'finance_document.status_changed'
		]);
		expect(rows[3]!.payload).toMatchObject({ campaign_id: campaign, from: 'approved', to: 'paid' });
	});

	it('refuses the same transitions to the superuser, and keeps documents from being deleted or changed', async () => {
		const campaign = await w.campaign();
		const doc = await w.document(campaign);
		for (const sqlText of [
			`update public.finance_documents set status = 'paid' where id = $1`,
			`update public.finance_documents set status = 'approved' where id = $1`,
			`update public.finance_documents set amount = 1 where id = $1`,
			`delete from public.finance_documents where id = $1`
		]) {
			const error = await refusal(w.admin.query(sqlText, [doc.id]));
			expect(error).toBeInstanceOf(DatabaseError);
			expect((error as DatabaseError).code).toBe('23514');
		}
		expect(await w.statusOf(doc.id)).toBe('pending');
	});
});

describe('bad input', () => {
	const cases: [string, Partial<finance.DocumentInput>, string][] = [
		['a negative amount', { amount: '-5' }, 'amount'],
		['a zero amount', { amount: '0' }, 'amount'],
		['an absurd amount', { amount: '5000000000' }, 'amount'],
		['too many decimals for the currency', { amount: '10.123' }, 'amount'],
		['an unknown currency', { currency: 'XXX' as 'EUR' }, 'currency'],
		[
			'a due date before the issue date',
			{ issueDate: '2026-12-05', dueDate: '2026-12-01' },
			'due_date'
		]
	];
	for (const [what, values, field] of cases) {
		it(`refuses ${what} with a 4xx on ${field}, writing nothing`, async () => {
			const campaign = await w.campaign();
			const before = await count('finance_documents');
			const error = await refusal(w.document(campaign, values));
			const m = mapped(error);
			expect(m.status).toBeGreaterThanOrEqual(400);
			expect(m.status).toBeLessThan(500);
			expect(m.field).toBe(field);
			expect(await count('finance_documents')).toBe(before);
		});
	}

	it('the form schema refuses the same input with the form field', () => {
		const base = {
			campaignId: '00000000-0000-4000-8000-000000000000',
			type: 'po',
			amount: '10',
			currency: 'EUR',
			issueDate: '2026-12-05'
		};
		const fieldOf = (input: Record<string, unknown>) =>
			finance.documentSchema.safeParse(input).error?.issues[0]?.path.join('.');
		expect(fieldOf({ ...base, amount: '-1' })).toBe('amount');
		expect(fieldOf({ ...base, amount: '99999999999' })).toBe('amount');
		expect(fieldOf({ ...base, currency: 'XXX' })).toBe('currency');
		expect(fieldOf({ ...base, dueDate: '2026-12-01' })).toBe('dueDate');
		expect(finance.documentSchema.safeParse(base).success).toBe(true);
	});
});

describe('overdue', () => {
	it('records finance_document.overdue once per unpaid document past its due date', async () => {
		const campaign = await w.campaign();
		const late = await w.document(campaign, { issueDate: '2026-01-01', dueDate: '2026-01-31' });
		const notYet = await w.document(campaign, { issueDate: '2026-01-01', dueDate: '2099-01-31' });
		expect(await flagOverdueDocuments(w.world.db, new Date())).toBeGreaterThanOrEqual(1);
		expect(await flagOverdueDocuments(w.world.db, new Date())).toBe(0);
		const { rows } = await w.admin.query<{ subject_id: string }>(
			`select subject_id from public.events where type = 'finance_document.overdue' and subject_id = any($1)`,
			[[late.id, notYet.id]]
		);
		expect(rows.map((r) => r.subject_id)).toEqual([late.id]);
		const list = await w.as('viewer', (trx) =>
			finance.list(trx, w.world.orgA, { overdue: true, campaign })
		);
		expect(list.rows.map((d) => d.id)).toEqual([late.id]);
	});
});

describe('CSV export', () => {
	it('streams the filtered documents with formulas defused', async () => {
		const campaign = await w.campaign();
		const doc = await w.document(campaign, {
			type: 'form',
			description: '=HYPERLINK("http://evil.example","click")',
			amount: '42.5'
		});
		const csv = await w.as('viewer', async (trx) => {
			let out = '';
			for await (const chunk of finance.exportCsv(trx, w.world.orgA, {
				campaign,
				overdue: false
			}))
				out += chunk;
			return out;
		});
		const lines = csv.trim().split('\n');
		expect(lines[0]).toMatch(/^Number,Type,Status,Campaign,Amount,Currency/);
		expect(lines).toHaveLength(2);
		expect(lines[1]).toContain(doc.number);
		expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
		expect(lines[1]).toContain(',42.5000,EUR,');
	});
});
