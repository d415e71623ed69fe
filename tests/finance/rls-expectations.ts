// RLS expectations of the finance module (spread into tests/rls/expectations.ts):
// members read their organization's documents and decisions; holders of
// finance.write (members, admins, owners) create documents; nobody updates or
// deletes them through the API (status moves only through
// decide_finance_document() and mark_finance_document_paid(), which write the
// decisions); exchange rates are a global catalogue, and an organization's
// own rates are kept by whoever holds org.settings.
import type pg from 'pg';
import type { TenancyWorld } from '../helpers/tenancy.ts';
import type { Row, TableSpec } from '../rls/expectations.ts';

const nobody = {
	anon: '----',
	outsider: '----',
	viewer: '----',
	member: '----',
	admin: '----',
	owner: '----'
};
const readers = { ...nobody, viewer: 's---', member: 's---', admin: 's---', owner: 's---' };

async function one(client: pg.Client, sql: string, values: unknown[]): Promise<Row> {
	return (await client.query<Row>(sql, values)).rows[0]!;
}

/** A campaign of organization A with a budget, found or created (superuser). */
let campaignId: string | undefined;
async function financeCampaign(client: pg.Client, w: TenancyWorld): Promise<string> {
	if (campaignId) return campaignId;
	const brand = await one(
		client,
		`insert into public.brands (org_id, name) values ($1, 'Finance brand')
		 on conflict (org_id, name) do update set name = excluded.name returning id`,
		[w.orgA]
	);
	const row = await one(
		client,
		`insert into public.campaigns (org_id, kind, brand_id, name, budget_amount, currency)
		 values ($1, 'influencer', $2, 'Finance campaign', 10000, 'EUR') returning id`,
		[w.orgA, brand.id]
	);
	campaignId = row.id as string;
	return campaignId;
}

let documentId: string | undefined;
async function financeDocument(client: pg.Client, w: TenancyWorld): Promise<string> {
	if (documentId) return documentId;
	const row = await one(
		client,
		`insert into public.finance_documents (org_id, campaign_id, type, amount, currency)
		 values ($1, $2, 'po', 100, 'EUR') returning id`,
		[w.orgA, await financeCampaign(client, w)]
	);
	documentId = row.id as string;
	return documentId;
}

export const financeTables: Record<string, TableSpec> = {
	'public.exchange_rates': {
		seed: async (c) => {
			await c.query(
				`insert into public.exchange_rates (from_currency, to_currency, rate_date, rate)
				 values ('USD', 'EUR', '2026-01-01', 0.9) on conflict do nothing`
			);
			return { from_currency: 'USD', to_currency: 'EUR', rate_date: '2026-01-01' };
		},
		insert: () => ({ from_currency: 'USD', to_currency: 'EUR', rate_date: '2026-01-02', rate: 1 }),
		update: { rate: 2 },
		expect: { ...readers, outsider: 's---' }
	},
	// An organization's own rates: members read them, holders of org.settings
	// (admins, owners) keep them.
	'public.org_exchange_rates': {
		seed: async (c, w) =>
			one(
				c,
				`insert into public.org_exchange_rates (org_id, from_currency, to_currency, rate_date, rate)
				 values ($1, 'USD', 'EUR', '2026-01-01', 0.9)
				 on conflict (org_id, from_currency, to_currency, rate_date) do update set rate = 0.9
				 returning org_id, from_currency, to_currency, rate_date::text as rate_date`,
				[w.orgA]
			),
		insert: (w) => ({
			org_id: w.orgA,
			from_currency: 'GBP',
			to_currency: 'EUR',
			rate_date: '2026-01-02',
			rate: 1.1
		}),
		update: { rate: 0.95 },
		expect: { ...readers, admin: 'siud', owner: 'siud' }
	},
	'public.finance_documents': {
		seed: async (c, w) => ({ id: await financeDocument(c, w) }),
		insert: (w) => ({
			org_id: w.orgA,
			campaign_id: campaignId,
			type: 'invoice',
			amount: 50,
			currency: 'EUR'
		}),
		update: { description: 'Changed' },
		expect: { ...readers, member: 'si--', admin: 'si--', owner: 'si--' }
	},
	'public.finance_approvals': {
		seed: async (c, w) => {
			const doc = await financeDocument(c, w);
			return one(
				c,
				`insert into public.finance_approvals (org_id, document_id, decided_by, decision)
				 values ($1, $2, $3, 'approved') returning id`,
				[w.orgA, doc, w.users.admin.id]
			);
		},
		insert: (w) => ({ org_id: w.orgA, document_id: documentId, decision: 'approved' }),
		update: { comment: 'Changed' },
		expect: readers
	}
};
