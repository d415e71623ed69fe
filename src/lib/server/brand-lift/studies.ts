// Brand lift studies: the study of a campaign, its questions and options,
// the review workflow (status changes and threaded comments) and the survey
// links. Queries take the request's transaction (RLS decides who may); the
// database enforces the status machine, the review permission and the
// power check at launch; launch() checks the power first to answer with the
// numbers before any write.
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';
import { check } from '../../brand-lift/power.ts';
import { StudyNotFoundError, UnderpoweredError } from './errors.ts';
import type { DesignInput, QuestionInput } from './schema.ts';
import type { Database } from '../../database.types.ts';

export type StudyStatus = Database['public']['Enums']['study_status'];
export type QuestionKind = Database['public']['Enums']['study_question_kind'];

export type Study = {
	id: string;
	campaign_id: string;
	name: string;
	status: StudyStatus;
	holdout_percent: number;
	baseline_percent: number;
	target_lift_points: number;
	planned_sample: number;
	launched_at: Date | null;
	closed_at: Date | null;
	status_changed_at: Date;
};

export type Question = {
	id: string;
	position: number;
	kind: QuestionKind;
	prompt: string;
	multiple: boolean;
	options: { id: string; label: string; positive: boolean; position: number }[];
};

export type Comment = {
	id: string;
	parent_id: string | null;
	author: string | null;
	body: string;
	created_at: Date;
};

/** The campaign's study, or null when it has none. */
export async function find(trx: Trx, orgId: string, campaignId: string): Promise<Study | null> {
	const row = await trx
		.selectFrom('brand_lift_studies')
		.select([
			'id',
			'campaign_id',
			'name',
			'status',
			'holdout_percent',
			'baseline_percent',
			'target_lift_points',
			'planned_sample',
			'launched_at',
			'closed_at',
			'status_changed_at'
		])
		.where('org_id', '=', orgId)
		.where('campaign_id', '=', campaignId)
		.executeTakeFirst();
	if (!row) return null;
	return {
		...row,
		holdout_percent: Number(row.holdout_percent),
		baseline_percent: Number(row.baseline_percent),
		target_lift_points: Number(row.target_lift_points),
		launched_at: row.launched_at ? new Date(row.launched_at) : null,
		closed_at: row.closed_at ? new Date(row.closed_at) : null,
		status_changed_at: new Date(row.status_changed_at)
	};
}

export async function get(trx: Trx, orgId: string, campaignId: string): Promise<Study> {
	const study = await find(trx, orgId, campaignId);
	if (!study) throw new StudyNotFoundError();
	return study;
}

/** Starts the campaign's study as a draft with the standard design. */
export async function create(
	trx: Trx,
	orgId: string,
	campaignId: string,
	name: string
): Promise<string> {
	const row = await trx
		.insertInto('brand_lift_studies')
		.values({ org_id: orgId, campaign_id: campaignId, name })
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}

export async function saveDesign(
	trx: Trx,
	orgId: string,
	studyId: string,
	input: DesignInput
): Promise<void> {
	await trx
		.updateTable('brand_lift_studies')
		.set(input)
		.where('org_id', '=', orgId)
		.where('id', '=', studyId)
		.execute();
}

export async function questions(trx: Trx, orgId: string, studyId: string): Promise<Question[]> {
	const [qs, opts] = await Promise.all([
		trx
			.selectFrom('brand_lift_questions')
			.select(['id', 'position', 'kind', 'prompt', 'multiple'])
			.where('org_id', '=', orgId)
			.where('study_id', '=', studyId)
			.orderBy('position')
			.orderBy('id')
			.execute(),
		trx
			.selectFrom('brand_lift_options')
			.select(['id', 'question_id', 'label', 'positive', 'position'])
			.where('org_id', '=', orgId)
			.where('study_id', '=', studyId)
			.orderBy('position')
			.orderBy('id')
			.execute()
	]);
	return qs.map((q) => ({
		...q,
		options: opts
			.filter((o) => o.question_id === q.id)
			.map(({ id, label, positive, position }) => ({ id, label, positive, position }))
	}));
}

/** Adds a question with its options at the end of the study. */
export async function addQuestion(
	trx: Trx,
	orgId: string,
	studyId: string,
	input: QuestionInput
): Promise<string> {
	const { rows } = await sql<{ position: number }>`
		select coalesce(max(position) + 1, 0)::int as position from public.brand_lift_questions
		 where org_id = ${orgId} and study_id = ${studyId}`.execute(trx);
	const q = await trx
		.insertInto('brand_lift_questions')
		.values({
			org_id: orgId,
			study_id: studyId,
			position: Math.min(rows[0]?.position ?? 0, 99),
			kind: input.kind,
			prompt: input.prompt,
			multiple: input.multiple
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	await trx
		.insertInto('brand_lift_options')
		.values(
			input.options.map((o, i) => ({
				org_id: orgId,
				study_id: studyId,
				question_id: q.id,
				position: i,
				label: o.label,
				positive: o.positive
			}))
		)
		.execute();
	return q.id;
}

export async function deleteQuestion(
	trx: Trx,
	orgId: string,
	studyId: string,
	questionId: string
): Promise<void> {
	await trx
		.deleteFrom('brand_lift_questions')
		.where('org_id', '=', orgId)
		.where('study_id', '=', studyId)
		.where('id', '=', questionId)
		.execute();
}

/** Moves the study along its workflow; the database refuses what is not allowed. */
export async function setStatus(
	trx: Trx,
	orgId: string,
	studyId: string,
	to: StudyStatus
): Promise<void> {
	await trx
		.updateTable('brand_lift_studies')
		.set({ status: to })
		.where('org_id', '=', orgId)
		.where('id', '=', studyId)
		.execute();
}

/** Launches an approved study, refused with the numbers when its plan is underpowered. */
export async function launch(trx: Trx, orgId: string, study: Study): Promise<void> {
	const verdict = check({
		baselinePercent: study.baseline_percent,
		liftPoints: study.target_lift_points,
		plannedPerGroup: study.planned_sample
	});
	if (!verdict.ok) throw new UnderpoweredError(verdict.message, verdict.needed, verdict.planned);
	await setStatus(trx, orgId, study.id, 'live');
}

export async function comments(trx: Trx, orgId: string, studyId: string): Promise<Comment[]> {
	const { rows } = await sql<Comment>`
		select c.id, c.parent_id, coalesce(nullif(p.full_name, ''), 'A teammate') as author, c.body, c.created_at
		  from public.brand_lift_comments c
		  left join public.profiles p on p.id = c.author_id
		 where c.org_id = ${orgId} and c.study_id = ${studyId}
		 order by c.created_at, c.id
		 limit 500`.execute(trx);
	return rows;
}

export async function addComment(
	trx: Trx,
	orgId: string,
	studyId: string,
	body: string,
	parentId?: string
): Promise<void> {
	await trx
		.insertInto('brand_lift_comments')
		.values({ org_id: orgId, study_id: studyId, body, parent_id: parentId ?? null })
		.execute();
}

/** The survey links of a study, for the CSV the marketer sends with their own tool. */
export async function links(
	trx: Trx,
	orgId: string,
	studyId: string
): Promise<{ email: string | null; group: string; token: string; answered: boolean }[]> {
	const { rows } = await sql<{
		email: string | null;
		group: string;
		token: string;
		answered: boolean;
	}>`
		select c.email::text as email, r."group"::text as group, r.token, r.responded_at is not null as answered
		  from public.brand_lift_respondents r
		  left join public.contacts c on c.org_id = r.org_id and c.id = r.contact_id
		 where r.org_id = ${orgId} and r.study_id = ${studyId}
		 order by c.email`.execute(trx);
	return rows;
}
