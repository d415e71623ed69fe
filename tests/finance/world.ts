// A finance world for database tests: the campaigns world (org A with every
// persona, brands) plus a campaign with a budget, exchange rates, and helpers
// that create and decide documents as a persona exactly as a request would.
import { sql } from 'kysely';
import * as finance from '../../src/lib/server/finance/index.ts';
import type { Persona } from '../helpers/tenancy.ts';
import { campaignWorld, type CampaignWorld } from '../campaigns/world.ts';

export type FinanceWorld = CampaignWorld & {
	/** A campaign of org A with a budget (superuser insert). */
	campaign(budget?: number | null, currency?: string): Promise<string>;
	document(
		campaignId: string,
		values?: Partial<finance.DocumentInput>,
		persona?: Persona
	): Promise<{ id: string; number: string }>;
	decide(
		persona: Persona,
		id: string,
		decision?: 'approved' | 'rejected',
		comment?: string
	): Promise<string>;
	statusOf(id: string): Promise<string>;
};

export async function financeWorld(): Promise<FinanceWorld> {
	const w = await campaignWorld();
	await w.admin.query(
		`insert into public.exchange_rates (from_currency, to_currency, rate_date, rate) values
		   ('USD', 'EUR', '2026-11-30', 0.9), ('USD', 'EUR', '2026-11-01', 0.95),
		   ('EUR', 'GBP', '2026-11-30', 0.8)`
	);
	let n = 0;
	return {
		...w,
		async campaign(budget = 1000, currency = 'EUR') {
			n += 1;
			const { rows } = await w.admin.query<{ id: string }>(
				`insert into public.campaigns (org_id, kind, brand_id, name, budget_amount, currency)
				 values ($1, 'influencer', $2, $3, $4, $5) returning id`,
				[w.world.orgA, w.brandA, `Finance campaign ${n}`, budget, currency]
			);
			return rows[0]!.id;
		},
		document(campaignId, values = {}, persona = 'member') {
			return w.as(persona, (trx) =>
				finance.create(trx, w.world.orgA, {
					campaignId,
					type: 'po',
					amount: '100',
					currency: 'EUR',
					issueDate: '2026-12-01',
					dueDate: '',
					description: '',
					fileId: '',
					...values
				})
			);
		},
		decide(persona, id, decision = 'approved', comment = '') {
			return w.as(persona, (trx) => finance.decide(trx, id, decision, comment));
		},
		async statusOf(id) {
			const { rows } = await w.admin.query<{ status: string }>(
				'select status from public.finance_documents where id = $1',
				[id]
			);
			return rows[0]!.status;
		}
	};
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function refusal(promise: Promise<unknown>): Promise<Error> {
	const error = await promise.then(
		() => null,
		(e: unknown) => e
	);
	if (!(error instanceof Error)) throw new Error('expected a refusal, but it went through');
	return error;
}

export { sql };
