// Runs Supabase's database linter (`supabase db advisors`) against a freshly
// migrated database. It fails on anything at WARN or above, and prints INFO
// findings so they are fixed or justified here.
import { supabaseCli, withoutTls } from '../platform/migrate.ts';
import { withMigratedDb } from './with-migrated-db.ts';

type Finding = { name: string; level: string; detail: string };

/** INFO findings that are expected, and why. */
const JUSTIFIED: Array<{ name: string; detail?: RegExp; why: string }> = [
	// A freshly migrated database has run no queries, so every index is "unused".
	{ name: 'unused_index', why: 'no queries have run on a freshly migrated database' },
	// graphile-worker locks its own tables down with RLS and no policies on purpose:
	// only the worker's connection (the table owner) touches them; the schema is not exposed.
	{
		name: 'rls_enabled_no_policy',
		detail: /`graphile_worker\./,
		why: "graphile-worker's private tables deny every API role by design"
	}
];

const justification = (f: Finding) =>
	JUSTIFIED.find((j) => j.name === f.name && (!j.detail || j.detail.test(f.detail)));

/** `--output-format json` prints one object: { results: Finding[], … }. */
function parse(output: string): Finding[] {
	const start = output.indexOf('{');
	if (start === -1) return [];
	return (JSON.parse(output.slice(start)) as { results?: Finding[] }).results ?? [];
}

const findings = await withMigratedDb(async (url) =>
	parse(
		await supabaseCli([
			'db',
			'advisors',
			`--remote=${withoutTls(url)}`,
			'--level',
			'info',
			'--output-format',
			'json'
		])
	)
).catch((error: Error) => {
	console.error(error.message);
	process.exit(1);
});

const blocking = findings.filter((f) => f.level !== 'INFO');
const unexplained = findings.filter((f) => f.level === 'INFO' && !justification(f));
for (const j of JUSTIFIED) {
	const count = findings.filter((f) => f.level === 'INFO' && justification(f) === j).length;
	if (count) console.log(`advisors: ${count} × ${j.name} (INFO) — justified: ${j.why}`);
}
for (const f of [...blocking, ...unexplained])
	console.log(`advisors: ${f.level} ${f.name}: ${f.detail}`);
if (blocking.length || unexplained.length) process.exit(1);
console.log('advisors: nothing at WARN or above, no unexplained INFO');
