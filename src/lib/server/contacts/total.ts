// How many contacts the list's filters match, and the tags of a page's rows.
//
// Counting a million rows on every page view would make the list as slow as
// its largest organization, so the count stops at COUNT_CAP: below it the
// number is exact; above it an unfiltered (or status-only) view reads the
// dashboard's rollup (kept current by triggers; it still counts erased
// tombstones, so it is "about"), and any other filter says "10,000+". A count
// that takes longer than COUNT_TIMEOUT is left out rather than slowing the page.
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';
import { filterWhere } from './list.ts';
import { listQuerySchema, type ListQuery } from './schemas.ts';

export const COUNT_CAP = 10_000;
const COUNT_TIMEOUT = '2s';

/** exact: the number; about: from the rollup; atLeast: more than COUNT_CAP. */
export type ContactTotal = { count: number; kind: 'exact' | 'about' | 'atLeast' };

type TotalQuery = Pick<ListQuery, 'search' | 'status' | 'tagId' | 'segmentId' | 'rules'>;

/** The total for a list query's filters, or null when it could not be counted in time. */
export async function total(
	trx: Trx,
	orgId: string,
	input: TotalQuery = {}
): Promise<ContactTotal | null> {
	const query = listQuerySchema.parse(input);
	const filter = await filterWhere(trx, orgId, query);
	// `walk` is the whole search; `where` may be only its first matches.
	const where = filter.walk ?? filter.where;
	let counted: number | null = null;
	// A savepoint: a cancelled count must not abort the request's transaction.
	await sql`savepoint contacts_total`.execute(trx);
	try {
		await sql`select set_config('statement_timeout', ${COUNT_TIMEOUT}, true)`.execute(trx);
		const { rows } = await sql<{ n: string }>`
			select count(*) as n from (
			  select 1 from public.contacts c where ${where} limit ${COUNT_CAP + 1}) x`.execute(trx);
		counted = Number(rows[0]!.n);
		// Releasing keeps the timeout; rolling back to the savepoint restores it.
		await sql`rollback to savepoint contacts_total`.execute(trx);
	} catch (e) {
		if ((e as { code?: string }).code !== '57014') throw e;
		await sql`rollback to savepoint contacts_total`.execute(trx);
	}
	await sql`release savepoint contacts_total`.execute(trx);
	if (query.search) await sql`select set_config('enable_sort', 'on', true)`.execute(trx);
	if (counted !== null && counted <= COUNT_CAP) return { count: counted, kind: 'exact' };
	const narrowed = query.search || query.tagId || query.segmentId || query.rules;
	if (!narrowed) {
		const { rows } = await sql<{ n: string | null }>`
			select sum(n) as n from public.contact_daily_counts
			 where org_id = ${orgId}
			   and (${query.status ?? null}::public.contact_status is null
			        or status = ${query.status ?? null}::public.contact_status)`.execute(trx);
		const about = Number(rows[0]?.n ?? 0);
		if (about > COUNT_CAP) return { count: about, kind: 'about' };
	}
	return counted === null ? null : { count: COUNT_CAP, kind: 'atLeast' };
}

/** The tags of some contacts (a page of the list), by contact id, in name order. */
export async function tagsOf(
	trx: Trx,
	orgId: string,
	contactIds: string[]
): Promise<Record<string, string[]>> {
	const out: Record<string, string[]> = {};
	if (contactIds.length === 0) return out;
	const rows = await trx
		.selectFrom('contact_tags as ct')
		.innerJoin('tags as t', (j) =>
			j.onRef('t.org_id', '=', 'ct.org_id').onRef('t.id', '=', 'ct.tag_id')
		)
		.select(['ct.contact_id', 't.name'])
		.where('ct.org_id', '=', orgId)
		.where('ct.contact_id', 'in', contactIds)
		.orderBy('t.name')
		.execute();
	for (const r of rows) (out[r.contact_id] ??= []).push(r.name);
	return out;
}
