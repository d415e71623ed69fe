// The organization's finance settings: base currency (fixed once documents
// exist), approval rule and the organization's own exchange rates. Only
// holders of org.settings change them; an organization's rates convert only
// its own documents, preferred to the shared rate of the same day.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapDbError } from '../../src/lib/server/db/errors.ts';
import * as finance from '../../src/lib/server/finance/index.ts';
import { financeWorld, refusal, type FinanceWorld } from './world.ts';

let w: FinanceWorld;
beforeAll(async () => {
	w = await financeWorld();
});
afterAll(() => w.close());

const orgA = () => w.world.orgA;

describe('approval rule and base currency', () => {
	it('lets an admin set the rule and the base currency, a member not', async () => {
		await w.as('admin', (trx) =>
			finance.saveSettings(trx, orgA(), {
				baseCurrency: 'USD',
				approvalsRequired: 2,
				adminAbove: '5000'
			})
		);
		expect(await w.as('viewer', (trx) => finance.settings(trx, orgA()))).toEqual({
			baseCurrency: 'USD',
			approvalsRequired: 2,
			adminAbove: '5000.00',
			hasDocuments: false
		});
		const denied = await refusal(
			w.as('member', (trx) =>
				finance.saveSettings(trx, orgA(), {
					baseCurrency: 'EUR',
					approvalsRequired: 1,
					adminAbove: ''
				})
			)
		);
		expect(denied).toBeInstanceOf(finance.FinanceSettingsDeniedError);
		// The outsider cannot touch organization A's settings.
		expect(
			await refusal(
				w.as('outsider', (trx) =>
					finance.saveSettings(trx, orgA(), {
						baseCurrency: 'GBP',
						approvalsRequired: 5,
						adminAbove: ''
					})
				)
			)
		).toBeInstanceOf(finance.FinanceSettingsDeniedError);
		await w.as('owner', (trx) =>
			finance.saveSettings(trx, orgA(), {
				baseCurrency: 'EUR',
				approvalsRequired: 1,
				adminAbove: ''
			})
		);
		expect((await w.as('member', (trx) => finance.settings(trx, orgA())))!).toMatchObject({
			baseCurrency: 'EUR',
			approvalsRequired: 1,
			adminAbove: null
		});
	});

	it('refuses bad settings with the field', () => {
		const bad = finance.financeSettingsSchema.safeParse({
			baseCurrency: 'XXX',
			approvalsRequired: '9',
			adminAbove: '-3'
		});
		expect(bad.error?.issues.map((i) => i.path[0]).sort()).toEqual([
			'adminAbove',
			'approvalsRequired',
			'baseCurrency'
		]);
	});

	it('keeps the base currency once a document is recorded, on the field', async () => {
		const campaign = await w.campaign(1000);
		await w.document(campaign);
		expect((await w.as('admin', (trx) => finance.settings(trx, orgA())))!.hasDocuments).toBe(true);
		const error = await refusal(
			w.as('admin', (trx) =>
				finance.saveSettings(trx, orgA(), {
					baseCurrency: 'USD',
					approvalsRequired: 1,
					adminAbove: ''
				})
			)
		);
		expect(mapDbError(error)).toMatchObject({ status: 422, field: 'base_currency' });
		// The rule itself can still change.
		await w.as('admin', (trx) =>
			finance.saveSettings(trx, orgA(), {
				baseCurrency: 'EUR',
				approvalsRequired: 2,
				adminAbove: ''
			})
		);
		expect((await w.as('admin', (trx) => finance.settings(trx, orgA())))!.approvalsRequired).toBe(
			2
		);
		await w.as('admin', (trx) =>
			finance.saveSettings(trx, orgA(), {
				baseCurrency: 'EUR',
				approvalsRequired: 1,
				adminAbove: ''
			})
		);
	});
});

describe("the organization's exchange rates", () => {
	it('are preferred to the shared rate of the same day, for this organization only', async () => {
		await w.as('admin', (trx) =>
			finance.saveRate(trx, orgA(), {
				fromCurrency: 'USD',
				toCurrency: 'EUR',
				rateDate: '2026-11-30',
				rate: '0.8'
			})
		);
		// Edit: the same pair and date changes the rate.
		await w.as('admin', (trx) =>
			finance.saveRate(trx, orgA(), {
				fromCurrency: 'USD',
				toCurrency: 'EUR',
				rateDate: '2026-11-30',
				rate: '0.85'
			})
		);
		const listed = await w.as('viewer', (trx) => finance.rates(trx, orgA()));
		expect(listed).toMatchObject([
			{ fromCurrency: 'USD', toCurrency: 'EUR', rateDate: '2026-11-30', rate: '0.8500000000' }
		]);
		const campaign = await w.campaign(5000);
		const doc = await w.document(campaign, {
			amount: '100',
			currency: 'USD',
			issueDate: '2026-12-03'
		});
		expect(await w.as('member', (trx) => finance.get(trx, orgA(), doc.id))).toMatchObject({
			exchangeRate: '0.8500000000',
			amountBase: '85.0000'
		});
		// Organization B neither sees A's rates nor converts with them.
		expect(await w.as('outsider', (trx) => finance.rates(trx, orgA()))).toEqual([]);
		const { rows } = await w.admin.query<{ rate: string }>(
			`select rate::text from private.finance_org_rate($1, 'USD', 'EUR', '2026-12-03')`,
			[w.world.orgB]
		);
		expect(rows[0]!.rate).toBe('0.9000000000');
	});

	it('are kept only by who manages the settings, and bad rates are refused with the field', async () => {
		const key = { fromCurrency: 'GBP', toCurrency: 'EUR', rateDate: '2026-12-01' } as const;
		for (const persona of ['member', 'viewer', 'outsider'] as const) {
			const error = await refusal(
				w.as(persona, (trx) => finance.saveRate(trx, orgA(), { ...key, rate: '1.2' }))
			);
			expect(mapDbError(error)?.status).toBe(403);
		}
		await w.as('owner', (trx) => finance.saveRate(trx, orgA(), { ...key, rate: '1.2' }));
		expect(await w.as('member', (trx) => finance.removeRate(trx, orgA(), key))).toBe(false);
		expect(await w.as('outsider', (trx) => finance.removeRate(trx, orgA(), key))).toBe(false);
		expect(await w.as('admin', (trx) => finance.removeRate(trx, orgA(), key))).toBe(true);

		const bad = finance.rateSchema.safeParse({ ...key, toCurrency: 'GBP', rate: '-1' });
		expect([...new Set(bad.error?.issues.map((i) => i.path[0]))].sort()).toEqual([
			'rate',
			'toCurrency'
		]);
		// The database refuses what slips past the form, on its field.
		const error = await refusal(
			w.as('admin', (trx) => finance.saveRate(trx, orgA(), { ...key, rate: '0' }))
		);
		expect(mapDbError(error)).toMatchObject({ status: 422, field: 'rate' });
	});
});
