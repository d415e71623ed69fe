// A brand lift world: the sending world (organization A with every persona,
// an email campaign whose audience is everyone) plus a study on the campaign
// with two questions, taken through review to live as superuser or persona.
import { sql } from 'kysely';
import type { Persona } from '../helpers/tenancy.ts';
import { addContacts, emailCampaign, sendingWorld, type SendingWorld } from '../sending/world.ts';

export type BrandLiftWorld = SendingWorld;
export { addContacts, emailCampaign, sendingWorld as brandLiftWorld };

export type StudySetup = {
	studyId: string;
	campaignId: string;
	questions: { id: string; options: string[]; positive: string[] }[];
};

/** A study with an awareness (single) and a consideration (multiple) question, as a draft. */
export async function draftStudy(
	w: BrandLiftWorld,
	campaignId: string,
	design: { planned_sample?: number; holdout_percent?: number } = {}
): Promise<StudySetup> {
	const { rows } = await w.admin.query<{ id: string }>(
		`insert into public.brand_lift_studies (org_id, campaign_id, name, planned_sample, holdout_percent)
		 values ($1, $2, 'Winter lift', $3, $4) returning id`,
		[w.world.orgA, campaignId, design.planned_sample ?? 4000, design.holdout_percent ?? 10]
	);
	const studyId = rows[0]!.id;
	const questions: StudySetup['questions'] = [];
	for (const [position, kind, prompt, multiple, labels] of [
		[0, 'awareness', 'Have you heard of Northwind?', false, ['+Yes', 'No', 'Not sure']],
		[1, 'consideration', 'Which would you consider?', true, ['+Northwind', 'Acme', 'Globex']]
	] as const) {
		const q = await w.admin.query<{ id: string }>(
			`insert into public.brand_lift_questions (org_id, study_id, position, kind, prompt, multiple)
			 values ($1, $2, $3, $4, $5, $6) returning id`,
			[w.world.orgA, studyId, position, kind, prompt, multiple]
		);
		const options: string[] = [];
		const positive: string[] = [];
		for (const [i, label] of labels.entries()) {
			const o = await w.admin.query<{ id: string }>(
				`insert into public.brand_lift_options (org_id, study_id, question_id, position, label, positive)
				 values ($1, $2, $3, $4, $5, $6) returning id`,
				[w.world.orgA, studyId, q.rows[0]!.id, i, label.replace('+', ''), label.startsWith('+')]
			);
			options.push(o.rows[0]!.id);
			if (label.startsWith('+')) positive.push(o.rows[0]!.id);
		}
		questions.push({ id: q.rows[0]!.id, options, positive });
	}
	return { studyId, campaignId, questions };
}

/** Moves a study as a persona (its RLS and permissions) and returns nothing. */
export function setStatus(w: BrandLiftWorld, persona: Persona, studyId: string, to: string) {
	return w.as(persona, (trx) =>
		sql`update public.brand_lift_studies set status = ${to}::public.study_status where id = ${studyId}`.execute(
			trx
		)
	);
}

/** Draft → in review (member) → approved (admin) → live (member). */
export async function launchStudy(w: BrandLiftWorld, studyId: string) {
	await setStatus(w, 'member', studyId, 'in_review');
	await setStatus(w, 'admin', studyId, 'approved');
	await setStatus(w, 'member', studyId, 'live');
}

/** Survey tokens of a study by group. */
export async function tokens(w: BrandLiftWorld, studyId: string, group: 'exposed' | 'control') {
	const { rows } = await w.admin.query<{ token: string }>(
		`select token from public.brand_lift_respondents where study_id = $1 and "group" = $2 order by token`,
		[studyId, group]
	);
	return rows.map((r) => r.token);
}
