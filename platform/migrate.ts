// Applies supabase/migrations (and optionally supabase/seed.sql) with the real
// Supabase CLI, so the migration history table is the one Supabase keeps.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Local clusters have no TLS; saying so keeps the CLI from printing a warning into its output. */
export function withoutTls(url: string): string {
	return url.includes('sslmode=') ? url : `${url}${url.includes('?') ? '&' : '?'}sslmode=disable`;
}
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const supabaseBin = fileURLToPath(new URL('../node_modules/.bin/supabase', import.meta.url));

export async function supabaseCli(args: string[]): Promise<string> {
	try {
		const { stdout } = await run(supabaseBin, [...args, '--yes'], {
			cwd: projectRoot,
			// The CLI asks before acting unless it is told it is not on a terminal.
			env: { ...process.env, CI: 'true', DO_NOT_TRACK: '1', SUPABASE_TELEMETRY_DISABLED: '1' },
			maxBuffer: 64 * 1024 * 1024
		});
		return stdout;
	} catch (error) {
		const e = error as { stdout?: string; stderr?: string; message: string };
		throw new Error(
			`supabase ${args[0]} ${args[1] ?? ''} failed:\n${e.stderr || e.stdout || e.message}`,
			{ cause: error }
		);
	}
}

export async function migrate(databaseUrl: string, { seed = false } = {}): Promise<void> {
	await supabaseCli([
		'db',
		'push',
		`--remote=${withoutTls(databaseUrl)}`,
		...(seed ? ['--include-seed'] : [])
	]);
}
