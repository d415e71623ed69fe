// The dashboard's catalogue card: how many products (not archived) and saved
// audiences the organization has (counted through their org indexes, capped),
// and the latest few of each.
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';

export type CatalogSummary = {
	products: number;
	audiences: number;
	/** Counted up to this many; more reads "10,000+". */
	cap: number;
	latestProducts: Array<{ id: string; name: string; price: string; currency: string }>;
	latestAudiences: Array<{ id: string; name: string }>;
};

const CAP = 10_000;

export async function catalogSummary(trx: Trx, orgId: string): Promise<CatalogSummary> {
	const { rows } = await sql<{ products: number; audiences: number }>`
		select (select count(*)::int from (select 1 from public.products p
		          where p.org_id = ${orgId} and p.archived_at is null limit ${CAP}) x) as products,
		       (select count(*)::int from (select 1 from public.audiences a
		          where a.org_id = ${orgId} limit ${CAP}) y) as audiences`.execute(trx);
	const latestProducts = await trx
		.selectFrom('products')
		.select(['id', 'name', 'price', 'currency'])
		.where('org_id', '=', orgId)
		.where('archived_at', 'is', null)
		.orderBy('created_at', 'desc')
		.orderBy('id')
		.limit(3)
		.execute();
	const latestAudiences = await trx
		.selectFrom('audiences')
		.select(['id', 'name'])
		.where('org_id', '=', orgId)
		.orderBy('created_at', 'desc')
		.orderBy('id')
		.limit(3)
		.execute();
	return {
		products: rows[0]?.products ?? 0,
		audiences: rows[0]?.audiences ?? 0,
		cap: CAP,
		latestProducts: latestProducts.map((p) => ({
			id: p.id,
			name: p.name,
			price: String(p.price),
			currency: p.currency
		})),
		latestAudiences
	};
}
