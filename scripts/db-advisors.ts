// Runs Supabase's database linter (`supabase db advisors`) against a freshly
// migrated database. It fails on anything at WARN or above, and prints INFO
// findings so they are fixed or justified here.
import { supabaseCli, withoutTls } from '../platform/migrate.ts';
import { withMigratedDb } from './with-migrated-db.ts';

type Finding = { name: string; level: string; detail: string };

/** INFO findings that are expected, and why. */
const JUSTIFIED: Record<string, string> = {
	// A freshly migrated database has run no queries, so every index is "unused".
	unused_index: 'no queries have run on a freshly migrated database'
};

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
const unexplained = findings.filter((f) => f.level === 'INFO' && !JUSTIFIED[f.name]);
for (const [name, why] of Object.entries(JUSTIFIED)) {
	const count = findings.filter((f) => f.name === name).length;
	if (count) console.log(`advisors: ${count} × ${name} (INFO) — justified: ${why}`);
}
for (const f of [...blocking, ...unexplained]) console.log(`advisors: ${f.level} ${f.name}: ${f.detail}`);
if (blocking.length || unexplained.length) process.exit(1);
console.log('advisors: nothing at WARN or above, no unexplained INFO');
