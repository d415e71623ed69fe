// The automations card: runs per day over the last 30 days by outcome
// (completed, failed, still going), totals for 7 and 30 days, and the latest
// failures to look into. Counts come from automation_run_daily_counts; the
// failures through the automations module's run list (one index range).
import { sql } from 'kysely';
import * as automations from '../automations/index.ts';
import type { Trx } from '../db/rls.ts';
import { lastDays } from './days.ts';

export const RUN_DAYS = 30;

/** How the card groups run statuses: anything not finished is "in progress". */
export type RunOutcome = 'completed' | 'failed' | 'inProgress' | 'cancelled';
export type RunCounts = Record<RunOutcome, number>;

const OUTCOME: Record<string, RunOutcome> = {
	completed: 'completed',
	failed: 'failed',
	running: 'inProgress',
	waiting: 'inProgress',
	retrying: 'inProgress',
	cancelled: 'cancelled'
};

export type AutomationsSummary = {
	/** Runs started each day, by outcome now, oldest first (RUN_DAYS points). */
	daily: Array<{ day: string } & RunCounts>;
	last7: RunCounts;
	last30: RunCounts;
	failures: Array<{
		id: string;
		automationName: string;
		subjectLabel: string | null;
		error: string | null;
		startedAt: string;
	}>;
};

const zero = (): RunCounts => ({ completed: 0, failed: 0, inProgress: 0, cancelled: 0 });

export async function automationsSummary(
	trx: Trx,
	orgId: string,
	today: string
): Promise<AutomationsSummary> {
	const days = lastDays(today, RUN_DAYS);
	const { rows } = await sql<{ day: string; status: string; n: string }>`
		select least(day, ${today}::date)::text as day, status, sum(n)::bigint as n
		  from public.automation_run_daily_counts
		 where org_id = ${orgId} and day >= ${days[0]}::date
		 group by 1, 2`.execute(trx);
	const perDay = new Map(days.map((day) => [day, zero()]));
	for (const row of rows) {
		const counts = perDay.get(row.day);
		const outcome = OUTCOME[row.status];
		if (counts && outcome) counts[outcome] += Number(row.n);
	}
	const daily = days.map((day) => ({ day, ...perDay.get(day)! }));
	const sum = (from: number) =>
		daily.slice(from).reduce((acc, d) => {
			for (const k of Object.keys(acc) as RunOutcome[]) acc[k] += d[k];
			return acc;
		}, zero());
	const failed = await automations.listRuns(trx, orgId, { status: 'failed', limit: 3 });
	return {
		daily,
		last7: sum(RUN_DAYS - 7),
		last30: sum(0),
		failures: failed.items.map((r) => ({
			id: r.id,
			automationName: r.automationName,
			subjectLabel: r.subjectLabel,
			error: r.error,
			startedAt: r.startedAt
		}))
	};
}
