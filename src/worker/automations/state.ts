// A run as the executor holds it in memory during a slice, and the writes a
// slice accumulates before flushing them in one statement.
import { sql } from 'kysely';
import type { Conn } from '../db.ts';

export type RunStatus = 'running' | 'waiting' | 'retrying' | 'completed' | 'failed' | 'cancelled';
export type StepStatus =
	'running' | 'waiting' | 'retrying' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export type RunState = {
	id: string;
	orgId: string;
	automationId: string;
	versionId: string;
	status: RunStatus;
	currentStep: string | null;
	seq: number;
	/** The open step run (waiting, retrying, or a side effect in flight), by id. */
	openStepRunId: string | null;
	wakeAt: Date | null;
	subjectType: string | null;
	subjectId: string | null;
	triggerEventId: string | null;
	context: Record<string, unknown>;
	startedAt: Date;
	// Set when the run finishes or fails.
	error: string | null;
	failedStep: string | null;
	finishedAt: Date | null;
	/** Not in the database yet: the flush inserts it in its final state. */
	isNew: boolean;
	dedupeKey: string | null;
};

export const RUN_COLUMNS = sql.raw(`id, org_id, automation_id, version_id, status::text as status,
	current_step, seq, open_step_run_id::text as open_step_run_id, wake_at, subject_type, subject_id,
	trigger_event_id::text as trigger_event_id, context, started_at, error, failed_step, finished_at`);

export type RunRow = {
	id: string;
	org_id: string;
	automation_id: string;
	version_id: string;
	status: RunStatus;
	current_step: string | null;
	seq: number;
	open_step_run_id: string | null;
	wake_at: Date | string | null;
	subject_type: string | null;
	subject_id: string | null;
	trigger_event_id: string | null;
	context: Record<string, unknown>;
	started_at: Date | string;
	error: string | null;
	failed_step: string | null;
	finished_at: Date | string | null;
};

const date = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));

export function toRunState(row: RunRow): RunState {
	return {
		id: row.id,
		orgId: row.org_id,
		automationId: row.automation_id,
		versionId: row.version_id,
		status: row.status,
		currentStep: row.current_step,
		seq: row.seq,
		openStepRunId: row.open_step_run_id,
		wakeAt: date(row.wake_at),
		subjectType: row.subject_type,
		subjectId: row.subject_id,
		triggerEventId: row.trigger_event_id === null ? null : String(row.trigger_event_id),
		context: row.context ?? {},
		startedAt: new Date(row.started_at),
		error: row.error,
		failedStep: row.failed_step,
		finishedAt: date(row.finished_at),
		isNew: false,
		dedupeKey: null
	};
}

/** Locks a run for the rest of the transaction (executors of one run take turns). */
export async function lockRun(trx: Conn, runId: string): Promise<RunState | null> {
	const { rows } = await sql<RunRow>`
		select ${RUN_COLUMNS} from public.automation_runs where id = ${runId} for update`.execute(trx);
	return rows[0] ? toRunState(rows[0]) : null;
}

export type StepRunRow = {
	id: string;
	seq: number;
	step_id: string;
	status: StepStatus;
	attempts: number;
	input: Record<string, unknown>;
	started_at: Date | string;
};

export async function loadStepRun(trx: Conn, id: string): Promise<StepRunRow | null> {
	const { rows } = await sql<StepRunRow>`
		select id::text as id, seq, step_id, status::text as status, attempts, input, started_at
		  from public.automation_step_runs where id = ${id}::bigint`.execute(trx);
	return rows[0] ?? null;
}

type Json = unknown;

export type NewStepRun = {
	org_id: string;
	run_id: string;
	seq: number;
	step_id: string;
	step_type: string;
	status: StepStatus;
	input: Json;
	output: Json;
	error: string | null;
	attempts: number;
	idempotency_key: string;
	started_at: string;
	finished_at: string | null;
	next_attempt_at: string | null;
};

export type StepRunClose = {
	id: string;
	status: StepStatus;
	output: Json;
	error: string | null;
	attempts: number;
	finished_at: string | null;
	next_attempt_at: string | null;
};

/** Writes a slice accumulates; flushed in one statement (plus the commit). */
export type Pending = {
	inserts: NewStepRun[];
	closes: StepRunClose[];
	runs: Map<string, RunState>;
	wakes: Array<{ id: string; at: string | null }>;
};

export const newPending = (): Pending => ({ inserts: [], closes: [], runs: new Map(), wakes: [] });

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export async function flush(trx: Conn, pending: Pending, now: Date): Promise<void> {
	if (
		pending.inserts.length === 0 &&
		pending.closes.length === 0 &&
		pending.runs.size === 0 &&
		pending.wakes.length === 0
	) {
		return;
	}
	const newRuns: unknown[] = [];
	const runs: unknown[] = [];
	for (const r of pending.runs.values()) {
		const common = {
			id: r.id,
			status: r.status,
			current_step: r.currentStep,
			seq: r.seq,
			open: r.openStepRunId !== null,
			wake_at: iso(r.wakeAt),
			error: r.error,
			failed_step: r.failedStep,
			finished_at: iso(r.finishedAt),
			updated_at: now.toISOString()
		};
		if (r.isNew) {
			newRuns.push({
				...common,
				org_id: r.orgId,
				automation_id: r.automationId,
				version_id: r.versionId,
				dedupe_key: r.dedupeKey,
				trigger_event_id: r.triggerEventId,
				subject_type: r.subjectType,
				subject_id: r.subjectId,
				context: r.context,
				started_at: r.startedAt.toISOString()
			});
			r.isNew = false;
		} else {
			runs.push({ ...common, open_id: r.openStepRunId === 'new' ? null : r.openStepRunId });
		}
	}
	await sql`select private.automation_flush(${JSON.stringify(newRuns)}::jsonb, ${JSON.stringify(runs)}::jsonb,
		${JSON.stringify(pending.inserts)}::jsonb, ${JSON.stringify(pending.closes)}::jsonb,
		${JSON.stringify(pending.wakes)}::jsonb)`.execute(trx);
	pending.inserts = [];
	pending.closes = [];
	pending.runs.clear();
	pending.wakes = [];
}
