// The run executor. A run advances in slices: a transaction locks the run row,
// executes internal steps (wait, condition, tags, fields, exit) and records
// them, and stops at a wait, the end, a failure, or a step with a side effect.
//
// Side effects (email, notify, HTTP, edge function) take three steps, on one
// pinned connection:
//   1. a transaction records the attempt ("running", attempts + 1) and takes a
//      session advisory lock on the run, then commits;
//   2. the side effect runs, outside any transaction, with an idempotency key
//      that is the same for every attempt of this step run (Idempotency-Key,
//      Message-ID);
//   3. a transaction records the outcome and carries on with internal steps.
// If the worker dies during 2., the lock dies with its connection and the next
// executor finds the attempt still "running": HTTP steps repeat it with the
// same Idempotency-Key; email steps do not repeat it (the message may have
// gone), they record the delivery as unknown and move on — a send is never
// doubled. While the lock is held, another executor leaves the run alone.
//
// Failures are retried with exponential backoff up to the step's limit, then
// fail the run with the error and the step named; retry_automation_run()
// restarts it at that step.
import { sql } from 'kysely';
import { EXTERNAL_STEPS, type Step } from '../../lib/automations/definition.ts';
import { txOn, withConnection, type Conn } from '../db.ts';
import { runData, type RunData } from './data.ts';
import type { LoadedDefinition } from './definitions.ts';
import type { Engine } from './engine.ts';
import { flush, loadStepRun, lockRun, newPending, type Pending, type RunState } from './state.ts';
import {
	prepareExternal,
	runInternal,
	StepError,
	type ExternalPlan,
	type ExternalStep,
	type InternalOutcome
} from './steps.ts';

/** A run with the attempts of its open step run (0 when none). */
export type Slice = { run: RunState; openAttempts: number; data: RunData; executed: number };

export type SliceEnd =
	| { kind: 'done' }
	| { kind: 'more' }
	| { kind: 'external'; step: ExternalStep }
	| { kind: 'halted' };

/** Thrown inside a slice's transaction when a step fails; the transaction rolls back. */
export class SliceFailure extends Error {
	override readonly name = 'SliceFailure';
	readonly runId: string;
	readonly seq: number;
	readonly stepId: string;
	readonly progressed: boolean;
	/** Set by the dispatcher: identifies a run created in the failed transaction (its id is gone). */
	haltKey?: string;
	constructor(runId: string, seq: number, stepId: string, progressed: boolean, cause: unknown) {
		super(`run ${runId}: step ${stepId} failed`, { cause });
		this.runId = runId;
		this.seq = seq;
		this.stepId = stepId;
		this.progressed = progressed;
	}
}

/** A side effect could not even be prepared (its template was deleted, …). */
class PrepareFailure extends Error {
	override readonly name = 'PrepareFailure';
	readonly stepId: string;
	constructor(stepId: string, cause: unknown) {
		super(`step ${stepId} could not be prepared`, { cause });
		this.stepId = stepId;
	}
}

const iso = (d: Date) => d.toISOString();
const key = (run: RunState, seq: number) => `${run.id}:${seq}`;
const lockKey = (runId: string) => sql`hashtextextended(${runId}, 0)`;

function stepLabel(step: Step | undefined, id: string | null): string {
	return step ? `Step "${step.name}"` : `Step "${id ?? '?'}"`;
}

function finish(run: RunState, now: Date, status: 'completed' | 'failed', error: string | null) {
	run.status = status;
	run.finishedAt = now;
	run.wakeAt = null;
	run.openStepRunId = null;
	run.error = error;
	if (status === 'completed') run.currentStep = null;
}

function failRun(run: RunState, now: Date, message: string) {
	run.failedStep = run.currentStep;
	finish(run, now, 'failed', message);
}

export function backoffSeconds(engine: Engine, step: Step | undefined, attempts: number): number {
	const base = step?.retry?.backoffSeconds ?? engine.config.defaultRetry.backoffSeconds;
	return Math.min(engine.config.maxBackoffSeconds, base * 2 ** Math.max(0, attempts - 1));
}

function maxAttempts(engine: Engine, step: Step | undefined): number {
	return step?.retry?.maxAttempts ?? engine.config.defaultRetry.maxAttempts;
}

/**
 * Records the outcome of the current step (closing its open step run or
 * inserting a new one) and moves the run on.
 */
function recordStep(
	slice: Slice,
	step: Step,
	pending: Pending,
	now: Date,
	startedAt: Date,
	outcome: InternalOutcome
) {
	const { run } = slice;
	pending.runs.set(run.id, run);
	const reuse = run.openStepRunId;
	const seq = reuse ? run.seq : run.seq + 1;
	const attempts = slice.openAttempts + 1;
	const input = outcome.kind === 'exit' ? {} : (outcome.input ?? {});
	if (outcome.kind === 'wait' && outcome.until.getTime() > now.getTime()) {
		pending.inserts.push({
			org_id: run.orgId,
			run_id: run.id,
			seq,
			step_id: step.id,
			step_type: step.type,
			status: 'waiting',
			input,
			output: null,
			error: null,
			attempts,
			idempotency_key: key(run, seq),
			started_at: iso(startedAt),
			finished_at: null,
			next_attempt_at: null
		});
		run.seq = seq;
		run.status = 'waiting';
		run.wakeAt = outcome.until;
		run.openStepRunId = 'new';
		pending.wakes.push({ id: run.id, at: iso(outcome.until) });
		slice.openAttempts = 0;
		return;
	}
	const output =
		outcome.kind === 'wait' ? { waited_until: iso(outcome.until) } : (outcome.output ?? null);
	const status = outcome.kind === 'next' && outcome.skipped ? 'skipped' : 'succeeded';
	if (reuse) {
		pending.closes.push({
			id: reuse,
			status,
			output,
			error: null,
			attempts,
			finished_at: iso(now),
			next_attempt_at: null
		});
	} else {
		pending.inserts.push({
			org_id: run.orgId,
			run_id: run.id,
			seq,
			step_id: step.id,
			step_type: step.type,
			status,
			input,
			output,
			error: null,
			attempts,
			idempotency_key: key(run, seq),
			started_at: iso(startedAt),
			finished_at: iso(now),
			next_attempt_at: null
		});
	}
	run.seq = seq;
	run.openStepRunId = null;
	slice.openAttempts = 0;
	if (outcome.kind === 'exit') {
		finish(run, now, 'completed', null);
	} else {
		run.currentStep =
			outcome.kind === 'wait' ? ((step as { next?: string | null }).next ?? null) : outcome.next;
	}
}

/**
 * Executes a run's internal steps inside `trx` until it waits, ends, fails,
 * reaches a side effect or the slice limit. Failures throw SliceFailure.
 */
export async function progress(
	engine: Engine,
	trx: Conn,
	slice: Slice,
	loaded: LoadedDefinition,
	pending: Pending,
	haltAtSeq?: number
): Promise<SliceEnd> {
	const { run } = slice;
	pending.runs.set(run.id, run);
	const now = () => engine.clock.now();
	if (!loaded.ok) {
		if (run.status === 'running') failRun(run, now(), loaded.error);
		return { kind: 'done' };
	}
	for (;;) {
		if (run.status !== 'running') return { kind: 'done' };
		if (run.currentStep === null) {
			finish(run, now(), 'completed', null);
			return { kind: 'done' };
		}
		const step = loaded.steps.get(run.currentStep);
		if (!step) {
			failRun(
				run,
				now(),
				`${stepLabel(undefined, run.currentStep)} does not exist in this version.`
			);
			return { kind: 'done' };
		}
		if (EXTERNAL_STEPS.has(step.type)) return { kind: 'external', step: step as ExternalStep };
		const seq = run.openStepRunId ? run.seq : run.seq + 1;
		if (seq > engine.config.maxStepsPerRun) {
			failRun(
				run,
				now(),
				`The run executed more than ${engine.config.maxStepsPerRun} steps; stopped.`
			);
			return { kind: 'done' };
		}
		if (haltAtSeq !== undefined && seq >= haltAtSeq) return { kind: 'halted' };
		if (slice.executed >= engine.config.maxStepsPerSlice) return { kind: 'more' };
		const startedAt = now();
		let outcome: InternalOutcome;
		try {
			outcome = await runInternal(
				engine,
				trx,
				run,
				step as Parameters<typeof runInternal>[3],
				slice.data
			);
		} catch (error) {
			throw new SliceFailure(run.id, seq, step.id, slice.executed > 0, error);
		}
		slice.executed++;
		recordStep(slice, step, pending, now(), startedAt, outcome);
	}
}

/**
 * Opens a slice on a locked run: a due wait ends, a due retry becomes the next
 * attempt; a run not due yet (or finished) has nothing to do.
 */
async function beginSlice(
	engine: Engine,
	trx: Conn,
	run: RunState,
	loaded: LoadedDefinition,
	pending: Pending
): Promise<Slice | null> {
	const now = engine.clock.now();
	const slice: Slice = { run, openAttempts: 0, data: runData(trx, run), executed: 0 };
	if (run.status === 'waiting' || run.status === 'retrying') {
		if (run.wakeAt && run.wakeAt.getTime() > now.getTime()) {
			// Woken early (a clock ahead of ours, a duplicate job): sleep again.
			pending.wakes.push({ id: run.id, at: iso(run.wakeAt) });
			return null;
		}
		const open = run.openStepRunId ? await loadStepRun(trx, run.openStepRunId) : null;
		if (run.status === 'waiting') {
			const step = loaded.ok ? loaded.steps.get(run.currentStep ?? '') : undefined;
			if (open) {
				pending.closes.push({
					id: open.id,
					status: 'succeeded',
					output: { resumed_at: iso(now) },
					error: null,
					attempts: open.attempts,
					finished_at: iso(now),
					next_attempt_at: null
				});
			}
			run.openStepRunId = null;
			run.currentStep = step && 'next' in step ? (step.next ?? null) : null;
		} else {
			slice.openAttempts = open?.attempts ?? 0;
			if (!open) run.openStepRunId = null;
		}
		run.status = 'running';
		run.wakeAt = null;
		pending.runs.set(run.id, run);
	}
	return run.status === 'running' ? slice : null;
}

/** One slice of one run in its own transaction. */
async function runSlice(
	engine: Engine,
	trx: Conn,
	runId: string,
	haltAtSeq: number | undefined
): Promise<SliceEnd> {
	const run = await lockRun(trx, runId);
	if (!run) return { kind: 'done' };
	await engine.definitions.load(trx, [run.versionId]);
	const loaded = engine.definitions.require(run.versionId);
	const pending = newPending();
	const slice = await beginSlice(engine, trx, run, loaded, pending);
	const end = slice
		? await progress(engine, trx, slice, loaded, pending, haltAtSeq)
		: { kind: 'done' as const };
	await flush(trx, pending, engine.clock.now());
	return end;
}

/** Records a failed attempt: retry later with backoff, or fail the run. */
export async function recordFailure(
	engine: Engine,
	conn: Conn,
	runId: string,
	stepId: string,
	error: unknown
): Promise<void> {
	await txOn(conn, async (trx) => {
		const run = await lockRun(trx, runId);
		if (!run || run.currentStep !== stepId || !['running', 'retrying'].includes(run.status)) return;
		await engine.definitions.load(trx, [run.versionId]);
		const loaded = engine.definitions.require(run.versionId);
		const step = loaded.ok ? loaded.steps.get(stepId) : undefined;
		const now = engine.clock.now();
		const open = run.openStepRunId ? await loadStepRun(trx, run.openStepRunId) : null;
		// An external attempt was counted when it started; an internal one is counted now.
		const attempts = open ? (open.status === 'running' ? open.attempts : open.attempts + 1) : 1;
		const message = error instanceof Error ? error.message : String(error);
		const retryable = !(error instanceof StepError) || error.retryable;
		const retry = retryable && attempts < maxAttempts(engine, step);
		const nextAt = retry
			? new Date(now.getTime() + backoffSeconds(engine, step, attempts) * 1000)
			: null;
		const pending = newPending();
		const seq = open ? run.seq : run.seq + 1;
		const status = retry ? 'retrying' : 'failed';
		if (open) {
			pending.closes.push({
				id: open.id,
				status,
				output: null,
				error: message,
				attempts,
				finished_at: retry ? null : iso(now),
				next_attempt_at: nextAt ? iso(nextAt) : null
			});
		} else {
			pending.inserts.push({
				org_id: run.orgId,
				run_id: run.id,
				seq,
				step_id: stepId,
				step_type: step?.type ?? 'unknown',
				status,
				input: {},
				output: null,
				error: message,
				attempts,
				idempotency_key: key(run, seq),
				started_at: iso(now),
				finished_at: retry ? null : iso(now),
				next_attempt_at: nextAt ? iso(nextAt) : null
			});
		}
		run.seq = seq;
		if (retry) {
			run.status = 'retrying';
			run.wakeAt = nextAt;
			run.openStepRunId = open ? open.id : 'new';
			pending.wakes.push({ id: run.id, at: iso(nextAt!) });
		} else {
			failRun(
				run,
				now,
				`${stepLabel(step, stepId)} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${message}`
			);
		}
		pending.runs.set(run.id, run);
		await flush(trx, pending, now);
	});
}

type ExternalResult = 'busy' | 'continue' | 'done';

/** Steps 1–3 of a side effect (see the top of this file), then internal steps after it. */
async function performExternal(engine: Engine, conn: Conn, runId: string): Promise<ExternalResult> {
	let holdsLock = false;
	try {
		let prepared;
		try {
			prepared = await txOn(conn, (trx) => prepareAttempt(trx));
		} catch (error) {
			if (!(error instanceof PrepareFailure)) throw error;
			await recordFailure(engine, conn, runId, error.stepId, error.cause);
			return 'continue';
		}
		if (typeof prepared === 'string') return prepared;
		return await completeAttempt(prepared);
	} finally {
		if (holdsLock) {
			await sql`select pg_advisory_unlock(${lockKey(runId)})`.execute(conn).catch(() => {});
		}
	}

	async function prepareAttempt(trx: Conn) {
		const run = await lockRun(trx, runId);
		if (!run || run.status !== 'running' || !run.currentStep) return 'done' as const;
		await engine.definitions.load(trx, [run.versionId]);
		const loaded = engine.definitions.require(run.versionId);
		const step = loaded.ok ? loaded.steps.get(run.currentStep) : undefined;
		if (!step || !EXTERNAL_STEPS.has(step.type)) return 'continue' as const;
		const external = step as ExternalStep;
		const now = engine.clock.now();
		const pending = newPending();
		const slice: Slice = { run, openAttempts: 0, data: runData(trx, run), executed: 0 };
		const open = run.openStepRunId ? await loadStepRun(trx, run.openStepRunId) : null;
		const { rows } = await sql<{ locked: boolean }>`
				select pg_try_advisory_lock(${lockKey(run.id)}) as locked`.execute(trx);
		if (!rows[0]?.locked) return 'busy' as const;
		holdsLock = true;
		let attempts: number;
		let seq: number;
		let stepRunId: string | null;
		if (open && open.status === 'running') {
			// The attempt recorded before this one never reported back: its worker died.
			if (external.type === 'send_email' || external.type === 'notify_member') {
				slice.openAttempts = open.attempts - 1;
				recordStep(slice, external, pending, now, new Date(open.started_at), {
					kind: 'next',
					next: external.next ?? null,
					input: open.input,
					output: {
						delivery: 'unknown',
						note: 'The worker stopped while sending; not sent again so that it cannot arrive twice.'
					}
				});
				await flush(trx, pending, now);
				return 'continue' as const;
			}
			attempts = open.attempts + 1;
			seq = open.seq;
			stepRunId = open.id;
		} else if (open && open.status === 'retrying') {
			attempts = open.attempts + 1;
			seq = open.seq;
			stepRunId = open.id;
		} else {
			attempts = 1;
			seq = run.seq + 1;
			stepRunId = null;
		}
		let plan;
		try {
			plan = await prepareExternal(engine, trx, run, external, slice.data, key(run, seq));
		} catch (error) {
			throw new PrepareFailure(external.id, error);
		}
		if (plan.kind === 'skip') {
			slice.openAttempts = attempts - 1;
			recordStep(slice, external, pending, now, now, {
				kind: 'next',
				next: external.next ?? null,
				input: plan.input,
				output: plan.output,
				skipped: true
			});
			await flush(trx, pending, now);
			return 'continue' as const;
		}
		if (stepRunId) {
			await sql`update public.automation_step_runs
				             set status = 'running', attempts = ${attempts}, input = ${JSON.stringify(plan.input)}::jsonb,
				                 next_attempt_at = null, error = null
				           where id = ${stepRunId}::bigint`.execute(trx);
		} else {
			pending.inserts.push({
				org_id: run.orgId,
				run_id: run.id,
				seq,
				step_id: external.id,
				step_type: external.type,
				status: 'running',
				input: plan.input,
				output: null,
				error: null,
				attempts,
				idempotency_key: key(run, seq),
				started_at: iso(now),
				finished_at: null,
				next_attempt_at: null
			});
			run.seq = seq;
			run.openStepRunId = 'new';
			pending.runs.set(run.id, run);
			await flush(trx, pending, now);
		}
		return { plan, step: external, attempts };
	}

	async function completeAttempt(prepared: {
		plan: Extract<ExternalPlan, { kind: 'perform' }>;
		step: ExternalStep;
		attempts: number;
	}): Promise<ExternalResult> {
		let output: unknown;
		let failure: unknown = null;
		try {
			output = await prepared.plan.perform();
		} catch (error) {
			failure = error;
		}

		if (failure !== null) {
			await recordFailure(engine, conn, runId, prepared.step.id, failure);
			return 'continue';
		}
		await txOn(conn, async (trx) => {
			const run = await lockRun(trx, runId);
			if (!run) return;
			const now = engine.clock.now();
			const pending = newPending();
			if (run.openStepRunId) {
				pending.closes.push({
					id: run.openStepRunId,
					status: 'succeeded',
					output: output ?? null,
					error: null,
					attempts: prepared.attempts,
					finished_at: iso(now),
					next_attempt_at: null
				});
			}
			if (run.status === 'running' && run.currentStep === prepared.step.id) {
				run.openStepRunId = null;
				run.currentStep = prepared.step.next ?? null;
				pending.runs.set(run.id, run);
			}
			await flush(trx, pending, now);
		});
		return 'continue';
	}
}

/** Advances one run as far as it can go now. */
export async function advanceRun(engine: Engine, runId: string): Promise<void> {
	await withConnection(engine.db, async (conn) => {
		let haltAtSeq: number | undefined;
		for (let round = 0; round < 10_000; round++) {
			let end: SliceEnd;
			try {
				end = await txOn(conn, (trx) => runSlice(engine, trx, runId, haltAtSeq));
			} catch (error) {
				if (!(error instanceof SliceFailure)) throw error;
				if (error.progressed) {
					// Commit what came before the failing step, then give it a slice of its own.
					haltAtSeq = error.seq;
				} else {
					haltAtSeq = undefined;
					await recordFailure(engine, conn, runId, error.stepId, error.cause);
				}
				continue;
			}
			haltAtSeq = undefined;
			if (end.kind === 'done') return;
			if (end.kind === 'external') {
				const result = await performExternal(engine, conn, runId);
				if (result === 'busy' || result === 'done') return;
			}
		}
		throw new Error(`run ${runId}: too many slices`);
	});
}

/** Runs whose wait or retry is due by the engine's clock (tests move it; production has jobs). */
export async function resumeDue(engine: Engine, limit = 1000): Promise<number> {
	const { rows } = await sql<{ id: string }>`
		select id from public.automation_runs
		 where status in ('waiting', 'retrying') and wake_at <= ${iso(engine.clock.now())}::timestamptz
		 order by wake_at limit ${limit}`.execute(engine.db);
	for (const row of rows) await advanceRun(engine, row.id);
	return rows.length;
}
