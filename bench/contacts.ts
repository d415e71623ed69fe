// Contacts at a million: `npm run bench:contacts`.
//
// An organization with 1M contacts among 2M in the database (custom fields,
// tags, events generated), then, each against a baseline measured in the same
// run (absolute times on a shared 2-core machine vary from run to run):
//   1. import of a 1M-row CSV through the worker's pipeline: rows/s, and the
//      ratio to a plain COPY of the same file into a bare table
//      (goal ≥ 30k rows/s and ≥ 0.5× COPY);
//   2. a 5-condition AND/OR segment count (custom fields, a tag, an event),
//      compiled from a rule tree and run under RLS as a member, against the
//      same count hand-written in SQL, also under RLS (goal ≤ 500 ms, ≤ 1.5×);
//   3. a keyset page (50 rows, deep cursors) and a search: p95 (goal ≤ 50 ms).
// Sizes: BENCH_CONTACTS (per organization, default 1,000,000), BENCH_RUNS.
import { mkdtemp, rm } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createDatabase } from '../src/lib/server/db/client.ts';
import { withRls } from '../src/lib/server/db/rls.ts';
import * as contacts from '../src/lib/server/contacts/index.ts';
import { encodeCursor } from '../src/lib/server/contacts/cursor.ts';
import { LocalFileStore } from '../src/lib/server/imports/files.ts';
import { countMatching } from '../src/lib/server/segments/segments.ts';
import type { RuleGroup } from '../src/lib/server/segments/rules.ts';
import { runContactImport } from '../src/worker/contacts-import.ts';
import { compare, ms, startBenchDatabase, summarize } from './lib.ts';

const N = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const PAGES = Number(process.env.BENCH_PAGES ?? 200);

const secs = (t: number) => `${((performance.now() - t) / 1000).toFixed(1)} s`;

const postgres = await startBenchDatabase();
const dir = await mkdtemp(join(tmpdir(), 'gd-bench-contacts-'));
try {
	const admin = new pg.Client({ connectionString: postgres.url });
	await admin.connect();

	// Users, organizations (A: measured, B: the other million, C: import target), a member of A.
	await admin.query(`
		insert into auth.users (id, aud, role, email, created_at, updated_at)
		select gen_random_uuid(), 'authenticated', 'authenticated', u || '@bench.test', now(), now()
		  from unnest(array['owner-a', 'owner-b', 'owner-c', 'member-a']) u`);
	const user = async (name: string) =>
		(
			await admin.query<{ id: string }>(`select id from auth.users where email = $1`, [
				`${name}@bench.test`
			])
		).rows[0]!.id;
	const org = async (slug: string, owner: string) =>
		(
			await admin.query<{ id: string }>(
				`insert into public.organizations (name, slug, created_by) values ($1, $1, $2) returning id`,
				[slug, await user(owner)]
			)
		).rows[0]!.id;
	const orgA = await org('org-a', 'owner-a');
	const orgB = await org('org-b', 'owner-b');
	const orgC = await org('org-c', 'owner-c');
	const memberId = await user('member-a');
	await admin.query(
		`insert into public.members (org_id, user_id, role) values ($1, $2, 'member')`,
		[orgA, memberId]
	);

	console.log(`seeding ${N.toLocaleString()} contacts in each of two organizations…`);
	let t = performance.now();
	for (const o of [orgA, orgB, orgC])
		await admin.query(
			`insert into public.contact_fields (org_id, key, label, type, options, position) values
			   ($1, 'plan', 'Plan', 'select', '{free,pro,team,enterprise}', 1),
			   ($1, 'score', 'Score', 'number', '{}', 2),
			   ($1, 'signup', 'Signed up', 'date', '{}', 3),
			   ($1, 'active', 'Active', 'boolean', '{}', 4)`,
			[o]
		);
	// Seeding writes with triggers off (session_replication_role): this is data
	// generation, not the thing measured. Names are syllable combinations, so
	// searches match the way real surnames do.
	await admin.query(`set session_replication_role = replica`);
	for (const o of [orgA, orgB]) {
		await admin.query(
			`with s as (select array['mar','tin','son','ber','gal','lo','ric','wen','dal','fer','an','ko','vi','stra','mo','den','hal','ri','to','ne'] as syl)
			 insert into public.contacts (org_id, email, phone, first_name, last_name, company, source, status, custom, created_at, updated_at)
			 select $1,
			        'p' || i || '.' || s.syl[1 + i % 20] || s.syl[1 + (i / 20) % 20] || '@' || (array['gmail.com','outlook.com','acme.io','mail.fr','web.de'])[1 + i % 5],
			        '+33 6 ' || lpad((i % 100000000)::text, 8, '0'),
			        initcap(s.syl[1 + (i * 7) % 20] || s.syl[1 + (i * 13) % 20]),
			        initcap(s.syl[1 + (i / 7) % 20] || s.syl[1 + (i / 3) % 20] || s.syl[1 + i % 19]),
			        initcap(s.syl[1 + (i / 11) % 20] || s.syl[1 + (i / 5) % 20]) || ' ' || (array['Inc','Ltd','GmbH','SA','Labs'])[1 + i % 5],
			        'seed',
			        (case when i % 20 = 0 then 'unsubscribed' when i % 97 = 0 then 'bounced' else 'subscribed' end)::public.contact_status,
			        jsonb_build_object('plan', (array['free','free','pro','team','enterprise'])[1 + i % 5],
			                           'score', i % 101,
			                           'signup', to_char(date '2024-01-01' + (i % 700), 'YYYY-MM-DD'),
			                           'active', i % 3 <> 0),
			        now() - (i || ' seconds')::interval, now() - (i || ' seconds')::interval
			   from s, generate_series(1, $2) i`,
			[o, N]
		);
		await admin.query(
			`insert into public.tags (org_id, name) select $1, 'tag-' || k from generate_series(1, 10) k`,
			[o]
		);
		// ~25% of contacts carry a tag; tag-1 ("vip") about 5%.
		await admin.query(
			`insert into public.contact_tags (org_id, contact_id, tag_id)
			 select c.org_id, c.id, t.id
			   from (select id, org_id, row_number() over () as n from public.contacts where org_id = $1) c
			   join public.tags t on t.org_id = c.org_id and t.name = 'tag-' || (1 + c.n % 10)
			  where c.n % 40 < 10`,
			[o]
		);
		// One to two events per contact over 90 days (email.opened, page.visited).
		await admin.query(
			`insert into public.events (org_id, type, subject_type, subject_id, occurred_at)
			 select c.org_id, (array['email.opened','page.visited','email.clicked'])[1 + (c.n % 3)::int], 'contact', c.id,
			        now() - ((c.n * 7919) % (90 * 86400) || ' seconds')::interval
			   from (select id, org_id, row_number() over () as n from public.contacts where org_id = $1) c,
			        generate_series(1, 1 + (random() < 0.5)::int) g`,
			[o]
		);
	}
	await admin.query(`set session_replication_role = origin`);
	await admin.query(`vacuum analyze`);
	console.log(`seeded in ${secs(t)}`);

	// 1. Import: a 1M-row CSV, COPY into a bare table first (the baseline).
	const store = new LocalFileStore(dir);
	const { rows: imp } = await admin.query<{ id: string; file_ref: string }>(
		`insert into public.contact_imports (org_id, file_name, headers, mapping, options)
		 values ($1, 'bench.csv', '{email,first_name,last_name,company,phone,plan,score,signup}',
		         '["email","first_name","last_name","company","phone","custom.plan","custom.score","custom.signup"]',
		         '{"skipInvalidRows": false, "tagIds": []}') returning id, file_ref`,
		[orgC]
	);
	const lines: string[] = ['email,first_name,last_name,company,phone,plan,score,signup'];
	for (let i = 0; i < N; i++)
		lines.push(
			`import${i}@example.com,First${i % 997},Last${i % 7919},Company ${i % 50000},+1 555 ${String(i).padStart(7, '0')},${['free', 'pro', 'team'][i % 3]},${i % 100},2025-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`
		);
	const size = await store.write(imp[0]!.file_ref, Buffer.from(lines.join('\n') + '\n'));
	lines.length = 0;
	await admin.query(
		`update public.contact_imports set file_size = $2, status = 'queued' where id = $1`,
		[imp[0]!.id, size]
	);
	await admin.query(
		`create table public.bench_bare (c1 text, c2 text, c3 text, c4 text, c5 text, c6 text, c7 text, c8 text)`
	);
	await admin.query(`checkpoint`);
	t = performance.now();
	await pipeline(
		createReadStream(join(dir, imp[0]!.file_ref)),
		admin.query(copyFrom(`copy public.bench_bare from stdin with (format csv, header true)`))
	);
	const copySeconds = (performance.now() - t) / 1000;
	await admin.query(`drop table public.bench_bare`);
	await admin.query(`checkpoint`);

	const db = createDatabase(postgres.url, 4);
	t = performance.now();
	const outcome = await runContactImport({ db, connectionString: postgres.url, store }, imp[0]!.id);
	const importSeconds = (performance.now() - t) / 1000;
	if (outcome.status !== 'completed')
		throw new Error(`import did not complete: ${JSON.stringify(outcome)}`);
	await admin.query(`vacuum analyze public.contacts, public.events`);

	// 2. Segment count: compiled from a rule tree vs hand-written, both under RLS as a member.
	const claims = { sub: memberId, role: 'authenticated', aud: 'authenticated' };
	const { rows: vipRows } = await admin.query<{ id: string }>(
		`select id from public.tags where org_id = $1 and name = 'tag-1'`,
		[orgA]
	);
	const vip = vipRows[0]!.id;
	const rules: RuleGroup = {
		kind: 'group',
		match: 'all',
		rules: [
			{ kind: 'field', field: 'custom.plan', operator: 'in', value: ['pro', 'team'] },
			{
				kind: 'group',
				match: 'any',
				rules: [
					{ kind: 'tag', operator: 'has', tagId: vip },
					{ kind: 'event', operator: 'did', eventType: 'email.opened', withinDays: 30 }
				]
			},
			{ kind: 'field', field: 'custom.score', operator: 'greater_than', value: 50 },
			{ kind: 'field', field: 'status', operator: 'equals', value: 'subscribed' }
		]
	};
	const compiled = () => withRls(db, claims, (trx) => countMatching(trx, orgA, rules));
	const handWritten = () =>
		withRls(db, claims, async (trx) => {
			await sql`select set_config('work_mem', '64MB', true)`.execute(trx);
			const { rows } = await sql<{ n: number }>`
				select count(*)::integer as n from public.contacts c
				 where c.org_id = ${orgA} and c.erased_at is null
				   and c.custom ->> 'plan' in ('pro', 'team')
				   and (c.id in (select ct.contact_id from public.contact_tags ct
				                  where ct.org_id = ${orgA} and ct.tag_id = ${vip})
				        or c.id in (select e.subject_id from public.events e
				                     where e.org_id = ${orgA} and e.type = 'email.opened'
				                       and e.occurred_at >= now() - interval '30 days' and e.subject_type = 'contact'))
				   and (c.custom ->> 'score')::numeric > 50
				   and c.status = 'subscribed'`.execute(trx);
			return rows[0]!.n;
		});
	if (process.env.BENCH_EXPLAIN)
		await withRls(db, claims, async (trx) => {
			const { segmentWhere } = await import('../src/lib/server/segments/compile.ts');
			const { validateRules } = await import('../src/lib/server/segments/validate.ts');
			const ctx = await contacts.ruleContext(trx, orgA);
			await sql`select set_config('work_mem', '64MB', true)`.execute(trx);
			const { rows } = await sql<{ 'QUERY PLAN': string }>`explain (analyze, buffers)
				select count(*) from public.contacts c where ${segmentWhere(validateRules(rules, ctx), ctx)}`.execute(
				trx
			);
			console.log(rows.map((r) => r['QUERY PLAN']).join('\n'));
		});
	const [a, b] = [await compiled(), await handWritten()];
	if (a !== b) throw new Error(`compiled count ${a} ≠ hand-written ${b}`);
	const segment = await compare(RUNS, compiled, handWritten, 2);

	// 3. Keyset pages from deep cursors, and searches, as the member under RLS.
	const { rows: anchors } = await admin.query<{ v: string; id: string }>(
		`select created_at::text as v, id from public.contacts where org_id = $1 order by random() limit $2`,
		[orgA, PAGES]
	);
	const terms = [
		'martin',
		'berga',
		'stradal',
		'p4242',
		'acme.io',
		'wenlo',
		'kovi',
		'Mofer',
		'6 0012',
		'denhal'
	];
	const page = async (i: number) =>
		withRls(db, claims, (trx) =>
			contacts.list(trx, orgA, {
				sort: 'created_at',
				direction: 'desc',
				limit: 50,
				after: encodeCursor({
					v: anchors[i % anchors.length]!.v,
					id: anchors[i % anchors.length]!.id
				})
			})
		);
	const search = async (i: number) =>
		withRls(db, claims, (trx) =>
			contacts.list(trx, orgA, { search: terms[i % terms.length], limit: 50 })
		);
	for (let i = 0; i < 20; i++) {
		await page(i);
		await search(i);
	}
	const pageTimes: number[] = [];
	const searchTimes: number[] = [];
	const matches: number[] = [];
	const byTerm = new Map<string, number[]>();
	for (let i = 0; i < PAGES; i++) {
		let s = performance.now();
		await page(i);
		pageTimes.push(performance.now() - s);
		s = performance.now();
		matches.push((await search(i)).items.length);
		searchTimes.push(performance.now() - s);
		const term = terms[i % terms.length]!;
		byTerm.set(term, [...(byTerm.get(term) ?? []), performance.now() - s]);
	}
	const pages = summarize(pageTimes);
	const searches = summarize(searchTimes);
	await db.destroy();
	await admin.end();

	const rate = N / importSeconds;
	console.log(
		`\n1. import of a ${N.toLocaleString()}-row CSV (${(size / 1e6).toFixed(0)} MB) into an organization, 2M contacts already in the table`
	);
	console.log(
		`   plain COPY into a bare table   ${copySeconds.toFixed(1)} s   ${Math.round(N / copySeconds).toLocaleString()} rows/s`
	);
	console.log(
		`   import (worker pipeline)       ${importSeconds.toFixed(1)} s   ${Math.round(rate).toLocaleString()} rows/s   (goal ≥ 30,000)`
	);
	console.log(
		`   ratio import / COPY throughput ${(copySeconds / importSeconds).toFixed(2)}×   (goal ≥ 0.5×)`
	);
	console.log(
		`\n2. 5-condition AND/OR segment count (plan in…, (tag or event in 30 days), score >, status) over ${N.toLocaleString()} contacts, under RLS, ${RUNS} runs: ${a.toLocaleString()} match`
	);
	console.log(
		`   compiled rule tree   p50 ${ms(segment.a.p50)}   p95 ${ms(segment.a.p95)}   (goal ≤ 500 ms)`
	);
	console.log(`   hand-written SQL     p50 ${ms(segment.b.p50)}   p95 ${ms(segment.b.p95)}`);
	console.log(
		`   ratio compiled / hand-written (p50)  ${(segment.a.p50 / segment.b.p50).toFixed(2)}×   (goal ≤ 1.5×)`
	);
	console.log(`\n3. lists under RLS, ${PAGES} runs each`);
	console.log(
		`   keyset page (50 rows, random deep cursor)   p50 ${ms(pages.p50)}   p95 ${ms(pages.p95)}   (goal ≤ 50 ms)`
	);
	console.log(
		`   search (trigram, 50 rows; ${Math.min(...matches)}–${Math.max(...matches)} shown)   p50 ${ms(searches.p50)}   p95 ${ms(searches.p95)}   (goal ≤ 50 ms)`
	);
	for (const [term, times] of byTerm) {
		const t = summarize(times);
		console.log(`     ${JSON.stringify(term).padEnd(12)} p50 ${ms(t.p50)}   p95 ${ms(t.p95)}`);
	}
} finally {
	await rm(dir, { recursive: true, force: true });
	await postgres.cleanup();
}
