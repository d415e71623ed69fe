// The demo workspace: what `npm run dev` loads into a fresh database, after
// the migrations and the job queue's schema. supabase/seed.sql (the demo
// account, also what `supabase db reset` seeds) runs first, then every
// platform/demo/*.sql in name order, all in one transaction on one
// connection: the files share the helpers 00-helpers.sql defines in pg_temp,
// and a failure leaves nothing half-seeded. A module adds its part as a new
// numbered file (see the README, "The demo workspace").
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const seedFile = fileURLToPath(new URL('../supabase/seed.sql', import.meta.url));
const demoDir = fileURLToPath(new URL('./demo/', import.meta.url));

export type DemoOptions = {
	/** The moment the demo's history is built around (default: now). Tests pin it. */
	now?: Date;
	/** Told how long each file took ("20-contacts.sql 1.23 s"), to see what to make faster. */
	log?: (line: string) => void;
};

/** The seed files in the order they run. */
export async function demoFiles(): Promise<string[]> {
	const names = (await readdir(demoDir)).filter((name) => name.endsWith('.sql')).sort();
	return [seedFile, ...names.map((name) => `${demoDir}${name}`)];
}

/** Loads the demo workspace; resolves with how long it took, in seconds. */
export async function loadDemo(databaseUrl: string, options: DemoOptions = {}): Promise<number> {
	const started = performance.now();
	const client = new pg.Client({ connectionString: databaseUrl });
	await client.connect();
	try {
		await client.query('begin');
		if (options.now) {
			await client.query(`select set_config('growthdesk.demo_now', $1, true)`, [
				options.now.toISOString()
			]);
		}
		for (const file of await demoFiles()) {
			const fileStarted = performance.now();
			try {
				await client.query(await readFile(file, 'utf8'));
				const took = (performance.now() - fileStarted) / 1000;
				options.log?.(`${file.split('/').at(-1)} ${took.toFixed(2)} s`);
			} catch (error) {
				throw new Error(
					`demo seed ${file.split('/').slice(-2).join('/')}: ${(error as Error).message}`,
					{
						cause: error
					}
				);
			}
		}
		await client.query('commit');
	} catch (error) {
		await client.query('rollback').catch(() => {});
		throw error;
	} finally {
		await client.end();
	}
	return (performance.now() - started) / 1000;
}
