// Saved segments and the live count of the segment builder. Rules are
// validated against the organization's fields and tags before they are saved
// or counted; the worker builds memberships after a save (see membership.ts).
import { sql, type SqlBool } from 'kysely';
import { z } from 'zod';
import type { Trx } from '../db/rls.ts';
import { ruleContext } from '../contacts/list.ts';
import { segmentWhere } from './compile.ts';
import { SegmentNotFoundError } from './errors.ts';
import { rootRuleSchema, type RuleGroup } from './rules.ts';
import { validateRules } from './validate.ts';

export type Segment = {
	id: string;
	name: string;
	description: string;
	/**
	 * Null when the stored rules cannot be read: written around the app (too
	 * deep, too large or malformed), they are never handed to the pages.
	 */
	rules: RuleGroup | null;
	cachedCount: number | null;
	refreshedAt: string | null;
	/** Why the last build failed, e.g. a rule refers to a deleted field. */
	error: string | null;
};

const segmentInputSchema = z.object({
	name: z.string().trim().min(1).max(100),
	description: z.string().trim().max(500).default(''),
	rules: z.unknown()
});
export type SegmentInput = z.input<typeof segmentInputSchema>;

const columns = [
	'id',
	'name',
	'description',
	'rules',
	'cached_count',
	'refreshed_at',
	'error'
] as const;

type Row = {
	id: string;
	name: string;
	description: string;
	rules: unknown;
	cached_count: number | null;
	refreshed_at: string | Date | null;
	error: string | null;
};

function toSegment(row: Row): Segment {
	const at = row.refreshed_at;
	const rules = rootRuleSchema.safeParse(row.rules);
	return {
		id: row.id,
		name: row.name,
		description: row.description,
		rules: rules.success ? rules.data : null,
		cachedCount: row.cached_count,
		refreshedAt: at instanceof Date ? at.toISOString() : at,
		error: row.error
	};
}

/**
 * Caps a count so that a careless rule cannot hold a connection for minutes,
 * and reads the organization's contacts through its own pages. The planner
 * judges the BRIN index on org_id by how sorted org ids are across the whole
 * table, which says nothing about whether each organization's rows sit
 * together (they do when they came in bulk): it would scan every tenant's
 * rows. Without a sequential scan it takes the BRIN bitmap, which skips the
 * page ranges without this organization's rows and otherwise reads as much as
 * a sequential scan would (bench/contacts.ts).
 */
async function boundStatement(trx: Trx): Promise<void> {
	await sql`select set_config('statement_timeout', '15s', true), set_config('work_mem', '64MB', true),
		set_config('enable_seqscan', 'off', true)`.execute(trx);
}

/**
 * How many contacts match a rule tree now (the builder's live count).
 * Throws SegmentRuleError with the path of every bad rule.
 */
export async function countMatching(trx: Trx, orgId: string, rules: unknown): Promise<number> {
	const ctx = await ruleContext(trx, orgId);
	const rule = validateRules(rules, ctx);
	await boundStatement(trx);
	const row = await trx
		.selectFrom('contacts as c')
		.select(sql<number>`count(*)::integer`.as('n'))
		.where(segmentWhere(rule, ctx))
		.executeTakeFirstOrThrow();
	return row.n;
}

export async function listSegments(trx: Trx, orgId: string): Promise<Segment[]> {
	const rows = await trx
		.selectFrom('segments')
		.select(columns)
		.where('org_id', '=', orgId)
		.orderBy('name')
		.execute();
	return rows.map(toSegment);
}

/** The largest counted segments, for the dashboard (counts as the worker last kept them). */
export async function largestSegments(
	trx: Trx,
	orgId: string,
	limit = 5
): Promise<Array<{ id: string; name: string; count: number }>> {
	const rows = await trx
		.selectFrom('segments')
		.select(['id', 'name', 'cached_count'])
		.where('org_id', '=', orgId)
		.where('cached_count', 'is not', null)
		.orderBy('cached_count', 'desc')
		.orderBy('name')
		.limit(limit)
		.execute();
	return rows.map((r) => ({ id: r.id, name: r.name, count: r.cached_count ?? 0 }));
}

export async function getSegment(trx: Trx, orgId: string, segmentId: string): Promise<Segment> {
	const row = await trx
		.selectFrom('segments')
		.select(columns)
		.where('org_id', '=', orgId)
		.where('id', '=', segmentId)
		.executeTakeFirst();
	if (!row) throw new SegmentNotFoundError(segmentId);
	return toSegment(row);
}

/** Saves a new segment; its members are computed by the worker right after. */
export async function createSegment(
	trx: Trx,
	orgId: string,
	input: SegmentInput
): Promise<Segment> {
	const s = segmentInputSchema.parse(input);
	const rules = validateRules(s.rules, await ruleContext(trx, orgId));
	const row = await trx
		.insertInto('segments')
		.values({
			org_id: orgId,
			name: s.name,
			description: s.description,
			rules: JSON.stringify(rules)
		})
		.returning(columns)
		.executeTakeFirstOrThrow();
	return toSegment(row);
}

/** Renames or changes rules (new rules mean a rebuild, without entered/exited events). */
export async function updateSegment(
	trx: Trx,
	orgId: string,
	segmentId: string,
	input: Partial<SegmentInput>
): Promise<Segment> {
	const s = segmentInputSchema.partial().parse(input);
	const rules =
		s.rules === undefined ? undefined : validateRules(s.rules, await ruleContext(trx, orgId));
	const row = await trx
		.updateTable('segments')
		.set({
			...(s.name !== undefined && { name: s.name }),
			...(s.description !== undefined && { description: s.description }),
			...(rules && { rules: JSON.stringify(rules) })
		})
		.where('org_id', '=', orgId)
		.where('id', '=', segmentId)
		.returning(columns)
		.executeTakeFirst();
	if (!row) throw new SegmentNotFoundError(segmentId);
	return toSegment(row);
}

export async function deleteSegment(trx: Trx, orgId: string, segmentId: string): Promise<void> {
	const result = await trx
		.deleteFrom('segments')
		.where('org_id', '=', orgId)
		.where('id', '=', segmentId)
		.executeTakeFirst();
	if (result.numDeletedRows === 0n) throw new SegmentNotFoundError(segmentId);
}

/** Whether a contact is in a segment (reads the materialized membership). */
export async function isMember(
	trx: Trx,
	orgId: string,
	segmentId: string,
	contactId: string
): Promise<boolean> {
	const row = await trx
		.selectFrom('segment_memberships')
		.select(sql<SqlBool>`true`.as('yes'))
		.where('org_id', '=', orgId)
		.where('segment_id', '=', segmentId)
		.where('contact_id', '=', contactId)
		.executeTakeFirst();
	return Boolean(row);
}
