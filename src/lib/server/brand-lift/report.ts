// The brand lift report of a study: per question, the positive rate in the
// exposed and control groups, the lift with its 90 % interval and p-value,
// and how each option was answered. Read from the rollups the survey keeps
// (brand_lift_question_totals, brand_lift_option_totals): a few rows per
// question whatever the number of responses. reportByScan computes the same
// from the responses themselves (the benchmark's baseline, and a check).
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';
import { lift, type GroupCounts, type Lift } from '../../brand-lift/lift.ts';
import type { QuestionKind } from './studies.ts';

export type OptionRow = {
	id: string;
	label: string;
	positive: boolean;
	exposed: number;
	control: number;
};

export type QuestionReport = {
	id: string;
	kind: QuestionKind;
	prompt: string;
	multiple: boolean;
	exposed: GroupCounts;
	control: GroupCounts;
	lift: Lift;
	options: OptionRow[];
};

export type StudyReport = {
	/** Respondents per group (every question is answered, so the most answered question's count). */
	responses: { exposed: number; control: number };
	questions: QuestionReport[];
};

type Totals = {
	question_id: string;
	group: 'exposed' | 'control';
	answered: number;
	positive: number;
};
type OptionTotals = { option_id: string; group: 'exposed' | 'control'; answers: number };

async function shape(
	trx: Trx,
	orgId: string,
	studyId: string,
	totals: Totals[],
	optionTotals: OptionTotals[]
): Promise<StudyReport> {
	const [qs, opts] = await Promise.all([
		trx
			.selectFrom('brand_lift_questions')
			.select(['id', 'kind', 'prompt', 'multiple'])
			.where('org_id', '=', orgId)
			.where('study_id', '=', studyId)
			.orderBy('position')
			.orderBy('id')
			.execute(),
		trx
			.selectFrom('brand_lift_options')
			.select(['id', 'question_id', 'label', 'positive'])
			.where('org_id', '=', orgId)
			.where('study_id', '=', studyId)
			.orderBy('position')
			.orderBy('id')
			.execute()
	]);
	const count = (questionId: string, group: 'exposed' | 'control'): GroupCounts => {
		const t = totals.find((x) => x.question_id === questionId && x.group === group);
		return { answered: t?.answered ?? 0, positive: t?.positive ?? 0 };
	};
	const optionCount = (optionId: string, group: 'exposed' | 'control') =>
		optionTotals.find((x) => x.option_id === optionId && x.group === group)?.answers ?? 0;
	const questions = qs.map((q) => {
		const exposed = count(q.id, 'exposed');
		const control = count(q.id, 'control');
		return {
			...q,
			exposed,
			control,
			lift: lift(exposed, control),
			options: opts
				.filter((o) => o.question_id === q.id)
				.map((o) => ({
					id: o.id,
					label: o.label,
					positive: o.positive,
					exposed: optionCount(o.id, 'exposed'),
					control: optionCount(o.id, 'control')
				}))
		};
	});
	return {
		responses: {
			exposed: Math.max(0, ...questions.map((q) => q.exposed.answered)),
			control: Math.max(0, ...questions.map((q) => q.control.answered))
		},
		questions
	};
}

/** The report from the rollups. */
export async function report(trx: Trx, orgId: string, studyId: string): Promise<StudyReport> {
	const [totals, optionTotals] = await Promise.all([
		sql<Totals>`
			select question_id, "group", answered, positive from public.brand_lift_question_totals
			 where org_id = ${orgId} and study_id = ${studyId}`.execute(trx),
		sql<OptionTotals>`
			select option_id, "group", answers from public.brand_lift_option_totals
			 where org_id = ${orgId} and study_id = ${studyId}`.execute(trx)
	]);
	return shape(trx, orgId, studyId, totals.rows, optionTotals.rows);
}

/** The same report computed by scanning the responses (benchmark baseline; a rollup check). */
export async function reportByScan(trx: Trx, orgId: string, studyId: string): Promise<StudyReport> {
	const [totals, optionTotals] = await Promise.all([
		sql<Totals>`
			select x.question_id, x."group", count(*)::int as answered, count(*) filter (where x.positive)::int as positive
			  from (select a.response_id, a.question_id, r."group", bool_or(o.positive) as positive
			          from public.brand_lift_answers a
			          join public.brand_lift_responses r on r.study_id = a.study_id and r.id = a.response_id
			          join public.brand_lift_options o on o.id = a.option_id
			         where a.org_id = ${orgId} and a.study_id = ${studyId}
			         group by a.response_id, a.question_id, r."group") x
			 group by x.question_id, x."group"`.execute(trx),
		sql<OptionTotals>`
			select a.option_id, r."group", count(*)::int as answers
			  from public.brand_lift_answers a
			  join public.brand_lift_responses r on r.study_id = a.study_id and r.id = a.response_id
			 where a.org_id = ${orgId} and a.study_id = ${studyId}
			 group by a.option_id, r."group"`.execute(trx)
	]);
	return shape(trx, orgId, studyId, totals.rows, optionTotals.rows);
}

const pct = (x: number | null) => (x === null ? '' : (x * 100).toFixed(2));

/** The report as CSV (one row per question), for export. */
export function toCsv(r: StudyReport): string {
	const cell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
	const header = [
		'question',
		'kind',
		'exposed answers',
		'exposed positive %',
		'control answers',
		'control positive %',
		'lift (points)',
		'relative lift %',
		'90% interval low (points)',
		'90% interval high (points)',
		'p-value',
		'significant'
	];
	const lines = r.questions.map((q) => {
		const l = q.lift;
		return [
			cell(q.prompt.replace(/^[=+\-@\t\r]/, "'$&")),
			q.kind,
			String(q.exposed.answered),
			pct(l.exposedRate),
			String(q.control.answered),
			pct(l.controlRate),
			l.enough ? pct(l.absolute) : 'not enough data',
			l.enough ? pct(l.relative) : '',
			l.enough ? pct(l.low) : '',
			l.enough ? pct(l.high) : '',
			l.enough ? l.pValue.toFixed(4) : '',
			l.enough ? (l.significant ? 'yes' : 'no') : ''
		].join(',');
	});
	return [header.join(','), ...lines].join('\r\n') + '\r\n';
}
