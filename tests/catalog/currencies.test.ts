// One list of currencies: every currency column references public.currencies,
// so a product can be priced, and a campaign budgeted, in exactly the same
// currencies; an unknown code is refused everywhere with the currency field
// and the reason (the product form, the budget step, a direct write, the
// submission), and nothing is written.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetSchema } from '../../src/lib/campaigns/steps.ts';
import { mapDbError } from '../../src/lib/server/db/errors.ts';
import * as products from '../../src/lib/server/products/index.ts';
import { productSchema, type ProductInput } from '../../src/lib/schemas/products.ts';
import {
	campaignWorld,
	createCampaign,
	fillSections,
	submit,
	type CampaignWorld
} from '../campaigns/world.ts';

let w: CampaignWorld;
beforeAll(async () => {
	w = await campaignWorld();
});
afterAll(() => w.close());

const product = (over: Partial<ProductInput> = {}): ProductInput => ({
	name: 'Trail jacket',
	sku: 'TJ-001',
	description: '',
	price: '129.90',
	currency: 'EUR',
	...over
});

const budget = (currency: string) => ({
	amount: '15000',
	currency,
	time_zone: 'Europe/Berlin',
	starts_at: '2099-03-01T09:00',
	ends_at: '2099-04-30T18:00',
	lines: []
});

async function refusal(promise: Promise<unknown>) {
	const error = await promise.then(
		() => null,
		(e: unknown) => e
	);
	if (error === null) throw new Error('expected the database to refuse');
	return mapDbError(error);
}

describe('the list', () => {
	it('is referenced by a foreign key from every currency column', async () => {
		const { rows } = await w.admin.query<{ column: string; references: string | null }>(`
			select c.table_name || '.' || c.column_name as column,
			       (select ccu.table_name || '.' || ccu.column_name
			          from information_schema.key_column_usage k
			          join information_schema.referential_constraints r
			            on r.constraint_schema = k.constraint_schema and r.constraint_name = k.constraint_name
			          join information_schema.constraint_column_usage ccu
			            on ccu.constraint_schema = r.unique_constraint_schema
			           and ccu.constraint_name = r.unique_constraint_name
			         where k.table_schema = c.table_schema and k.table_name = c.table_name
			           and k.column_name = c.column_name) as references
			  from information_schema.columns c
			  join information_schema.tables t
			    on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
			 where c.table_schema = 'public' and c.column_name ~ '(^|_)currency$' and c.table_name <> 'currencies'
			 order by 1`);
		expect(rows.map((r) => r.column)).toEqual(
			expect.arrayContaining([
				'campaign_products.currency',
				'campaigns.currency',
				'products.currency'
			])
		);
		for (const row of rows)
			expect(row, row.column).toMatchObject({ references: 'currencies.code' });
	});

	it('has every ISO 4217 currency used as money, with its minor units', async () => {
		const { rows } = await w.admin.query<{ code: string; minor_units: number }>(
			`select code, minor_units from public.currencies where code = any($1) order by code`,
			[['AFN', 'BHD', 'EUR', 'GHS', 'JPY', 'XCG', 'XOF']]
		);
		expect(rows).toEqual([
			{ code: 'AFN', minor_units: 2 },
			{ code: 'BHD', minor_units: 3 },
			{ code: 'EUR', minor_units: 2 },
			{ code: 'GHS', minor_units: 2 },
			{ code: 'JPY', minor_units: 0 },
			{ code: 'XCG', minor_units: 2 },
			{ code: 'XOF', minor_units: 0 }
		]);
		const { rows: count } = await w.admin.query<{ n: number }>(
			'select count(*)::int as n from public.currencies'
		);
		expect(count[0]!.n).toBeGreaterThanOrEqual(150);
	});

	it('prices a product and budgets a campaign in the same currencies', async () => {
		// The Ghanaian cedi: products accepted it, campaign budgets did not.
		await w.as('member', (trx) =>
			products.create(trx, w.world.orgA, product({ sku: 'GH-1', currency: 'GHS' }))
		);
		const id = await createCampaign(w);
		await fillSections(w, id, { budget: budget('GHS') });
		expect(await submit(w, id)).toBe(1);
		const { rows } = await w.admin.query<{ currency: string }>(
			'select currency from public.campaigns where id = $1',
			[id]
		);
		expect(rows[0]!.currency).toBe('GHS');
	});
});

describe('an unknown currency', () => {
	it('is refused by the product form and the budget step, naming the field', () => {
		const form = productSchema.safeParse(product({ currency: 'XYZ' as ProductInput['currency'] }));
		expect(form.success).toBe(false);
		expect(form.error?.issues.map((i) => i.path.join('.'))).toEqual(['currency']);
		const step = budgetSchema.safeParse(budget('XYZ'));
		expect(step.success).toBe(false);
		expect(step.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
			['currency', 'Pick a currency from the list.']
		]);
		expect(budgetSchema.safeParse(budget('GHS')).success).toBe(true);
	});

	it('is refused on a product by the database, with the field and the reason', async () => {
		const mapped = await refusal(
			w.as('member', (trx) =>
				products.create(trx, w.world.orgA, product({ sku: 'XYZ-1', currency: 'XYZ' as 'EUR' }))
			)
		);
		expect(mapped).toMatchObject({
			status: 422,
			field: 'currency',
			message: 'That is not a known currency.'
		});
		const { rows } = await w.admin.query(`select 1 from public.products where sku = 'XYZ-1'`);
		expect(rows).toEqual([]);
	});

	it('is refused on a campaign written directly and on a submission', async () => {
		const id = await createCampaign(w);
		const direct = await refusal(
			w.as('member', (trx) =>
				sql`update public.campaigns set currency = 'XYZ' where id = ${id}`.execute(trx)
			)
		);
		expect(direct).toMatchObject({ status: 422, field: 'currency' });

		await fillSections(w, id, { budget: budget('XYZ') });
		const submitted = await refusal(submit(w, id));
		expect(submitted).toMatchObject({ status: 422, field: 'currency', code: 'currency_unknown' });
		expect(submitted?.message).toContain('not a known currency');
		const { rows } = await w.admin.query(
			'select 1 from public.campaign_submissions where campaign_id = $1',
			[id]
		);
		expect(rows).toEqual([]);
	});

	it('is refused on a campaign product line', async () => {
		const id = await createCampaign(w);
		const productId = await w.as('member', (trx) =>
			products.create(trx, w.world.orgA, product({ sku: 'LINE-1' }))
		);
		// The line copies the product's currency; a forged one (even by the
		// superuser) still meets the key.
		await w.admin.query(
			'insert into public.campaign_products (org_id, campaign_id, product_id, quantity) values ($1, $2, $3, 1)',
			[w.world.orgA, id, productId]
		);
		const mapped = await refusal(
			w.admin.query(`update public.campaign_products set currency = 'XYZ' where campaign_id = $1`, [
				id
			])
		);
		expect(mapped).toMatchObject({ status: 422, field: 'currency' });
	});
});
