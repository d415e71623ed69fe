// Money per campaign and per organization, in the organization's base
// currency: budget vs committed (approved purchase orders) vs invoiced
// (approved or paid invoices) vs paid. Sums over one campaign's documents
// (an index range), or this month's payments for the home page.
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';

export type CampaignSpend = {
	baseCurrency: string;
	/** The budget converted to the base currency (null: no budget, or no rate to convert it). */
	budget: number | null;
	committed: number;
	invoiced: number;
	paid: number;
	pending: number;
	/** What counts against the budget: approved and paid documents, an invoice against its PO once. */
	counted: number;
};

export async function campaignSpend(
	trx: Trx,
	orgId: string,
	campaignId: string
): Promise<CampaignSpend> {
	const { rows } = await sql<{
		base_currency: string;
		budget: string | null;
		committed: string;
		invoiced: string;
		paid: string;
		pending: string;
		counted: string;
	}>`
		select o.base_currency,
		       (select c.budget_amount * (select r.rate from private.finance_org_rate(o.id, c.currency, o.base_currency, current_date) r)
		          from public.campaigns c where c.id = ${campaignId}::uuid and c.org_id = o.id) as budget,
		       coalesce(sum(d.amount_base) filter (where d.type = 'po' and d.status in ('approved', 'paid')), 0) as committed,
		       coalesce(sum(d.amount_base) filter (where d.type = 'invoice' and d.status in ('approved', 'paid')), 0) as invoiced,
		       coalesce(sum(d.amount_base) filter (where d.status = 'paid'), 0) as paid,
		       coalesce(sum(d.amount_base) filter (where d.status = 'pending'), 0) as pending,
		       private.finance_campaign_spend(${campaignId}::uuid) as counted
		  from public.organizations o
		  left join public.finance_documents d on d.org_id = o.id and d.campaign_id = ${campaignId}::uuid
		 where o.id = ${orgId}::uuid
		 group by o.id, o.base_currency`.execute(trx);
	const r = rows[0];
	if (!r)
		return {
			baseCurrency: 'EUR',
			budget: null,
			committed: 0,
			invoiced: 0,
			paid: 0,
			pending: 0,
			counted: 0
		};
	return {
		baseCurrency: r.base_currency,
		budget: r.budget === null ? null : Math.round(Number(r.budget) * 100) / 100,
		committed: Number(r.committed),
		invoiced: Number(r.invoiced),
		paid: Number(r.paid),
		pending: Number(r.pending),
		counted: Number(r.counted)
	};
}

export type OrgFinance = {
	baseCurrency: string;
	paidThisMonth: number;
	/** Budgets of campaigns running this month, converted (campaigns without a rate left out). */
	budgetThisMonth: number;
	pendingApprovals: number;
	overdue: number;
};

/** The home page card: spend this month vs the budgets of this month's campaigns, what waits. */
export async function orgFinance(trx: Trx, orgId: string): Promise<OrgFinance> {
	const { rows } = await sql<{
		base_currency: string;
		paid: string;
		budget: string;
		pending: number;
		overdue: number;
	}>`
		select o.base_currency,
		       (select coalesce(sum(d.amount_base), 0) from public.finance_documents d
		         where d.org_id = o.id and d.status = 'paid'
		           and d.paid_date >= date_trunc('month', current_date)::date) as paid,
		       (select coalesce(sum(c.budget_amount * r.rate), 0)
		          from public.campaigns c
		          cross join lateral private.finance_org_rate(o.id, c.currency, o.base_currency, current_date) r
		         where c.org_id = o.id and c.budget_amount is not null and c.status in ('scheduled', 'active', 'completed')
		           and c.starts_at < date_trunc('month', current_date) + interval '1 month'
		           and c.ends_at >= date_trunc('month', current_date)) as budget,
		       (select count(*)::int from public.finance_documents d where d.org_id = o.id and d.status = 'pending') as pending,
		       (select count(*)::int from public.finance_documents d
		         where d.org_id = o.id and d.status in ('pending', 'approved') and d.due_date < current_date) as overdue
		  from public.organizations o where o.id = ${orgId}::uuid`.execute(trx);
	const r = rows[0];
	return {
		baseCurrency: r?.base_currency ?? 'EUR',
		paidThisMonth: Number(r?.paid ?? 0),
		budgetThisMonth: Math.round(Number(r?.budget ?? 0) * 100) / 100,
		pendingApprovals: r?.pending ?? 0,
		overdue: r?.overdue ?? 0
	};
}
