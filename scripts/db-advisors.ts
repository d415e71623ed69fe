// Runs Supabase's database linter (`supabase db advisors`) against a freshly
// migrated database and fails on anything at WARN or above. INFO findings are
// printed so they can be fixed or justified.
import { supabaseCli, withoutTls } from '../platform/migrate.ts';
import { withMigratedDb } from './with-migrated-db.ts';

const output = await withMigratedDb(async (url) => {
	const all = await supabaseCli([
		'db',
		'advisors',
		`--remote=${withoutTls(url)}`,
		'--level',
		'info'
	]);
	console.log(all.trim());
	// Exit status is what gates CI: non-zero on WARN or ERROR findings.
	return supabaseCli([
		'db',
		'advisors',
		`--remote=${withoutTls(url)}`,
		'--level',
		'warn',
		'--fail-on',
		'warn'
	]);
}).catch((error: Error) => {
	console.error(error.message);
	process.exit(1);
});
console.log(output.trim() || 'advisors: nothing at WARN or above');
