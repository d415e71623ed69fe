// From events to runs. The events trigger queued one dispatch job per batch of
// events that an active automation listens to; this matches each event to the
// automations (event type, payload match, contact filter), creates the runs
// with their re-entry policy applied, and executes their first steps in the
// same transaction: a batch of events costs a handful of round trips.
import { sql } from 'kysely';
import { nextFire, parseCron } from '../../lib/automations/cron.ts';
import type { Definition } from '../../lib/automations/definition.ts';
import { serviceTx, type Conn } from '../db.ts';
import { runData, type EventData } from './data.ts';
import type { Engine } from './engine.ts';
import { advanceRun, progress, SliceFailure, type Slice } from './executor.ts';
import { flush, newPending, type RunState } from './state.ts';

type Match = {
	event_id: string;
	org_id: string;
	type: string;
	subject_type: string;
	subject_id: string | null;
	payload: Record<string, unknown>;
	occurred_at: string;
	automation_id: string;
	version_id: string;
};

export type Candidate = {
	org_id: string;
	automation_id: string;
	version_id: string;
	dedupe_key: string;
	trigger_event_id: string | null;
	subject_type: string | null;
	subject_id: string | null;
	start: string | null;
	reentry: string;
	reentry_days: number | null;
	context: Record<string, unknown>;
	/** A reason to fail the run at once (its filter could not be evaluated). */
	failure?: string;
};

function candidate(
	m: Pick<Match, 'org_id' | 'automation_id' | 'version_id'>,
	definition: Definition | null,
	fields: Pick<
		Candidate,
		'dedupe_key' | 'trigger_event_id' | 'subject_type' | 'subject_id' | 'context'
	>
): Candidate {
	const reentry = definition?.reentry ?? { mode: 'every_time' as const };
	return {
		org_id: m.org_id,
		automation_id: m.automation_id,
		version_id: m.version_id,
		start: definition?.start ?? null,
		reentry: reentry.mode,
		reentry_days: reentry.mode === 'after_days' ? reentry.days : null,
		...fields
	};
}

const sameValue = (actual: unknown, v: unknown) =>
	typeof actual === 'string' && typeof v === 'string'
		? actual.toLowerCase() === v.toLowerCase()
		: actual === v;

/**
 * A trigger's "only when" choices against an event's payload: each key equal,
 * or, for a list (contact.updated's `changed` fields), holding the value.
 */
export function payloadMatches(
	expected: Record<string, unknown> | undefined,
	payload: Record<string, unknown>
) {
	if (!expected) return true;
	return Object.entries(expected).every(([k, v]) => {
		const actual = payload[k];
		return Array.isArray(actual) ? actual.some((a) => sameValue(a, v)) : sameValue(actual, v);
	});
}

/** Which matched events start a run: trigger details first, then contact filters (batched). */
async function candidatesFor(engine: Engine, trx: Conn, matches: Match[]): Promise<Candidate[]> {
	await engine.definitions.load(
		trx,
		matches.map((m) => m.version_id)
	);
	const out: Candidate[] = [];
	const filtered = new Map<
		string,
		{ orgId: string; rules: Record<string, unknown>; items: Candidate[] }
	>();
	for (const m of matches) {
		const loaded = engine.definitions.require(m.version_id);
		const definition = loaded.ok ? loaded.definition : null;
		const trigger = definition?.trigger;
		if (trigger) {
			if (
				trigger.type === 'event' &&
				(trigger.event !== m.type || !payloadMatches(trigger.match, m.payload))
			)
				continue;
			if (trigger.type === 'webhook' && m.payload.endpoint_id !== trigger.endpointId) continue;
			if (trigger.type !== 'event' && trigger.type !== 'webhook') continue;
		}
		const c = candidate(m, definition, {
			dedupe_key: `event:${m.event_id}`,
			trigger_event_id: m.event_id,
			subject_type: m.subject_id ? m.subject_type : null,
			subject_id: m.subject_id,
			context: { trigger: 'event', event_type: m.type }
		});
		if (trigger?.type === 'event' && trigger.filter) {
			if (m.subject_type !== 'contact' || !m.subject_id) continue;
			const group = filtered.get(m.version_id) ?? {
				orgId: m.org_id,
				rules: trigger.filter,
				items: []
			};
			group.items.push(c);
			filtered.set(m.version_id, group);
		} else {
			out.push(c);
		}
	}
	for (const group of filtered.values()) {
		try {
			const ids = group.items.map((c) => c.subject_id!);
			const matching = await engine.rules.matching(trx, group.orgId, ids, group.rules);
			out.push(...group.items.filter((c) => matching.has(c.subject_id!)));
		} catch (error) {
			// A filter that cannot be evaluated fails its runs visibly rather than dropping events.
			const reason = `The trigger filter could not be evaluated: ${(error as Error).message}`;
			out.push(...group.items.map((c) => ({ ...c, failure: reason })));
		}
	}
	return out;
}

/**
 * Creates runs for candidates and executes them inside `trx` as far as their
 * internal steps go. Returns the runs that need more (a side effect, a failed
 * step): the caller advances them after the commit.
 */
export async function startRuns(
	engine: Engine,
	trx: Conn,
	candidates: Candidate[],
	haltAt: Map<string, number>,
	events: Map<string, EventData> = new Map()
): Promise<string[]> {
	if (candidates.length === 0) return [];
	const now = engine.clock.now();
	const byKey = new Map(candidates.map((c) => [`${c.automation_id}:${c.dedupe_key}`, c]));
	const { rows } = await sql<{
		automation_id: string;
		dedupe_key: string;
		run_id: string;
		created: boolean;
		status: string;
	}>`
		select automation_id, dedupe_key, run_id, created, status::text as status
		  from private.automation_runs_admit(${JSON.stringify(
				candidates.map((c) => ({
					automation_id: c.automation_id,
					dedupe_key: c.dedupe_key,
					trigger_event_id: c.trigger_event_id,
					subject_type: c.subject_type,
					subject_id: c.subject_id,
					reentry: c.reentry,
					reentry_days: c.reentry_days
				}))
			)}::jsonb, ${now.toISOString()}::timestamptz)`.execute(trx);
	const pending = newPending();
	const later: string[] = [];
	for (const row of rows) {
		if (!row.created) {
			// Created by an earlier, interrupted attempt of this job: another executor may hold it
			// now, so it only advances under its own lock.
			if (row.status === 'running') later.push(row.run_id);
			continue;
		}
		const haltKey = `${row.automation_id}:${row.dedupe_key}`;
		const c = byKey.get(haltKey)!;
		const run: RunState = {
			id: row.run_id,
			orgId: c.org_id,
			automationId: c.automation_id,
			versionId: c.version_id,
			status: 'running',
			currentStep: c.start,
			seq: 0,
			openStepRunId: null,
			wakeAt: null,
			subjectType: c.subject_type,
			subjectId: c.subject_id,
			triggerEventId: c.trigger_event_id,
			context: c.context,
			startedAt: now,
			error: null,
			failedStep: null,
			finishedAt: null,
			isNew: true,
			dedupeKey: c.dedupe_key
		};
		if (c.failure) {
			run.status = 'failed';
			run.error = c.failure;
			run.finishedAt = now;
			pending.runs.set(run.id, run);
			continue;
		}
		const event = c.trigger_event_id ? events.get(c.trigger_event_id) : undefined;
		const slice: Slice = { run, openAttempts: 0, data: runData(trx, run, event), executed: 0 };
		let end;
		try {
			end = await progress(
				engine,
				trx,
				slice,
				engine.definitions.require(run.versionId),
				pending,
				haltAt.get(haltKey)
			);
		} catch (error) {
			if (error instanceof SliceFailure) error.haltKey = haltKey;
			throw error;
		}
		if (end.kind !== 'done') later.push(run.id);
	}
	// Runs that need more (a side effect, a step that failed) go on as jobs of their own, queued
	// with this commit: other workers take them in parallel, and nothing is lost if this one dies.
	for (const id of later) pending.wakes.push({ id, at: null });
	await flush(trx, pending, now);
	return [];
}

/** Runs a transaction that executes steps; a failing step is left for its run's own slice. */
async function withHalts(
	engine: Engine,
	fn: (trx: Conn, haltAt: Map<string, number>) => Promise<string[]>
): Promise<void> {
	const haltAt = new Map<string, number>();
	for (let round = 0; ; round++) {
		try {
			const later = await serviceTx(engine.db, (trx) => fn(trx, haltAt));
			for (const runId of new Set(later)) await advanceRun(engine, runId);
			return;
		} catch (error) {
			if (!(error instanceof SliceFailure) || !error.haltKey || round > 100) throw error;
			// Redo the batch with that run stopping before the failing step; its own slice records the failure.
			haltAt.set(error.haltKey, error.seq);
		}
	}
}

/**
 * The automations_dispatch job: events (ids) → runs → first steps. When the
 * job waited in the queue (`queuedMs` beyond a threshold: the workers are
 * behind), it also takes other waiting dispatch jobs into its batch, and keeps
 * taking them for a little while (DISPATCH_BUDGET_MS); when it did not, it
 * handles its own events at once, which keeps the first step quick.
 */
export async function dispatchEvents(
	engine: Engine,
	eventIds: Array<string | number>,
	queuedMs = Infinity
): Promise<void> {
	const started = Date.now();
	let own = eventIds.map(String);
	const batching = engine.config.dispatchBatch > 1 && queuedMs >= BACKLOG_MS;
	for (;;) {
		let claimedCount = 0;
		await withHalts(engine, async (trx, haltAt) => {
			const ids = [...own];
			claimedCount = 0;
			if (batching) {
				const { rows: claimed } = await sql<{ ids: string[] }>`
					select private.automations_claim_dispatches(${engine.config.dispatchBatch - 1})::text[] as ids`.execute(
					trx
				);
				claimedCount = claimed[0]?.ids.length ?? 0;
				ids.push(...(claimed[0]?.ids ?? []));
			}
			if (ids.length === 0) return [];
			const { rows } = await sql<Match>`
				select e.id::text as event_id, e.org_id, e.type, e.subject_type, e.subject_id, e.payload,
				       e.occurred_at::text as occurred_at, a.id as automation_id, a.active_version_id as version_id
				  from public.events e
				  join public.automations a
				    on a.org_id = e.org_id and a.trigger_event = e.type and a.status = 'active'
				 where e.id = any(${ids}::bigint[])
				 order by e.id`.execute(trx);
			if (rows.length === 0) return [];
			const events = new Map<string, EventData>(
				rows.map((m) => [
					m.event_id,
					{ type: m.type, payload: m.payload, occurred_at: m.occurred_at }
				])
			);
			return startRuns(engine, trx, await candidatesFor(engine, trx, rows), haltAt, events);
		});
		own = [];
		if (claimedCount === 0 || Date.now() - started > DISPATCH_BUDGET_MS) return;
	}
}

/** How long one dispatch job keeps draining a backlog before it lets go. */
const DISPATCH_BUDGET_MS = 2000;

/** A job that waited this long in the queue means the workers are behind: batch. */
const BACKLOG_MS = 50;

/**
 * The automations_schedule job. Without `at` (just published) it only plans
 * the first firing; with `at` it starts that firing's run (once, whatever the
 * retries) and plans the next one. Firings missed while no worker ran collapse
 * into one.
 */
export async function fireSchedule(
	engine: Engine,
	payload: { automationId: string; versionId: string; at?: string }
): Promise<void> {
	await withHalts(engine, async (trx, haltAt) => {
		const { rows } = await sql<{
			org_id: string;
			status: string;
			active_version_id: string | null;
			time_zone: string;
		}>`
			select a.org_id, a.status::text as status, a.active_version_id, o.time_zone
			  from public.automations a join public.organizations o on o.id = a.org_id
			 where a.id = ${payload.automationId}`.execute(trx);
		const automation = rows[0];
		// Paused, archived, deleted or republished (the new version planned its own firings).
		if (
			!automation ||
			automation.status !== 'active' ||
			automation.active_version_id !== payload.versionId
		) {
			return [];
		}
		await engine.definitions.load(trx, [payload.versionId]);
		const loaded = engine.definitions.require(payload.versionId);
		if (!loaded.ok || loaded.definition.trigger.type !== 'schedule') return [];
		const cron = parseCron(loaded.definition.trigger.cron);
		const now = engine.clock.now();
		const base = payload.at
			? new Date(Math.max(Date.parse(payload.at), now.getTime() - 60_000))
			: now;
		// The schedule is the organization's wall clock ("09:00" in its time zone).
		const next = nextFire(cron, base, automation.time_zone);
		if (next) {
			await sql`select private.automation_schedule(${payload.automationId}, ${payload.versionId},
				${next.toISOString()}::timestamptz)`.execute(trx);
		}
		if (!payload.at) return [];
		const m = {
			org_id: automation.org_id,
			automation_id: payload.automationId,
			version_id: payload.versionId
		};
		return startRuns(
			engine,
			trx,
			[
				candidate(m, loaded.definition, {
					dedupe_key: `schedule:${payload.at}`,
					trigger_event_id: null,
					subject_type: null,
					subject_id: null,
					context: { trigger: 'schedule', scheduled_for: payload.at }
				})
			],
			haltAt
		);
	});
}
