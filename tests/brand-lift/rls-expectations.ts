// RLS expectations of brand lift (spread into tests/rls/expectations.ts):
// members read their organization's studies, questions, comments, holdout,
// responses and report rollups; those with studies.write set studies up
// (draft ones deleted) and comment; only they read the survey links (tokens);
// assignments, links, responses, answers and rollups are written only by the
// launch and the survey's functions. Anon reaches none of them (the survey
// goes through survey.* functions, tested in tests/brand-lift/survey.test.ts).
import type pg from 'pg';
import type { TenancyWorld } from '../helpers/tenancy.ts';
import type { Row, TableSpec } from '../rls/expectations.ts';

const nobody = {
	anon: '----',
	outsider: '----',
	viewer: '----',
	member: '----',
	admin: '----',
	owner: '----'
};
const readers = { ...nobody, viewer: 's---', member: 's---', admin: 's---', owner: 's---' };
const writers = { ...readers, member: 'siud', admin: 'siud', owner: 'siud' };
const commenters = { ...readers, member: 'si--', admin: 'si--', owner: 'si--' };
const managersRead = { ...nobody, member: 's---', admin: 's---', owner: 's---' };

async function one(client: pg.Client, sql: string, values: unknown[]): Promise<Row> {
	return (await client.query<Row>(sql, values)).rows[0]!;
}

type Fixture = {
	campaign: string;
	study: string;
	question: string;
	option: string;
	contact: string;
	respondent: string;
	response: string;
};

let counter = 0;

/** A campaign of organization A with a draft study, a question, an option, a contact and a response (superuser). */
async function fixture(c: pg.Client, w: TenancyWorld): Promise<Fixture> {
	const n = ++counter;
	const brand = await one(
		c,
		`insert into public.brands (org_id, name) values ($1, 'Lift brand')
		 on conflict (org_id, name) do update set name = excluded.name returning id`,
		[w.orgA]
	);
	const campaign = (
		await one(
			c,
			`insert into public.campaigns (org_id, kind, brand_id, name) values ($1, 'email', $2, $3) returning id`,
			[w.orgA, brand.id, `Lift ${n}`]
		)
	).id as string;
	const study = (
		await one(
			c,
			`insert into public.brand_lift_studies (org_id, campaign_id, name) values ($1, $2, 'Study') returning id`,
			[w.orgA, campaign]
		)
	).id as string;
	const question = (
		await one(
			c,
			`insert into public.brand_lift_questions (org_id, study_id, kind, prompt) values ($1, $2, 'awareness', 'Heard of us?') returning id`,
			[w.orgA, study]
		)
	).id as string;
	const option = (
		await one(
			c,
			`insert into public.brand_lift_options (org_id, study_id, question_id, label, positive)
			 values ($1, $2, $3, 'Yes', true) returning id`,
			[w.orgA, study, question]
		)
	).id as string;
	const contact = (
		await one(c, `insert into public.contacts (org_id, email) values ($1, $2) returning id`, [
			w.orgA,
			`lift${n}@example.test`
		])
	).id as string;
	const respondent = (
		await one(
			c,
			`insert into public.brand_lift_respondents (org_id, study_id, contact_id, "group") values ($1, $2, $3, 'exposed') returning id`,
			[w.orgA, study, contact]
		)
	).id as string;
	const response = (
		await one(
			c,
			`insert into public.brand_lift_responses (org_id, study_id, respondent_id, "group") values ($1, $2, $3, 'exposed') returning id`,
			[w.orgA, study, respondent]
		)
	).id as string;
	return { campaign, study, question, option, contact, respondent, response };
}

const fixtures = new Map<string, Fixture>();
const spareCampaign = new Map<string, string>();

export const brandLiftTables: Record<string, TableSpec> = {
	'public.brand_lift_studies': {
		seed: async (c, w) => {
			const f = await fixture(c, w);
			spareCampaign.set('study', (await fixture(c, w)).campaign);
			await c.query(`delete from public.brand_lift_studies where campaign_id = $1`, [
				spareCampaign.get('study')
			]);
			return { id: f.study };
		},
		insert: (w) => ({ org_id: w.orgA, campaign_id: spareCampaign.get('study'), name: 'Another' }),
		update: { name: 'Renamed' },
		expect: writers
	},
	'public.brand_lift_comments': {
		seed: async (c, w) => {
			const f = await fixture(c, w);
			fixtures.set('comments', f);
			return one(
				c,
				`insert into public.brand_lift_comments (org_id, study_id, body) values ($1, $2, 'Looks good') returning id`,
				[w.orgA, f.study]
			);
		},
		insert: (w) => ({ org_id: w.orgA, study_id: fixtures.get('comments')!.study, body: 'Another' }),
		update: { body: 'Edited' },
		expect: commenters
	},
	'public.brand_lift_questions': {
		seed: async (c, w) => {
			const f = await fixture(c, w);
			fixtures.set('questions', f);
			return { id: f.question };
		},
		insert: (w) => ({
			org_id: w.orgA,
			study_id: fixtures.get('questions')!.study,
			kind: 'ad_recall',
			prompt: 'Seen our ad?'
		}),
		update: { prompt: 'Changed' },
		expect: writers
	},
	'public.brand_lift_options': {
		seed: async (c, w) => {
			const f = await fixture(c, w);
			fixtures.set('options', f);
			return { id: f.option };
		},
		insert: (w) => ({
			org_id: w.orgA,
			study_id: fixtures.get('options')!.study,
			question_id: fixtures.get('options')!.question,
			label: 'No'
		}),
		update: { label: 'Changed' },
		expect: writers
	},
	'public.brand_lift_assignments': {
		seed: async (c, w) => {
			const f = await fixture(c, w);
			fixtures.set('assignments', f);
			await c.query(
				`insert into public.brand_lift_assignments (org_id, study_id, contact_id, "group") values ($1, $2, $3, 'exposed')`,
				[w.orgA, f.study, f.contact]
			);
			return { study_id: f.study, contact_id: f.contact };
		},
		insert: (w) => ({
			org_id: w.orgA,
			study_id: fixtures.get('assignments')!.study,
			contact_id: fixtures.get('comments')?.contact ?? fixtures.get('assignments')!.contact,
			group: 'control'
		}),
		update: { group: 'control' },
		expect: readers
	},
	'public.brand_lift_respondents': {
		seed: async (c, w) => {
			const f = await fixture(c, w);
			fixtures.set('respondents', f);
			return { id: f.respondent };
		},
		insert: (w) => ({
			org_id: w.orgA,
			study_id: fixtures.get('respondents')!.study,
			group: 'control'
		}),
		update: { group: 'control' },
		expect: managersRead
	},
	'public.brand_lift_responses': {
		seed: async (c, w) => {
			const f = await fixture(c, w);
			fixtures.set('responses', f);
			return { id: f.response };
		},
		insert: (w) => ({
			org_id: w.orgA,
			study_id: fixtures.get('responses')!.study,
			respondent_id: fixtures.get('responses')!.respondent,
			group: 'control'
		}),
		update: { group: 'control' },
		expect: readers
	},
	'public.brand_lift_answers': {
		seed: async (c, w) => {
			const f = await fixture(c, w);
			fixtures.set('answers', f);
			await c.query(
				`insert into public.brand_lift_answers (org_id, study_id, response_id, question_id, option_id)
				 values ($1, $2, $3, $4, $5)`,
				[w.orgA, f.study, f.response, f.question, f.option]
			);
			return { response_id: f.response, option_id: f.option };
		},
		insert: (w) => {
			const f = fixtures.get('answers')!;
			return {
				org_id: w.orgA,
				study_id: f.study,
				response_id: f.response,
				question_id: f.question,
				option_id: f.option
			};
		},
		update: { option_id: '00000000-0000-4000-8000-000000000000' },
		expect: readers
	},
	'public.brand_lift_question_totals': {
		seed: async (c, w) => {
			const f = await fixture(c, w);
			fixtures.set('question_totals', f);
			await c.query(
				`insert into public.brand_lift_question_totals (org_id, study_id, question_id, "group", answered, positive)
				 values ($1, $2, $3, 'exposed', 10, 3)`,
				[w.orgA, f.study, f.question]
			);
			return { question_id: f.question, group: 'exposed' };
		},
		insert: (w) => {
			const f = fixtures.get('question_totals')!;
			return {
				org_id: w.orgA,
				study_id: f.study,
				question_id: f.question,
				group: 'control',
				answered: 9
			};
		},
		update: { answered: 1000 },
		expect: readers
	},
	'public.brand_lift_option_totals': {
		seed: async (c, w) => {
			const f = await fixture(c, w);
			fixtures.set('option_totals', f);
			await c.query(
				`insert into public.brand_lift_option_totals (org_id, study_id, question_id, option_id, "group", answers)
				 values ($1, $2, $3, $4, 'exposed', 10)`,
				[w.orgA, f.study, f.question, f.option]
			);
			return { option_id: f.option, group: 'exposed' };
		},
		insert: (w) => {
			const f = fixtures.get('option_totals')!;
			return {
				org_id: w.orgA,
				study_id: f.study,
				question_id: f.question,
				option_id: f.option,
				group: 'control',
				answers: 9
			};
		},
		update: { answers: 1000 },
		expect: readers
	}
};
