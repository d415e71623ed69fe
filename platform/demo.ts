// The demo workspace: what `npm run dev` loads into a fresh database, after
// the migrations and the job queue's schema. supabase/seed.sql (the demo
// account, also what `supabase db reset` seeds) runs first, then every
// platform/demo/*.sql in name order, all in one transaction on one
// connection: the files share the helpers 00-helpers.sql defines in pg_temp,
// and a failure leaves nothing half-seeded. A module adds its part as a new
// numbered file (see the README, "The demo workspace").
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const seedFile = fileURLToPath(new URL('../supabase/seed.sql', import.meta.url));
const demoDir = fileURLToPath(new URL('./demo/', import.meta.url));

export type DemoOptions = {
	/** The moment the demo's history is built around (default: now). Tests pin it. */
	now?: Date;
	/** Told how long each file took ("20-contacts.sql 1.23 s"), to see what to make faster. */
	log?: (line: string) => void;
	/**
	 * Where the platform's Storage keeps bytes (`<data dir>/storage`): the demo's
	 * files are written there. Without it only their rows are loaded.
	 */
	storageDir?: string;
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
		if (options.storageDir) await writeDemoBytes(client, options.storageDir);
		await client.query('commit');
	} catch (error) {
		await client.query('rollback').catch(() => {});
		throw error;
	} finally {
		await client.end();
	}
	return (performance.now() - started) / 1000;
}

/**
 * The bytes of the demo's files (pg_temp.demo_storage_bytes, filled by
 * demo/75-files.sql), written where the platform's Storage reads an object's
 * version from: `<storage dir>/objects/<first two characters>/<version>`.
 */
async function writeDemoBytes(client: pg.Client, storageDir: string): Promise<void> {
	const { rows } = await client.query<{ present: boolean }>(
		`select to_regclass('pg_temp.demo_storage_bytes') is not null as present`
	);
	if (!rows[0]?.present) return;
	const files = await client.query<{ version: string; content: Buffer }>(
		'select version, content from pg_temp.demo_storage_bytes'
	);
	for (const { version, content } of files.rows) {
		const folder = join(storageDir, 'objects', version.slice(0, 2));
		await mkdir(folder, { recursive: true });
		await writeFile(join(folder, version), content);
	}
}
