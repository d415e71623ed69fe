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
import { seedContacts } from './contacts-seed.ts';
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

	console.log(`seeding ${N.toLocaleString()} contacts in each of two organizations…`);
	let t = performance.now();
	const { orgA, orgC, memberId } = await seedContacts(admin, N);
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
	// The import's dirty pages are written out now, not during the timed queries.
	await admin.query(`checkpoint`);

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
			// The settings countMatching uses: the ratio compares the SQL, not the settings.
			await sql`select set_config('work_mem', '64MB', true), set_config('enable_seqscan', 'off', true)`.execute(
				trx
			);
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
			await sql`select set_config('work_mem', '64MB', true), set_config('enable_seqscan', 'off', true)`.execute(
				trx
			);
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
	if (process.env.BENCH_EXPLAIN) {
		// The plans of the slowest term's search, nested statements included (auto_explain).
		const slowest = [...byTerm].sort((x, y) => summarize(y[1]).p50 - summarize(x[1]).p50)[0]![0];
		const plans: string[] = [];
		admin.on('notice', (n) => plans.push(n.message ?? ''));
		await admin.query(`begin`);
		await admin.query(`load 'auto_explain'`);
		await admin.query(
			`select set_config('auto_explain.log_min_duration', '0', true),
			set_config('auto_explain.log_nested_statements', 'on', true),
			set_config('auto_explain.log_analyze', 'on', true),
			set_config('auto_explain.log_level', 'notice', true),
			set_config('request.jwt.claims', $1, true)`,
			[JSON.stringify(claims)]
		);
		await admin.query(`set local role authenticated`);
		const { rows } = await admin.query<{ ids: string[] | null }>(
			`select public.search_contacts_probe($1, $2, 500, 'created_at', true, null) as ids`,
			[orgA, slowest]
		);
		await admin.query(
			`select c.id from public.contacts c where c.org_id = $1 and c.erased_at is null
			   and c.id = any($2::uuid[]) order by c.created_at desc, c.id desc limit 51`,
			[orgA, rows[0]!.ids ?? []]
		);
		await admin.query(`rollback`);
		console.log(`plans of the search for ${JSON.stringify(slowest)}:\n${plans.join('\n')}`);
	}
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
