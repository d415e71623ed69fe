// The contacts table: search (trigram over names, email, phone, company),
// filters (status, tag, segment, or an ad-hoc rule tree), sorting and keyset
// pagination. Keyset, not offset: page 1,000 of a million contacts costs what
// page 1 costs. Every sort has an index on (org_id, <sort>, id).
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Trx } from '../db/rls.ts';
import { escapeLike, segmentWhere } from '../segments/compile.ts';
import { validateRules, type RuleContext } from '../segments/validate.ts';
import { contactColumns, toContact, type Contact } from './contacts.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { fieldMap } from './fields.ts';
import { listQuerySchema, type ListQuery } from './schemas.ts';

export type ContactPage = { items: Contact[]; nextCursor: string | null };

/** Above this many matches a search term counts as broad (see filterWhere). */
const SEARCH_IDS = 2000;

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

/** The rule context of an organization: its fields and tags. */
export async function ruleContext(trx: Trx, orgId: string): Promise<RuleContext> {
	const [fields, tags] = await Promise.all([
		fieldMap(trx, orgId),
		trx.selectFrom('tags').select('id').where('org_id', '=', orgId).execute()
	]);
	return { orgId, fields, tagIds: new Set(tags.map((t) => t.id)) };
}

/**
 * The filters of a list query as one condition over `c` (shared with exports).
 * Throws SegmentRuleError for a bad rule tree.
 */
export async function filterWhere(
	trx: Trx,
	orgId: string,
	query: Pick<ListQuery, 'search' | 'status' | 'tagId' | 'segmentId' | 'rules'>
): Promise<Expression<SqlBool>> {
	const parts: Expression<SqlBool>[] = [sql<SqlBool>`c.org_id = ${orgId} and c.erased_at is null`];
	if (query.search) {
		const pattern = `%${escapeLike(query.search.toLowerCase())}%`;
		// Under RLS the planner may not use the trigram index (LIKE is not
		// leakproof), so a members-only function looks the term up in it. A
		// selective term (at most SEARCH_IDS matches) is answered from those ids;
		// a broad one (null) is faster by walking the sort index and filtering.
		const ids =
			query.search.length >= 3
				? (
						await sql<{ ids: string[] | null }>`select public.search_contacts_probe(${orgId}::uuid,
							${query.search}, ${SEARCH_IDS}) as ids`.execute(trx)
					).rows[0]!.ids
				: undefined;
		if (ids) parts.push(sql<SqlBool>`c.id = any(${ids}::uuid[])`);
		else {
			parts.push(sql<SqlBool>`c.search like ${pattern}`);
			// Matches are dense: walk the sort index and stop at a page. Left to
			// itself the planner, which cannot estimate LIKE '%…%' well, may sort
			// the whole organization instead.
			if (ids === null) await sql`select set_config('enable_sort', 'off', true)`.execute(trx);
		}
	}
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
	return sql<SqlBool>`${sql.join(parts, sql` and `)}`;
}

/** One page of contacts; pass `nextCursor` back as `after` for the next one. */
export async function list(trx: Trx, orgId: string, input: ListQuery = {}): Promise<ContactPage> {
	const query = listQuerySchema.parse(input);
	const sort = SORT_KEYS[query.sort];
	const desc = query.direction === 'desc';
	const where: Expression<SqlBool>[] = [await filterWhere(trx, orgId, query)];
	if (query.after) {
		const { v, id } = decodeCursor(query.after);
		const value = sql`${v}${sort.cast}`;
		if (query.sort !== 'email')
			where.push(
				desc
					? sql<SqlBool>`(${sort.key}, c.id) < (${value}, ${id}::uuid)`
					: sql<SqlBool>`(${sort.key}, c.id) > (${value}, ${id}::uuid)`
			);
		// email may be null: asc puts nulls last, desc first (the index's own order).
		else if (v === null)
			where.push(
				desc
					? sql<SqlBool>`((c.email is null and c.id < ${id}::uuid) or c.email is not null)`
					: sql<SqlBool>`(c.email is null and c.id > ${id}::uuid)`
			);
		else
			where.push(
				desc
					? sql<SqlBool>`(${sort.key} < ${value} or (${sort.key} = ${value} and c.id < ${id}::uuid))`
					: sql<SqlBool>`(${sort.key} > ${value} or (${sort.key} = ${value} and c.id > ${id}::uuid) or c.email is null)`
			);
	}
	const direction = desc ? sql`desc` : sql`asc`;
	const rows = await trx
		.selectFrom('contacts as c')
		.select([...contactColumns, sort.text.as('sort_value')])
		.where(sql<SqlBool>`${sql.join(where, sql` and `)}`)
		.orderBy(sql`${sort.key} ${direction}`)
		.orderBy(sql`c.id ${direction}`)
		.limit(query.limit + 1)
		.execute();
	// filterWhere may have turned sorting off for a broad search; not for the rest of the transaction.
	if (query.search) await sql`select set_config('enable_sort', 'on', true)`.execute(trx);
	const more = rows.length > query.limit;
	const page = more ? rows.slice(0, query.limit) : rows;
	const last = page.at(-1);
	return {
		items: page.map(toContact),
		nextCursor: more && last ? encodeCursor({ v: last.sort_value, id: last.id }) : null
	};
}
