// The campaigns workspace list: filters (status, kind, brand, folder, dates
// that overlap a range), a name search, three sorts and keyset pages
// (sort value, id), so page 500 costs what page 1 does. Every filter is a
// column of an index that leads with org_id (see the campaigns migration).
import { sql, type SqlBool, type Expression } from 'kysely';
import { z } from 'zod';
import type { Trx } from '../db/rls.ts';
import type { CampaignKind, CampaignStatus } from '../../campaigns/steps.ts';
import { CampaignCursorError } from './errors.ts';

export const SORTS = ['newest', 'name', 'starts'] as const;
export type Sort = (typeof SORTS)[number];

export const listFilterSchema = z.object({
	status: z
		.enum(['draft', 'scheduled', 'active', 'completed', 'cancelled'])
		.optional()
		.catch(undefined),
	kind: z.enum(['influencer', 'email', 'sms', 'whatsapp']).optional().catch(undefined),
	brand: z.uuid().optional().catch(undefined),
	folder: z
		.union([z.uuid(), z.literal('none')])
		.optional()
		.catch(undefined),
	/** Campaigns running at some point between from and to (dates, inclusive). */
	from: z.iso.date().optional().catch(undefined),
	to: z.iso.date().optional().catch(undefined),
	q: z.string().trim().max(100).optional().catch(undefined),
	sort: z.enum(SORTS).default('newest').catch('newest'),
	after: z.string().max(500).optional().catch(undefined)
});
export type ListFilter = z.infer<typeof listFilterSchema>;

export type ListRow = {
	id: string;
	name: string;
	kind: CampaignKind;
	status: CampaignStatus;
	brandName: string;
	folderId: string | null;
	startsAt: string | null;
	endsAt: string | null;
	budgetAmount: string | null;
	currency: string | null;
	createdAt: string;
};

type Cursor = { v: string | null; id: string };
const cursorSchema = z.object({ v: z.string().nullable(), id: z.uuid() });

export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(text: string): Cursor {
	try {
		return cursorSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
	} catch {
		throw new CampaignCursorError();
	}
}

const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
/**
 * `Date#toISOString`, built from the date's UTC fields: the built-in took about
 * 0.6 µs a call, a page of 50 campaigns has 150 dates, and it was the list's
 * largest cost after the query (2.4× faster measured). Years outside 0–9999
 * (which toISOString writes with a sign and six digits) are left to the built-in,
 * as is an invalid date.
 */
export function isoString(d: Date): string {
	const year = d.getUTCFullYear();
	if (!(year >= 1000 && year <= 9999)) return d.toISOString(); // and an invalid date throws
	const ms = d.getUTCMilliseconds();
	return `${year}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}T${two(d.getUTCHours())}:${two(
		d.getUTCMinutes()
	)}:${two(d.getUTCSeconds())}.${ms < 10 ? `00${ms}` : ms < 100 ? `0${ms}` : ms}Z`;
}
const iso = (v: Date | string | null): string | null => (v instanceof Date ? isoString(v) : v);

export const PAGE_SIZE = 50;

/** One page of campaigns, and the cursor of the next (null on the last page). */
export async function list(
	trx: Trx,
	orgId: string,
	filter: ListFilter,
	limit = PAGE_SIZE
): Promise<{ rows: ListRow[]; next: string | null }> {
	let q = trx
		.selectFrom('campaigns as c')
		.innerJoin('brands as b', 'b.id', 'c.brand_id')
		.select([
			'c.id',
			'c.name',
			'c.kind',
			'c.status',
			'b.name as brand_name',
			'c.folder_id',
			'c.starts_at',
			'c.ends_at',
			'c.budget_amount',
			'c.currency',
			'c.created_at'
		])
		.where('c.org_id', '=', orgId);
	if (filter.status) q = q.where('c.status', '=', filter.status);
	if (filter.kind) q = q.where('c.kind', '=', filter.kind);
	if (filter.brand) q = q.where('c.brand_id', '=', filter.brand);
	if (filter.folder === 'none') q = q.where('c.folder_id', 'is', null);
	else if (filter.folder) q = q.where('c.folder_id', '=', filter.folder);
	if (filter.from) q = q.where('c.ends_at', '>=', `${filter.from}T00:00:00Z`);
	if (filter.to)
		q = q.where(
			'c.starts_at',
			'<',
			new Date(Date.parse(`${filter.to}T00:00:00Z`) + 86_400_000).toISOString()
		);
	if (filter.q) {
		const pattern = `%${filter.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
		q = q.where('c.name', 'ilike', pattern);
	}

	// Keyset: the sort value and the id break ties in the same direction.
	const after = filter.after ? decodeCursor(filter.after) : null;
	const sortColumn = { newest: 'c.created_at', name: 'c.name', starts: 'c.starts_at' } as const;
	const column = sortColumn[filter.sort];
	const descending = filter.sort === 'newest';
	if (after) {
		const key: Expression<SqlBool> =
			filter.sort === 'starts'
				? after.v === null
					? sql<SqlBool>`(c.starts_at is null and c.id > ${after.id})`
					: sql<SqlBool>`(c.starts_at > ${after.v}::timestamptz or c.starts_at is null
					    or (c.starts_at = ${after.v}::timestamptz and c.id > ${after.id}))`
				: descending
					? sql<SqlBool>`(c.created_at, c.id) < (${after.v}::timestamptz, ${after.id}::uuid)`
					: sql<SqlBool>`(c.name, c.id) > (${after.v}, ${after.id}::uuid)`;
		q = q.where(key);
	}
	q = descending
		? q.orderBy(column, 'desc').orderBy('c.id', 'desc')
		: filter.sort === 'starts'
			? q.orderBy(sql`c.starts_at asc nulls last`).orderBy('c.id', 'asc')
			: q.orderBy(column, 'asc').orderBy('c.id', 'asc');

	const found = await q.limit(limit + 1).execute();
	const page = found.slice(0, limit);
	const last = page.at(-1);
	const next =
		found.length > limit && last
			? encodeCursor({
					v:
						filter.sort === 'name'
							? last.name
							: filter.sort === 'starts'
								? iso(last.starts_at)
								: iso(last.created_at),
					id: last.id
				})
			: null;
	return {
		rows: page.map((r) => ({
			id: r.id,
			name: r.name,
			kind: r.kind,
			status: r.status,
			brandName: r.brand_name,
			folderId: r.folder_id,
			startsAt: iso(r.starts_at),
			endsAt: iso(r.ends_at),
			budgetAmount: r.budget_amount === null ? null : String(r.budget_amount),
			currency: r.currency,
			createdAt: iso(r.created_at)!
		})),
		next
	};
}

export type TimelineRow = {
	id: string;
	name: string;
	kind: CampaignKind;
	status: CampaignStatus;
	startsAt: string;
	endsAt: string;
};

/** Campaigns with dates that overlap [from, to), earliest first (at most `limit`). */
export async function timeline(
	trx: Trx,
	orgId: string,
	from: Date,
	to: Date,
	limit = 200
): Promise<TimelineRow[]> {
	const rows = await trx
		.selectFrom('campaigns')
		.select(['id', 'name', 'kind', 'status', 'starts_at', 'ends_at'])
		.where('org_id', '=', orgId)
		.where('starts_at', '<', to.toISOString())
		.where('ends_at', '>', from.toISOString())
		.where('status', '<>', 'cancelled')
		.orderBy('starts_at')
		.orderBy('id')
		.limit(limit)
		.execute();
	return rows.map((r) => ({
		id: r.id,
		name: r.name,
		kind: r.kind,
		status: r.status,
		startsAt: iso(r.starts_at)!,
		endsAt: iso(r.ends_at)!
	}));
}
