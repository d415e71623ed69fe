// The contacts table: search (trigram over names, email, phone, company),
// filters (status, tag, segment, or an ad-hoc rule tree), sorting and keyset
// pagination. Keyset, not offset: page 1,000 of a million contacts costs what
// page 1 costs. Every sort has an index on (org_id, <sort>, id).
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Trx } from '../db/rls.ts';
import { escapeLike, segmentWhere } from '../segments/compile.ts';
import { validateRules, type RuleContext } from '../segments/validate.ts';
import { contactColumns, toContact, type Contact } from './contacts.ts';
import { decodeCursor, encodeCursor, type Cursor } from './cursor.ts';
import { fieldMap } from './fields.ts';
import { listQuerySchema, type ListQuery } from './schemas.ts';

export type ContactPage = { items: Contact[]; nextCursor: string | null };

/** A search term with more matches than this is read as its first matches in the list's order, or walked (see filterWhere). */
const SEARCH_IDS = 500;

/** Sort keys as fixed SQL, with the text form the cursor carries (exact, microseconds included). */
const SORT_KEYS = {
	created_at: {
		key: sql`c.created_at`,
		text: sql<string>`c.created_at::text`,
		cast: sql`::timestamptz`
	},
	updated_at: {
		key: sql`c.updated_at`,
		text: sql<string>`c.updated_at::text`,
		cast: sql`::timestamptz`
	},
	name: { key: sql`c.sort_name`, text: sql<string>`c.sort_name`, cast: sql`::text` },
	// The unique index on (org_id, lower(email)) orders this one.
	email: {
		key: sql`lower(c.email::text)`,
		text: sql<string>`lower(c.email::text)`,
		cast: sql`::text`
	}
} as const;
type SortKey = keyof typeof SORT_KEYS;

/** The rule context of an organization: its fields and tags. */
export async function ruleContext(trx: Trx, orgId: string): Promise<RuleContext> {
	const [fields, tags] = await Promise.all([
		fieldMap(trx, orgId),
		trx.selectFrom('tags').select('id').where('org_id', '=', orgId).execute()
	]);
	return { orgId, fields, tagIds: new Set(tags.map((t) => t.id)) };
}

/** The list order a search may be answered in (see search_contacts_probe). */
export type SearchOrder = { sort: SortKey; desc: boolean; after: string | null };

/** A list query's filters as conditions over `c` (see filterWhere). */
export type Filter = {
	where: Expression<SqlBool>;
	/**
	 * Set when a common search term was narrowed to its first matches in the
	 * list's order: the same filters walking the sort index instead, for a
	 * page that those matches leave short (other filters dropped most of them).
	 */
	walk?: Expression<SqlBool>;
};

/** Walking the sort index for a term: the planner, which cannot estimate LIKE '%…%' well, may sort the whole organization instead. */
const walkSorted = (trx: Trx) => sql`select set_config('enable_sort', 'off', true)`.execute(trx);

/**
 * The filters of a list query (shared with exports); given the list's order,
 * a common search term may be narrowed to its first matches in that order.
 * Throws SegmentRuleError for a bad rule tree.
 */
export async function filterWhere(
	trx: Trx,
	orgId: string,
	query: Pick<ListQuery, 'search' | 'status' | 'tagId' | 'segmentId' | 'rules'>,
	order?: SearchOrder
): Promise<Filter> {
	const parts: Expression<SqlBool>[] = [sql<SqlBool>`c.org_id = ${orgId} and c.erased_at is null`];
	if (query.status) parts.push(sql<SqlBool>`c.status = ${query.status}::public.contact_status`);
	if (query.tagId)
		parts.push(sql<SqlBool>`exists (select 1 from public.contact_tags ct
			where ct.org_id = c.org_id and ct.contact_id = c.id and ct.tag_id = ${query.tagId})`);
	if (query.segmentId)
		parts.push(sql<SqlBool>`exists (select 1 from public.segment_memberships sm
			where sm.org_id = c.org_id and sm.segment_id = ${query.segmentId} and sm.contact_id = c.id)`);
	if (query.rules) {
		const ctx = await ruleContext(trx, orgId);
		parts.push(segmentWhere(validateRules(query.rules, ctx), ctx));
	}
	const and = (search: Expression<SqlBool>[]) =>
		sql<SqlBool>`${sql.join([...parts, ...search], sql` and `)}`;
	if (!query.search) return { where: and([]) };
	const like = sql<SqlBool>`c.search like ${`%${escapeLike(query.search.toLowerCase())}%`}`;
	if (query.search.length < 3) return { where: and([like]) };
	// Under RLS the planner may not use the trigram index (LIKE is not
	// leakproof), so a members-only function looks the term up in it: a
	// selective term comes back as all its ids, a common one as its first ids
	// in the list's order, and a broad one (null) is faster by walking the sort
	// index and filtering.
	const { rows } = await sql<{
		ids: string[] | null;
	}>`select public.search_contacts_probe(${orgId}::uuid,
		${query.search}, ${SEARCH_IDS}, ${order?.sort ?? null}::text, ${order?.desc ?? true},
		${order?.after ?? null}::text) as ids`.execute(trx);
	const ids = rows[0]!.ids;
	if (ids === null) {
		await walkSorted(trx);
		return { where: and([like]) };
	}
	const where = and([sql<SqlBool>`c.id = any(${ids}::uuid[])`]);
	return ids.length > SEARCH_IDS ? { where, walk: and([like]) } : { where };
}

/** The keyset condition: rows after the cursor in the list's order. */
function afterCursor(sortKey: SortKey, desc: boolean, cursor: Cursor): Expression<SqlBool> {
	const sort = SORT_KEYS[sortKey];
	const { v, id } = cursor;
	const value = sql`${v}${sort.cast}`;
	if (sortKey !== 'email')
		return desc
			? sql<SqlBool>`(${sort.key}, c.id) < (${value}, ${id}::uuid)`
			: sql<SqlBool>`(${sort.key}, c.id) > (${value}, ${id}::uuid)`;
	// email may be null: asc puts nulls last, desc first (the index's own order).
	if (v === null)
		return desc
			? sql<SqlBool>`((c.email is null and c.id < ${id}::uuid) or c.email is not null)`
			: sql<SqlBool>`(c.email is null and c.id > ${id}::uuid)`;
	return desc
		? sql<SqlBool>`(${sort.key} < ${value} or (${sort.key} = ${value} and c.id < ${id}::uuid))`
		: sql<SqlBool>`(${sort.key} > ${value} or (${sort.key} = ${value} and c.id > ${id}::uuid) or c.email is null)`;
}

/** One page of contacts; pass `nextCursor` back as `after` for the next one. */
export async function list(trx: Trx, orgId: string, input: ListQuery = {}): Promise<ContactPage> {
	const query = listQuerySchema.parse(input);
	const sort = SORT_KEYS[query.sort];
	const desc = query.direction === 'desc';
	const cursor = query.after ? decodeCursor(query.after) : null;
	const direction = desc ? sql`desc` : sql`asc`;
	const read = (filter: Expression<SqlBool>) =>
		trx
			.selectFrom('contacts as c')
			.select([...contactColumns, sort.text.as('sort_value')])
			.where(cursor ? sql<SqlBool>`${filter} and ${afterCursor(query.sort, desc, cursor)}` : filter)
			.orderBy(sql`${sort.key} ${direction}`)
			.orderBy(sql`c.id ${direction}`)
			.limit(query.limit + 1)
			.execute();
	const filter = await filterWhere(trx, orgId, query, {
		sort: query.sort,
		desc,
		after: cursor?.v ?? null
	});
	let rows = await read(filter.where);
	if (filter.walk && rows.length <= query.limit) {
		await walkSorted(trx);
		rows = await read(filter.walk);
	}
	// A walk turned sorting off; not for the rest of the transaction.
	if (query.search) await sql`select set_config('enable_sort', 'on', true)`.execute(trx);
	const more = rows.length > query.limit;
	const page = more ? rows.slice(0, query.limit) : rows;
	const last = page.at(-1);
	return {
		items: page.map(toContact),
		nextCursor: more && last ? encodeCursor({ v: last.sort_value, id: last.id }) : null
	};
}
