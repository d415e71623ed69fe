// The job queue's own schema (graphile_worker). Installed once per database,
// after the Supabase migrations: by the local platform, the tests, and
// `npm run worker:migrate` when deploying.
import { Logger, runMigrations } from 'graphile-worker';
import pg from 'pg';

/** graphile-worker logs every step at info; keep warnings and errors. */
export const quietLogger = new Logger(() => (level, message) => {
	if (level === 'error' || level === 'warning') console.error(`[worker] ${message}`);
});

export async function installQueue(connectionString: string): Promise<void> {
	await runMigrations({ connectionString, logger: quietLogger });
	await pinSearchPaths(connectionString);
}

/**
 * graphile-worker's SQL functions leave search_path to the caller, which
 * Supabase's advisors flag (function_search_path_mutable). Their bodies
 * qualify every table, so pinning the path changes nothing but the finding.
 * Re-run after every queue migration, which may recreate the functions.
 */
async function pinSearchPaths(connectionString: string): Promise<void> {
	const client = new pg.Client({ connectionString });
	await client.connect();
	try {
		await client.query(`
			do $$
			declare f regprocedure;
			begin
				for f in
					select p.oid::regprocedure from pg_proc p
					 where p.pronamespace = 'graphile_worker'::regnamespace and p.prokind = 'f'
					   and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) c where c like 'search_path=%')
				loop
					execute format('alter function %s set search_path = graphile_worker, pg_catalog, pg_temp', f);
				end loop;
			end $$;`);
	} finally {
		await client.end();
	}
}
