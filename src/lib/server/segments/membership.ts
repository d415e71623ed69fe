// Keeping memberships current (the worker calls these, each in its own
// transaction, with a role that may write memberships):
//   refresh      — the whole segment, set-based: insert who matches and is not
//                  a member, delete members who no longer match;
//   applyPending — only the contacts changed since, for every built segment.
// Both compute the same rule SQL as the live count. Entered/exited events are
// written by a trigger on segment_memberships.
//
// One segment must not hold up the others, nor fail its job on every retry:
// rules that no longer fit are recorded on the segment, and so is a statement
// that fails on the data (a stored value it cannot compare), each segment's
// statement behind a savepoint.
import { sql } from 'kysely';
import { DatabaseError } from 'pg';
import type { Trx } from '../db/rls.ts';
import { ruleContext } from '../contacts/list.ts';
import { segmentWhere } from './compile.ts';
import { SegmentRuleError } from './errors.ts';
import { validateRules, type RuleContext } from './validate.ts';

export type RefreshResult =
	| { status: 'missing' }
	| { status: 'invalid'; error: string }
	| { status: 'refreshed'; entered: number; exited: number; count: number }
	/** The rules changed during the build; the job that change queued rebuilds. */
	| { status: 'stale' };

/** One segment at a time, whoever triggers it (a refresh and an apply may overlap). */
async function lockSegment(trx: Trx, segmentId: string): Promise<void> {
	await sql`select pg_advisory_xact_lock(hashtextextended(${`segment:${segmentId}`}, 0))`.execute(
		trx
	);
}

/** An error of the data (class 22: a cast, a comparison), not of the connection or the code. */
function isDataError(error: unknown): error is DatabaseError {
	return error instanceof DatabaseError && (error.code ?? '').startsWith('22');
}

/** Why a build failed on the data, in words for the segment page. */
const dataProblem = (error: DatabaseError) =>
	`Some contacts hold values these rules cannot compare (${error.message}).`;

async function recordError(trx: Trx, segmentId: string, message: string): Promise<void> {
	await trx
		.updateTable('segments')
		.set({ error: message, cached_count: null })
		.where('id', '=', segmentId)
		.execute();
}

/**
 * Runs `fn` behind a savepoint; a data error rolls back to it (the
 * transaction goes on) and is returned instead of thrown.
 */
async function guarded<T>(trx: Trx, fn: () => Promise<T>): Promise<T | DatabaseError> {
	await sql`savepoint segment_statement`.execute(trx);
	try {
		const result = await fn();
		await sql`release savepoint segment_statement`.execute(trx);
		return result;
	} catch (error) {
		if (!isDataError(error)) throw error;
		await sql`rollback to savepoint segment_statement`.execute(trx);
		return error;
	}
}

/** Rebuilds or reconciles one segment. */
export async function refresh(trx: Trx, segmentId: string): Promise<RefreshResult> {
	await lockSegment(trx, segmentId);
	const segment = await trx
		.selectFrom('segments')
		.select(['org_id', 'rules', sql<string>`rules::text`.as('rules_text')])
		.where('id', '=', segmentId)
		.executeTakeFirst();
	if (!segment) return { status: 'missing' };
	const ctx = await ruleContext(trx, segment.org_id);
	let where;
	try {
		where = segmentWhere(validateRules(segment.rules, ctx), ctx);
	} catch (error) {
		if (!(error instanceof SegmentRuleError)) throw error;
		await recordError(trx, segmentId, error.message);
		return { status: 'invalid', error: error.message };
	}
	await sql`select set_config('work_mem', '128MB', true)`.execute(trx);
	const built = await guarded(trx, () =>
		sql<{ entered: number; exited: number; count: number }>`
		with matched as materialized (
			select c.id from public.contacts c where ${where}
		), entered as (
			insert into public.segment_memberships (org_id, segment_id, contact_id)
			select ${segment.org_id}::uuid, ${segmentId}::uuid, m.id from matched m
			 where not exists (select 1 from public.segment_memberships sm
			                    where sm.org_id = ${segment.org_id} and sm.segment_id = ${segmentId}
			                      and sm.contact_id = m.id)
			returning 1
		), exited as (
			delete from public.segment_memberships sm
			 where sm.org_id = ${segment.org_id} and sm.segment_id = ${segmentId}
			   and not exists (select 1 from matched m where m.id = sm.contact_id)
			returning 1
		)
		select (select count(*) from entered)::integer as entered,
		       (select count(*) from exited)::integer as exited,
		       (select count(*) from matched)::integer as count`.execute(trx)
	);
	if (built instanceof DatabaseError) {
		await recordError(trx, segmentId, dataProblem(built));
		return { status: 'invalid', error: dataProblem(built) };
	}
	const result = built.rows[0]!;
	// Rules changed while we worked: the job queued by that change rebuilds.
	const saved = await trx
		.updateTable('segments')
		.set({ cached_count: result.count, refreshed_at: sql`now()`, error: null })
		.where('id', '=', segmentId)
		.where(sql`rules::text`, '=', segment.rules_text)
		.executeTakeFirst();
	if (saved.numUpdatedRows === 0n) return { status: 'stale' };
	return { status: 'refreshed', ...result };
}

/**
 * Recomputes the memberships of a batch of changed contacts in every built
 * segment of the organization; returns how many contacts it took (0: done).
 */
export async function applyPending(trx: Trx, orgId: string, batch = 2000): Promise<number> {
	const { rows: taken } = await sql<{ id: string }>`
		select id from private.take_pending_contacts(${orgId}::uuid, ${batch}) id`.execute(trx);
	if (taken.length === 0) return 0;
	const ids = taken.map((r) => r.id);
	const segments = await trx
		.selectFrom('segments')
		.select(['id', 'rules'])
		.where('org_id', '=', orgId)
		.where('refreshed_at', 'is not', null)
		.where('error', 'is', null)
		.execute();
	let ctx: RuleContext | undefined;
	for (const segment of segments) {
		ctx ??= await ruleContext(trx, orgId);
		let where;
		try {
			where = segmentWhere(validateRules(segment.rules, ctx), ctx);
		} catch (error) {
			if (error instanceof SegmentRuleError) continue; // the next refresh records it
			throw error;
		}
		await lockSegment(trx, segment.id);
		const applied = await guarded(trx, () =>
			sql`
			with matched as materialized (
				select c.id from public.contacts c where c.id = any(${ids}::uuid[]) and ${where}
			), entered as (
				insert into public.segment_memberships (org_id, segment_id, contact_id)
				select ${orgId}::uuid, ${segment.id}::uuid, m.id from matched m
				on conflict do nothing
				returning 1
			), exited as (
				delete from public.segment_memberships sm
				 where sm.org_id = ${orgId} and sm.segment_id = ${segment.id}
				   and sm.contact_id = any(${ids}::uuid[])
				   and not exists (select 1 from matched m where m.id = sm.contact_id)
				returning 1
			)
			update public.segments
			   set cached_count = coalesce(cached_count, 0) + (select count(*) from entered) - (select count(*) from exited)
			 where id = ${segment.id}`.execute(trx)
		);
		// The other segments go on; the next refresh of this one records it again or recovers.
		if (applied instanceof DatabaseError) await recordError(trx, segment.id, dataProblem(applied));
	}
	return ids.length;
}

/** Queues the next background reconcile of a segment (the task re-queues itself). */
export async function scheduleRefresh(
	trx: Trx,
	segmentId: string,
	delaySeconds: number
): Promise<void> {
	await sql`select private.schedule_segment_refresh(${segmentId}::uuid, ${delaySeconds})`.execute(
		trx
	);
}
