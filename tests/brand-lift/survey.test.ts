// The public survey's database path, as anon: one response per token, only to
// a live study, only the study's own questions and options, rate-limited per
// IP; nothing half-written on a refusal; the rollups agree with a scan of the
// responses; anon can call nothing else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { withRls } from '../../src/lib/server/db/rls.ts';
import * as brandLift from '../../src/lib/server/brand-lift/index.ts';
import {
	addContacts,
	brandLiftWorld,
	draftStudy,
	emailCampaign,
	launchStudy,
	setStatus,
	tokens,
	type BrandLiftWorld,
	type StudySetup
} from './world.ts';

let w: BrandLiftWorld;
let s: StudySetup;
let other: StudySetup;

const anon = <T>(fn: Parameters<typeof withRls<T>>[2]) => withRls(w.world.db, { role: 'anon' }, fn);

beforeAll(async () => {
	w = await brandLiftWorld();
	await addContacts(w, 300);
	s = await draftStudy(w, await emailCampaign(w, { name: 'Survey' }));
	await launchStudy(w, s.studyId);
	other = await draftStudy(w, await emailCampaign(w, { name: 'Other survey' }));
	await launchStudy(w, other.studyId);
});
afterAll(async () => {
	await w?.close();
});

/** survey.answer as the page calls it: the refusal thrown after its transaction committed. */
async function answer(fn: Parameters<typeof withRls<brandLift.SurveyRefusedError | null>>[2]) {
	const refusal = await anon(fn);
	if (refusal) throw refusal;
}

function answers(setup: StudySetup, positive: boolean): Record<string, string[]> {
	return Object.fromEntries(
		setup.questions.map((q) => [q.id, [positive ? q.positive[0]! : q.options[1]!]])
	);
}

async function counts(studyId: string) {
	const { rows } = await w.admin.query<{
		responses: number;
		answers: number;
		totals: number;
		responded: number;
	}>(
		`select (select count(*) from public.brand_lift_responses where study_id = $1)::int as responses,
		        (select count(*) from public.brand_lift_answers where study_id = $1)::int as answers,
		        (select coalesce(sum(answered), 0) from public.brand_lift_question_totals where study_id = $1)::int as totals,
		        (select count(*) from public.brand_lift_respondents where study_id = $1 and responded_at is not null)::int as responded`,
		[studyId]
	);
	return rows[0]!;
}

describe('public survey', () => {
	it('anon reads the questions of a token and answers once', async () => {
		const [token] = await tokens(w, s.studyId, 'exposed');
		const page = await anon((trx) => brandLift.survey.open(trx, token!));
		expect(page.questions.map((q) => q.options.length)).toEqual([3, 3]);
		expect(page.answered).toBe(false);
		expect(JSON.stringify(page)).not.toContain('positive');
		await anon((trx) => brandLift.survey.submit(trx, token!, answers(s, true)));
		const before = await counts(s.studyId);
		await expect(
			anon((trx) => brandLift.survey.submit(trx, token!, answers(s, false)))
		).rejects.toMatchObject({ reason: 'answered', status: 409 });
		expect(await counts(s.studyId)).toEqual(before);
		expect((await anon((trx) => brandLift.survey.open(trx, token!))).answered).toBe(true);
	});

	it('refuses answers to another study’s questions or another question’s options, writing nothing', async () => {
		const [token] = (await tokens(w, s.studyId, 'control')).slice(-1);
		const before = await counts(s.studyId);
		await expect(
			anon((trx) => brandLift.survey.submit(trx, token!, answers(other, true)))
		).rejects.toMatchObject({ reason: 'invalid', status: 422 });
		// Right questions, an option of the other question.
		await expect(
			anon((trx) =>
				brandLift.survey.submit(trx, token!, {
					[s.questions[0]!.id]: [s.questions[1]!.options[0]!],
					[s.questions[1]!.id]: [s.questions[1]!.options[0]!]
				})
			)
		).rejects.toMatchObject({ reason: 'invalid' });
		// Two answers to a single-choice question; a question left out.
		await expect(
			anon((trx) =>
				brandLift.survey.submit(trx, token!, {
					[s.questions[0]!.id]: s.questions[0]!.options.slice(0, 2),
					[s.questions[1]!.id]: [s.questions[1]!.options[0]!]
				})
			)
		).rejects.toThrow(/only one answer/);
		await expect(
			anon((trx) =>
				brandLift.survey.submit(trx, token!, {
					[s.questions[0]!.id]: [s.questions[0]!.options[0]!]
				})
			)
		).rejects.toThrow(/Please answer/);
		await expect(
			anon((trx) => brandLift.survey.submit(trx, 'f'.repeat(32), answers(s, true)))
		).rejects.toMatchObject({ reason: 'unknown', status: 404 });
		expect(await counts(s.studyId)).toEqual(before);
		// The database's own keys refuse the same even without the function's checks.
		await expect(
			w.admin.query(
				`insert into public.brand_lift_answers (org_id, study_id, response_id, question_id, option_id)
				 select org_id, study_id, id, $2, $3 from public.brand_lift_responses where study_id = $1 limit 1`,
				[s.studyId, other.questions[0]!.id, other.questions[0]!.options[0]!]
			)
		).rejects.toMatchObject({ code: '23503' });
	});

	it('rolls up as it goes: the report equals a scan of the responses', async () => {
		const exposed = await tokens(w, s.studyId, 'exposed');
		const control = await tokens(w, s.studyId, 'control');
		for (const [i, t] of exposed.slice(1, 41).entries())
			await anon((trx) => brandLift.survey.submit(trx, t, answers(s, i % 2 === 0)));
		for (const [i, t] of control.slice(0, 20).entries())
			await anon((trx) => brandLift.survey.submit(trx, t, answers(s, i % 4 === 0)));
		const fromRollups = await w.as('viewer', (trx) =>
			brandLift.report(trx, w.world.orgA, s.studyId)
		);
		const fromScan = await w.as('viewer', (trx) =>
			brandLift.reportByScan(trx, w.world.orgA, s.studyId)
		);
		expect(fromRollups).toEqual(fromScan);
		expect(fromRollups.responses).toEqual({ exposed: 41, control: 20 });
		expect(fromRollups.questions[0]!.exposed).toEqual({ answered: 41, positive: 21 });
		expect(fromRollups.questions[0]!.control).toEqual({ answered: 20, positive: 5 });
		expect(fromRollups.questions[0]!.lift.enough).toBe(false);
		expect(brandLift.toCsv(fromRollups)).toContain('not enough data');
	});

	it('rate-limits attempts per IP address (30 a minute), refused ones included', async () => {
		for (let i = 0; i < 30; i++)
			await anon((trx) => brandLift.survey.countAttempt(trx, '203.0.113.9'));
		await expect(
			anon((trx) => brandLift.survey.countAttempt(trx, '203.0.113.9'))
		).rejects.toMatchObject({ reason: 'rate_limited', status: 429 });
		await anon((trx) => brandLift.survey.countAttempt(trx, '203.0.113.10'));
		// What the page calls: a refused submission still counts against the address.
		const [token] = (await tokens(w, s.studyId, 'exposed')).slice(-2);
		for (let i = 0; i < 29; i++) {
			await expect(
				answer((trx) =>
					brandLift.survey.answer(trx, 'e'.repeat(32), answers(s, true), '203.0.113.11')
				)
			).rejects.toMatchObject({ reason: 'unknown' });
		}
		await answer((trx) => brandLift.survey.answer(trx, token!, answers(s, true), '203.0.113.11'));
		await expect(
			answer((trx) => brandLift.survey.answer(trx, token!, answers(s, true), '203.0.113.11'))
		).rejects.toMatchObject({ reason: 'rate_limited', status: 429 });
		await expect(
			answer((trx) => brandLift.survey.answer(trx, token!, answers(s, true), '203.0.113.12'))
		).rejects.toMatchObject({ reason: 'answered', status: 409 });
	});

	it('refuses a closed study, and anon can do nothing but the survey', async () => {
		const [token] = (await tokens(w, other.studyId, 'exposed')).slice(-1);
		await setStatus(w, 'member', other.studyId, 'closed');
		await expect(
			anon((trx) => brandLift.survey.submit(trx, token!, answers(other, true)))
		).rejects.toMatchObject({ reason: 'closed', status: 410 });
		expect((await counts(other.studyId)).responses).toBe(0);
		// Not the tables, not the private helpers.
		await expect(
			anon((trx) =>
				sql`insert into public.brand_lift_responses (org_id, study_id, respondent_id, "group")
				    select org_id, study_id, id, "group" from public.brand_lift_respondents limit 1`.execute(trx)
			)
		).rejects.toMatchObject({ code: '42501' });
		await expect(
			anon((trx) => sql`select private.study_assign(${s.studyId})`.execute(trx))
		).rejects.toMatchObject({ code: '42501' });
		await expect(
			anon((trx) => sql`select token from public.brand_lift_respondents`.execute(trx))
		).rejects.toMatchObject({ code: '42501' });
		// A draft study's links (none exist until launch) and an approved one cannot be answered.
		const draft = await draftStudy(w, await emailCampaign(w, { name: 'Not yet' }));
		await w.admin.query(
			`insert into public.brand_lift_respondents (org_id, study_id, "group") values ($1, $2, 'exposed')`,
			[w.world.orgA, draft.studyId]
		);
		const [draftToken] = await tokens(w, draft.studyId, 'exposed');
		await expect(
			anon((trx) => brandLift.survey.submit(trx, draftToken!, answers(draft, true)))
		).rejects.toMatchObject({ reason: 'closed' });
	});
});
