// The organization's finance settings: the base currency (changeable until
// the first document is recorded: the database refuses it afterwards), the
// approval rule (how many approvers, an admin above which amount) and the
// organization's own exchange rates. Written under RLS by holders of
// org.settings; an update RLS hides comes back as FinanceSettingsDeniedError.
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';
import { FinanceSettingsDeniedError } from './errors.ts';
import type { FinanceSettingsInput, RateInput } from '../../schemas/finance.ts';

export type FinanceSettings = {
	baseCurrency: string;
	approvalsRequired: number;
	/** In the base currency; null: no amount needs an admin. */
	adminAbove: string | null;
	/** Once documents exist the base currency stays. */
	hasDocuments: boolean;
};

export async function settings(trx: Trx, orgId: string): Promise<FinanceSettings | null> {
	const row = await trx
		.selectFrom('organizations as o')
		.select([
			'o.base_currency as baseCurrency',
			'o.finance_approvals_required as approvalsRequired',
			sql<string | null>`o.finance_admin_above::text`.as('adminAbove'),
			sql<boolean>`exists (select 1 from public.finance_documents d where d.org_id = o.id)`.as(
				'hasDocuments'
			)
		])
		.where('o.id', '=', orgId)
		.executeTakeFirst();
	return row ?? null;
}

/** Saves the base currency and approval rule (the base currency only when it changes). */
export async function saveSettings(
	trx: Trx,
	orgId: string,
	input: FinanceSettingsInput
): Promise<void> {
	const current = await settings(trx, orgId);
	const saved = await trx
		.updateTable('organizations')
		.set({
			...(current?.baseCurrency !== input.baseCurrency
				? { base_currency: input.baseCurrency }
				: {}),
			finance_approvals_required: input.approvalsRequired,
			finance_admin_above:
				input.adminAbove === '' ? null : sql<number>`${input.adminAbove}::numeric`
		})
		.where('id', '=', orgId)
		.returning('id')
		.executeTakeFirst();
	if (!saved) throw new FinanceSettingsDeniedError();
}

export type OrgRate = {
	fromCurrency: string;
	toCurrency: string;
	rateDate: string;
	rate: string;
	updatedAt: string;
};

/** The organization's own rates, newest date first. */
export async function rates(trx: Trx, orgId: string, limit = 200): Promise<OrgRate[]> {
	return trx
		.selectFrom('org_exchange_rates')
		.select([
			'from_currency as fromCurrency',
			'to_currency as toCurrency',
			sql<string>`rate_date::text`.as('rateDate'),
			sql<string>`rate::text`.as('rate'),
			sql<string>`updated_at::text`.as('updatedAt')
		])
		.where('org_id', '=', orgId)
		.orderBy('rate_date', 'desc')
		.orderBy('from_currency')
		.orderBy('to_currency')
		.limit(limit)
		.execute();
}

/** Adds a rate, or changes the rate of that pair and date. */
export async function saveRate(trx: Trx, orgId: string, input: RateInput): Promise<void> {
	await trx
		.insertInto('org_exchange_rates')
		.values({
			org_id: orgId,
			from_currency: input.fromCurrency,
			to_currency: input.toCurrency,
			rate_date: input.rateDate,
			rate: sql<number>`${input.rate}::numeric`
		})
		.onConflict((oc) =>
			oc
				.columns(['org_id', 'from_currency', 'to_currency', 'rate_date'])
				.doUpdateSet({ rate: (eb) => eb.ref('excluded.rate') })
		)
		.execute();
}

/** Removes a rate (documents keep the rate they used). False when none was removed. */
export async function removeRate(
	trx: Trx,
	orgId: string,
	key: Pick<RateInput, 'fromCurrency' | 'toCurrency' | 'rateDate'>
): Promise<boolean> {
	const removed = await trx
		.deleteFrom('org_exchange_rates')
		.where('org_id', '=', orgId)
		.where('from_currency', '=', key.fromCurrency)
		.where('to_currency', '=', key.toCurrency)
		.where('rate_date', '=', key.rateDate)
		.returning('org_id')
		.executeTakeFirst();
	return !!removed;
}
