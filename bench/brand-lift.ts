// `npm run bench:brand-lift`: a brand lift study with a million responses.
//
// One live study with three questions (single and multiple choice) and
// BENCH_RESPONSES responses (default 1,000,000: 90 % exposed, 10 % held out),
// every question answered, plus a second organization's study of 10,000 in
// the same tables. Seeded set-based with triggers off; the rollups are then
// recounted from the answers (timed: that is the report by scanning, once).
//
// Measured as a member under RLS, interleaved in the same run: the report
// page's data (src/lib/server/brand-lift/report.ts, from the rollups) against
// the same report computed by scanning the responses (reportByScan). Goals:
// p95 ≤ 300 ms and ≤ 0.2× the scan. Then the public survey: BENCH_SUBMITS
// submissions as anon, each as the page makes it (survey.answer: the attempt
// counted against its address, then the answers, one transaction). Goal:
// p95 ≤ 50 ms.
import { sql } from 'kysely';
import pg from 'pg';
import { createDatabase } from '../src/lib/server/db/client.ts';
import { withRls, type Trx } from '../src/lib/server/db/rls.ts';
import { report, reportByScan } from '../src/lib/server/brand-lift/report.ts';
import * as survey from '../src/lib/server/brand-lift/survey.ts';
import { compare, ms, startBenchDatabase, summarize } from './lib.ts';

const RESPONSES = Number(process.env.BENCH_RESPONSES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const SUBMITS = Number(process.env.BENCH_SUBMITS ?? 500);

const postgres = await startBenchDatabase();
const admin = new pg.Client({ connectionString: postgres.url });
await admin.connect();
const db = createDatabase(postgres.url, 2);
const time = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
	const t = performance.now();
	const out = await fn();
	return [out, performance.now() - t];
};

try {
	console.log(`seeding a study with ${RESPONSES.toLocaleString('en-US')} responses…`);
	const [world, seedMs] = await time(() => seed(admin));
	console.log(`  seeded in ${(seedMs / 1000).toFixed(1)} s`);
	const [, rollupMs] = await time(() => recount(admin, world.studies));
	await admin.query(`vacuum analyze`);
	await admin.query(`checkpoint`);
	console.log(`  rollups recounted from the answers in ${ms(rollupMs)}`);

	const claims = { sub: world.memberId, role: 'authenticated' };
	const asMember = <T>(fn: (trx: Trx) => Promise<T>) => withRls(db, claims, fn);
	const studyId = world.studies[0]!;
	const scan = (trx: Trx) =>
		sql`set local statement_timeout = 0`
			.execute(trx)
			.then(() => reportByScan(trx, world.orgA, studyId));

	const fromRollups = await asMember((trx) => report(trx, world.orgA, studyId));
	const fromScan = await asMember(scan);
	if (JSON.stringify(fromRollups) !== JSON.stringify(fromScan)) {
		throw new Error('the rollups disagree with a scan of the responses');
	}
	console.log(
		`  ${fromRollups.responses.exposed.toLocaleString('en-US')} exposed and ${fromRollups.responses.control.toLocaleString('en-US')} control responses: rollups and a scan agree`
	);

	console.log(`\nreport as a member under RLS, ${RUNS} runs each, interleaved:`);
	const { a, b } = await compare(
		RUNS,
		() => asMember((trx) => report(trx, world.orgA, studyId)),
		() => asMember(scan),
		Math.min(3, RUNS)
	);
	const ratio = a.p95 / b.p95;
	console.log(`  from rollups:   p50 ${ms(a.p50)}  p95 ${ms(a.p95)}`);
	console.log(`  by scanning:    p50 ${ms(b.p50)}  p95 ${ms(b.p95)}`);
	console.log(
		`  ratio (rollups / scan): p95 ${ratio.toFixed(4)}× — goals p95 ≤ 300 ms: ${a.p95 <= 300 ? 'met' : 'MISSED'}, ≤ 0.2×: ${ratio <= 0.2 ? 'met' : 'MISSED'}`
	);

	console.log(`\nsurvey submissions as anon, ${SUBMITS} one after another:`);
	const anon = <T>(fn: (trx: Trx) => Promise<T>) => withRls(db, { role: 'anon' }, fn);
	const samples: number[] = [];
	for (const [i, token] of world.fresh.entries()) {
		const t = performance.now();
		const refusal = await anon((trx) =>
			survey.answer(trx, token, world.answers(i), `198.51.${i >> 8}.${i & 255}`)
		);
		if (refusal) throw refusal;
		samples.push(performance.now() - t);
	}
	const s = summarize(samples);
	console.log(
		`  p50 ${ms(s.p50)}  p95 ${ms(s.p95)} — goal p95 ≤ 50 ms: ${s.p95 <= 50 ? 'met' : 'MISSED'}`
	);
} finally {
	await db.destroy();
	await admin.end();
	await postgres.cleanup();
}

/** The rollups as the survey keeps them, recounted from the answers. */
async function recount(client: pg.Client, studies: string[]) {
	for (const study of studies) {
		await client.query(
			`insert into public.brand_lift_question_totals (org_id, study_id, question_id, "group", answered, positive)
			 select x.org_id, x.study_id, x.question_id, x."group", count(*), count(*) filter (where x.positive)
			   from (select a.org_id, a.study_id, a.question_id, r."group", bool_or(o.positive) as positive
			           from public.brand_lift_answers a
			           join public.brand_lift_responses r on r.study_id = a.study_id and r.id = a.response_id
			           join public.brand_lift_options o on o.id = a.option_id
			          where a.study_id = $1
			          group by a.org_id, a.study_id, a.response_id, a.question_id, r."group") x
			  group by x.org_id, x.study_id, x.question_id, x."group"`,
			[study]
		);
		await client.query(
			`insert into public.brand_lift_option_totals (org_id, study_id, question_id, option_id, "group", answers)
			 select a.org_id, a.study_id, a.question_id, a.option_id, r."group", count(*)
			   from public.brand_lift_answers a
			   join public.brand_lift_responses r on r.study_id = a.study_id and r.id = a.response_id
			  where a.study_id = $1
			  group by a.org_id, a.study_id, a.question_id, a.option_id, r."group"`,
			[study]
		);
	}
}

async function seed(client: pg.Client) {
	const one = async (text: string, values: unknown[] = []) =>
		(await client.query<{ id: string }>(text, values)).rows[0]!.id;
	const user = (email: string, name: string) =>
		one(
			`with u as (insert into auth.users (id, aud, role, email, raw_user_meta_data, created_at, updated_at)
			   values (gen_random_uuid(), 'authenticated', 'authenticated', $1, jsonb_build_object('full_name', $2::text), now(), now())
			   returning id) select id from u`,
			[email, name]
		);
	const owner = await user('owner@bench.test', 'Olive Owner');
	const memberId = await user('member@bench.test', 'Mia Member');
	const org = (slug: string) =>
		one(
			`insert into public.organizations (name, slug, created_by) values ($1, $1, $2) returning id`,
			[slug, owner]
		);
	const orgA = await org('lift-a');
	const orgB = await org('lift-b');
	await client.query(
		`insert into public.members (org_id, user_id, role) values ($1, $2, 'member')`,
		[orgA, memberId]
	);
	const studies: string[] = [];
	let questions: { id: string; multiple: boolean; options: string[] }[] = [];
	for (const [o, n] of [
		[orgA, RESPONSES],
		[orgB, 10_000]
	] as const) {
		const brand = await one(
			`insert into public.brands (org_id, name) values ($1, 'Shop') returning id`,
			[o]
		);
		const campaign = await one(
			`insert into public.campaigns (org_id, kind, brand_id, name) values ($1, 'email', $2, 'Spring sale') returning id`,
			[o, brand]
		);
		const study = await one(
			`insert into public.brand_lift_studies (org_id, campaign_id, name) values ($1, $2, 'Spring lift') returning id`,
			[o, campaign]
		);
		studies.push(study);
		const qs: typeof questions = [];
		for (const [position, kind, multiple] of [
			[0, 'awareness', true],
			[1, 'consideration', false],
			[2, 'purchase_intent', false]
		] as const) {
			const q = await one(
				`insert into public.brand_lift_questions (org_id, study_id, position, kind, prompt, multiple)
				 values ($1, $2, $3, $4, $5, $6) returning id`,
				[o, study, position, kind, `Question ${position + 1}`, multiple]
			);
			const { rows } = await client.query<{ id: string }>(
				`insert into public.brand_lift_options (org_id, study_id, question_id, position, label, positive)
				 select $1, $2, $3, k, 'Answer ' || k, k = 0 from generate_series(0, 3) k order by k returning id`,
				[o, study, q]
			);
			qs.push({ id: q, multiple, options: rows.map((r) => r.id) });
		}
		if (o === orgA) questions = qs;
		await client.query('begin');
		await client.query(`set local session_replication_role = replica`);
		await client.query(`update public.brand_lift_studies set status = 'live' where id = $1`, [
			study
		]);
		// Respondents and responses: 10 % held out; every question answered,
		// the multiple-choice one with one or two options.
		await client.query(
			`insert into public.brand_lift_respondents (id, org_id, study_id, "group", token, responded_at)
			 select gen_random_uuid(), $1, $2::uuid, case when g % 10 = 0 then 'control' else 'exposed' end::public.study_group,
			        md5($2::uuid::text || ':' || g), now()
			   from generate_series(1, $3::int) g`,
			[o, study, n]
		);
		await client.query(
			`insert into public.brand_lift_responses (org_id, study_id, respondent_id, "group")
			 select org_id, study_id, id, "group" from public.brand_lift_respondents where study_id = $1`,
			[study]
		);
		await client.query(
			`insert into public.brand_lift_answers (org_id, study_id, response_id, question_id, option_id)
			 select r.org_id, r.study_id, r.id, q.id, o.id
			   from public.brand_lift_responses r
			   join public.brand_lift_questions q on q.study_id = r.study_id
			   join public.brand_lift_options o on o.question_id = q.id
			  where r.study_id = $1
			    and (o.position = abs(hashtextextended(r.id::text || q.id::text, 0)) % 4
			         or (q.multiple and o.position = abs(hashtextextended(r.id::text || q.id::text, 1)) % 4))`,
			[study]
		);
		await client.query('commit');
	}
	// Links not yet answered, for the survey's submissions.
	const { rows: fresh } = await client.query<{ token: string }>(
		`insert into public.brand_lift_respondents (org_id, study_id, "group")
		 select $1, $2, case when g % 10 = 0 then 'control' else 'exposed' end::public.study_group
		   from generate_series(1, $3::int) g
		 returning token`,
		[orgA, studies[0], SUBMITS]
	);
	const answers = (i: number) =>
		Object.fromEntries(
			questions.map((q, k) => [q.id, [q.options[(i + k) % q.options.length]!]])
		) as Record<string, string[]>;
	return { orgA, memberId, studies, fresh: fresh.map((r) => r.token), answers };
}
