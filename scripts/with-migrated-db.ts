// Runs `fn` against a throwaway Postgres with the platform bootstrap and every
// migration applied: what type generation and the advisors read.
import { rm } from 'node:fs/promises';
import { bootstrap } from '../platform/bootstrap.ts';
import { migrate } from '../platform/migrate.ts';
import { freePort } from '../platform/ports.ts';
import { startPostgres } from '../platform/postgres.ts';
import { installQueue } from '../src/worker/queue.ts';

export async function withMigratedDb<T>(fn: (url: string) => Promise<T>): Promise<T> {
	const dataDir = `.data/tmp/pg-${process.pid}`;
	const postgres = await startPostgres({ dataDir, port: await freePort(), ephemeral: true });
	try {
		await bootstrap(postgres.url);
		await migrate(postgres.url);
		await installQueue(postgres.url);
		return await fn(postgres.url);
	} finally {
		await postgres.stop();
		await rm(dataDir, { recursive: true, force: true });
	}
}
