// Runs and their step history, for the runs list (filters, keyset pages) and
// the per-run timeline; cancel and retry from the failed step.
import { sql, type SqlBool } from 'kysely';
import type { Definition } from '../../automations/definition.ts';
import { mapDbError } from '../db/errors.ts';
import type { Trx } from '../db/rls.ts';
import { AutomationNotFoundError, AutomationStateError } from './errors.ts';
import { runFilterSchema, type RunFilter } from './schemas.ts';

export type RunStatus = 'running' | 'waiting' | 'retrying' | 'completed' | 'failed' | 'cancelled';

export type RunSummary = {
	id: string;
	automationId: string;
	automationName: string;
	version: number;
	status: RunStatus;
	subjectType: string | null;
	subjectId: string | null;
	/** The contact's name or email, when the subject is a contact (null once erased). */
	subjectLabel: string | null;
	currentStep: string | null;
	/** The current step's name in the run's version (what people see; ids stay in the code). */
	currentStepName: string | null;
	error: string | null;
	failedStep: string | null;
	failedStepName: string | null;
	wakeAt: string | null;
	startedAt: string;
	finishedAt: string | null;
};

export type StepRunView = {
	seq: number;
	stepId: string;
	/** The step's name in the run's version (the graph may have changed since). */
	stepName: string;
	type: string;
	status: string;
	input: unknown;
	output: unknown;
	error: string | null;
	attempts: number;
	startedAt: string;
	finishedAt: string | null;
	nextAttemptAt: string | null;
	durationMs: number | null;
};

export type RunDetail = RunSummary & { context: unknown; steps: StepRunView[] };

export class InvalidRunCursorError extends Error {
	override readonly name = 'InvalidRunCursorError';
}

const iso = (v: unknown) =>
	v === null || v === undefined ? null : new Date(v as string).toISOString();

function encodeCursor(startedAt: string, id: string): string {
	return Buffer.from(`${startedAt}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { startedAt: string; id: string } {
	const [startedAt, id] = Buffer.from(cursor, 'base64url').toString().split('|');
	if (!startedAt || !id || Number.isNaN(Date.parse(startedAt)) || !/^[0-9a-f-]{36}$/.test(id)) {
		throw new InvalidRunCursorError('That page link is not valid any more.');
	}
	return { startedAt, id };
}

function baseQuery(trx: Trx, orgId: string) {
	return trx
		.selectFrom('automation_runs as r')
		.innerJoin('automations as a', 'a.id', 'r.automation_id')
		.innerJoin('automation_versions as v', 'v.id', 'r.version_id')
		.leftJoin('contacts as c', (join) =>
			join.onRef('c.id', '=', 'r.subject_id').on('r.subject_type', '=', 'contact')
		)
		.select([
			'r.id',
			'r.automation_id',
			'a.name as automation_name',
			'v.version',
			'v.definition',
			'r.status',
			'r.subject_type',
			'r.subject_id',
			sql<
				string | null
			>`case when c.erased_at is null then coalesce(nullif(btrim(concat_ws(' ', c.first_name, c.last_name)), ''), c.email::text) end`.as(
				'subject_label'
			),
			'r.current_step',
			'r.error',
			'r.failed_step',
			'r.wake_at',
			'r.started_at',
			'r.finished_at',
			'r.context'
		])
		.where('r.org_id', '=', orgId);
}

type Row = Awaited<ReturnType<ReturnType<typeof baseQuery>['executeTakeFirstOrThrow']>>;

/** A step's name in the run's version, else its place-holder (a step since removed). */
function stepName(definition: unknown, id: string | null): string | null {
	if (id === null) return null;
	const steps = (definition as Partial<Definition> | null)?.steps;
	const step = Array.isArray(steps) ? steps.find((s) => s?.id === id) : undefined;
	return typeof step?.name === 'string' && step.name.trim() ? step.name : 'a removed step';
}

const toSummary = (r: Row): RunSummary => ({
	id: r.id,
	automationId: r.automation_id,
	automationName: r.automation_name,
	version: r.version,
	status: r.status,
	subjectType: r.subject_type,
	subjectId: r.subject_id,
	subjectLabel: r.subject_label,
	currentStep: r.current_step,
	currentStepName: stepName(r.definition, r.current_step),
	error: r.error,
	failedStep: r.failed_step,
	failedStepName: stepName(r.definition, r.failed_step),
	wakeAt: iso(r.wake_at),
	startedAt: iso(r.started_at)!,
	finishedAt: iso(r.finished_at)
});

/** One page of runs, newest first, with filters; pass `nextCursor` back as `after`. */
export async function listRuns(
	trx: Trx,
	orgId: string,
	input: RunFilter = {}
): Promise<{ items: RunSummary[]; nextCursor: string | null }> {
	const f = runFilterSchema.parse(input);
	let query = baseQuery(trx, orgId);
	if (f.automationId) query = query.where('r.automation_id', '=', f.automationId);
	if (f.status) query = query.where('r.status', '=', f.status);
	if (f.subjectId) query = query.where('r.subject_id', '=', f.subjectId);
	if (f.version) query = query.where('v.version', '=', f.version);
	if (f.from) query = query.where('r.started_at', '>=', f.from);
	if (f.to) query = query.where('r.started_at', '<', f.to);
	if (f.after) {
		const { startedAt, id } = decodeCursor(f.after);
		query = query.where(
			sql<SqlBool>`(r.started_at, r.id) < (${startedAt}::timestamptz, ${id}::uuid)`
		);
	}
	const rows = await query
		.orderBy('r.started_at', 'desc')
		.orderBy('r.id', 'desc')
		.limit(f.limit + 1)
		.execute();
	const items = rows.slice(0, f.limit).map(toSummary);
	const last = rows.length > f.limit ? rows[f.limit - 1]! : null;
	return {
		items,
		nextCursor: last ? encodeCursor(iso(last.started_at)!, last.id) : null
	};
}

/** A run and its timeline of step executions, in order. */
export async function getRun(trx: Trx, orgId: string, runId: string): Promise<RunDetail> {
	const row = await baseQuery(trx, orgId).where('r.id', '=', runId).executeTakeFirst();
	if (!row) throw new AutomationNotFoundError(runId, 'Run');
	const steps = await trx
		.selectFrom('automation_step_runs')
		.select([
			'seq',
			'step_id',
			'step_type',
			'status',
			'input',
			'output',
			'error',
			'attempts',
			'started_at',
			'finished_at',
			'next_attempt_at'
		])
		.where('org_id', '=', orgId)
		.where('run_id', '=', runId)
		.orderBy('seq')
		.execute();
	const names = new Map(
		((row.definition as Partial<Definition>).steps ?? []).map((s) => [s.id, s.name])
	);
	return {
		...toSummary(row),
		context: row.context,
		steps: steps.map((s) => {
			const started = iso(s.started_at)!;
			const finished = iso(s.finished_at);
			return {
				seq: s.seq,
				stepId: s.step_id,
				stepName: names.get(s.step_id) ?? s.step_id,
				type: s.step_type,
				status: s.status,
				input: s.input,
				output: s.output,
				error: s.error,
				attempts: s.attempts,
				startedAt: started,
				finishedAt: finished,
				nextAttemptAt: iso(s.next_attempt_at),
				durationMs: finished ? Date.parse(finished) - Date.parse(started) : null
			};
		})
	};
}

async function runRpc(trx: Trx, runId: string, query: ReturnType<typeof sql>): Promise<unknown[]> {
	try {
		return (await query.execute(trx)).rows;
	} catch (error) {
		const mapped = mapDbError(error);
		if (mapped?.status === 404) throw new AutomationNotFoundError(runId, 'Run');
		if (mapped?.status === 422 && mapped.code)
			throw new AutomationStateError(mapped.code, mapped.message);
		throw error;
	}
}

/** Cancels a run that has not finished; false when it already had. */
export async function cancelRun(trx: Trx, runId: string): Promise<boolean> {
	const rows = (await runRpc(
		trx,
		runId,
		sql`select public.cancel_automation_run(${runId}) as cancelled`
	)) as Array<{ cancelled: boolean }>;
	return rows[0]?.cancelled ?? false;
}

/** Restarts a failed run at the step that failed (a new step run, so a new idempotency key). */
export async function retryRun(trx: Trx, runId: string): Promise<void> {
	await runRpc(trx, runId, sql`select public.retry_automation_run(${runId})`);
}
