// The table view: filters (column, owner, tag, name search) that stay in the
// URL, three sorts and keyset pages (sort value, id), so page 400 costs what
// page 1 does. Each sort has an index that leads with org_id (migration).
import { sql, type Expression, type SqlBool } from 'kysely';
import { z } from 'zod';
import type { Trx } from '../db/rls.ts';
import { STATUSES, type InfluencerStatus } from '../../influencers/pipeline.ts';
import { InfluencerCursorError } from './errors.ts';
import { handlesFor, type Handle } from './influencers.ts';

export const SORTS = ['newest', 'name', 'last_contacted'] as const;
export type Sort = (typeof SORTS)[number];

export const listFilterSchema = z.object({
	status: z.enum(STATUSES).optional().catch(undefined),
	owner: z
		.union([z.uuid(), z.literal('none')])
		.optional()
		.catch(undefined),
	tag: z.string().trim().min(1).max(40).optional().catch(undefined),
	q: z.string().trim().max(100).optional().catch(undefined),
	sort: z.enum(SORTS).default('newest').catch('newest'),
	after: z.string().max(500).optional().catch(undefined)
});
export type ListFilter = z.infer<typeof listFilterSchema>;

export type ListRow = {
	id: string;
	name: string;
	status: InfluencerStatus;
	ownerName: string | null;
	tags: string[];
	email: string | null;
	lastContactedAt: string | null;
	createdAt: string;
	handles: Handle[];
};

const cursorSchema = z.object({ v: z.string().nullable(), id: z.uuid() });
type Cursor = z.infer<typeof cursorSchema>;
const encode = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decode(text: string): Cursor {
	try {
		return cursorSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
	} catch {
		throw new InfluencerCursorError();
	}
}

const iso = (v: Date | string | null): string | null => (v instanceof Date ? v.toISOString() : v);

export const PAGE_SIZE = 50;

/** One page of the organization's influencers, and the cursor of the next (null: last page). */
export async function list(
	trx: Trx,
	orgId: string,
	filter: ListFilter,
	limit = PAGE_SIZE
): Promise<{ rows: ListRow[]; next: string | null }> {
	let q = trx
		.selectFrom('influencers as i')
		.leftJoin('profiles as p', 'p.id', 'i.owner_id')
		.select([
			'i.id',
			'i.name',
			'i.status',
			'i.tags',
			'i.email',
			'i.owner_id',
			'i.last_contacted_at',
			'i.created_at',
			'p.full_name as owner_name',
			'p.email as owner_email'
		])
		.where('i.org_id', '=', orgId);
	if (filter.status) q = q.where('i.status', '=', filter.status);
	if (filter.owner === 'none') q = q.where('i.owner_id', 'is', null);
	else if (filter.owner) q = q.where('i.owner_id', '=', filter.owner);
	if (filter.tag) q = q.where(sql<SqlBool>`i.tags @> array[${filter.tag}]::text[]`);
	if (filter.q) {
		const pattern = `%${filter.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
		q = q.where('i.name', 'ilike', pattern);
	}

	const after = filter.after ? decode(filter.after) : null;
	if (after) {
		let key: Expression<SqlBool>;
		if (filter.sort === 'newest') {
			key = sql<SqlBool>`(i.created_at, i.id) < (${after.v}::timestamptz, ${after.id}::uuid)`;
		} else if (filter.sort === 'name') {
			key = sql<SqlBool>`(lower(i.name), i.id) > (${after.v}, ${after.id}::uuid)`;
		} else {
			// Never contacted first (they are who to write to), then the longest ago.
			key =
				after.v === null
					? sql<SqlBool>`((i.last_contacted_at is null and i.id > ${after.id}::uuid) or i.last_contacted_at is not null)`
					: sql<SqlBool>`(i.last_contacted_at, i.id) > (${after.v}::timestamptz, ${after.id}::uuid)`;
		}
		q = q.where(key);
	}
	q =
		filter.sort === 'newest'
			? q.orderBy('i.created_at', 'desc').orderBy('i.id', 'desc')
			: filter.sort === 'name'
				? q.orderBy(sql`lower(i.name)`).orderBy('i.id')
				: q.orderBy(sql`i.last_contacted_at asc nulls first`).orderBy('i.id');

	const found = await q.limit(limit + 1).execute();
	const page = found.slice(0, limit);
	const handles = await handlesFor(
		trx,
		orgId,
		page.map((r) => r.id)
	);
	const last = page.at(-1);
	const next =
		found.length > limit && last
			? encode({
					v:
						filter.sort === 'name'
							? last.name.toLowerCase()
							: filter.sort === 'newest'
								? iso(last.created_at)
								: iso(last.last_contacted_at),
					id: last.id
				})
			: null;
	return {
		rows: page.map((r) => ({
			id: r.id,
			name: r.name,
			status: r.status,
			ownerName: r.owner_id ? r.owner_name || r.owner_email || 'A teammate' : null,
			tags: r.tags,
			email: r.email,
			lastContactedAt: iso(r.last_contacted_at),
			createdAt: iso(r.created_at)!,
			handles: handles.get(r.id) ?? []
		})),
		next
	};
}

/** The organization's tags in use (the tag filter's choices). */
export async function tagsInUse(trx: Trx, orgId: string): Promise<string[]> {
	const { rows } = await sql<{ tag: string }>`
		select distinct t.tag from public.influencers i, unnest(i.tags) t (tag)
		 where i.org_id = ${orgId} order by t.tag limit 200`.execute(trx);
	return rows.map((r) => r.tag);
}
