// The board: three columns (Cold, Active, Final) of cards in board order, each
// column read as one index range (org_id, status, board_position, id) with a
// keyset "show more", plus the column counts. bench/influencers-board.ts
// measures a column of an organization with 20,000 records against the same
// query written by hand.
import { sql } from 'kysely';
import { z } from 'zod';
import type { Trx } from '../db/rls.ts';
import { STATUSES, type InfluencerStatus } from '../../influencers/pipeline.ts';
import { InfluencerCursorError } from './errors.ts';
import { handlesFor, pipelineCounts, type Handle } from './influencers.ts';

export const COLUMN_SIZE = 50;

export type Card = {
	id: string;
	name: string;
	status: InfluencerStatus;
	ownerName: string | null;
	tags: string[];
	lastContactedAt: string | null;
	handle: Handle | null;
};

export type Column = {
	status: InfluencerStatus;
	count: number;
	cards: Card[];
	/** Cursor of the next cards of this column (null: all shown). */
	next: string | null;
};

const cursorSchema = z.object({ p: z.string().regex(/^-?\d+(\.\d+)?$/), id: z.uuid() });
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

/** The cards of one column in board order, from a cursor (none: the top). */
export async function column(
	trx: Trx,
	orgId: string,
	status: InfluencerStatus,
	options: { after?: string | null; limit?: number } = {}
): Promise<{ cards: Card[]; next: string | null }> {
	const limit = options.limit ?? COLUMN_SIZE;
	let q = trx
		.selectFrom('influencers as i')
		.leftJoin('profiles as p', 'p.id', 'i.owner_id')
		.select([
			'i.id',
			'i.name',
			'i.status',
			'i.tags',
			'i.last_contacted_at',
			'i.owner_id',
			sql<string>`i.board_position::text`.as('position'),
			'p.full_name as owner_name',
			'p.email as owner_email'
		])
		.where('i.org_id', '=', orgId)
		.where('i.status', '=', status);
	if (options.after) {
		const c = decode(options.after);
		q = q.where(sql<boolean>`(i.board_position, i.id) > (${c.p}::numeric, ${c.id}::uuid)`);
	}
	const rows = await q
		.orderBy('i.board_position')
		.orderBy('i.id')
		.limit(limit + 1)
		.execute();
	const page = rows.slice(0, limit);
	const handles = await handlesFor(
		trx,
		orgId,
		page.map((r) => r.id)
	);
	const last = page.at(-1);
	return {
		cards: page.map((r) => ({
			id: r.id,
			name: r.name,
			status: r.status,
			ownerName: r.owner_id ? r.owner_name || r.owner_email || 'A teammate' : null,
			tags: r.tags,
			lastContactedAt: iso(r.last_contacted_at),
			handle: handles.get(r.id)?.[0] ?? null
		})),
		next: rows.length > limit && last ? encode({ p: last.position, id: last.id }) : null
	};
}

/** The whole board: each column's first cards (or from its cursor) and its count. */
export async function board(
	trx: Trx,
	orgId: string,
	after: Partial<Record<InfluencerStatus, string>> = {}
): Promise<Column[]> {
	const counts = await pipelineCounts(trx, orgId);
	const columns: Column[] = [];
	for (const status of STATUSES) {
		const { cards, next } = await column(trx, orgId, status, { after: after[status] });
		columns.push({ status, count: counts[status], cards, next });
	}
	return columns;
}
