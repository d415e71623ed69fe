// Runs `fn` against a throwaway Postgres with the platform bootstrap and every
// migration applied: what type generation and the advisors read.
import { bootstrap } from '../platform/bootstrap.ts';
import { migrate } from '../platform/migrate.ts';
import { startPostgres } from '../platform/postgres.ts';
import { installQueue } from '../src/worker/queue.ts';

export async function withMigratedDb<T>(fn: (url: string) => Promise<T>): Promise<T> {
	const postgres = await startPostgres({
		dataDir: `.data/tmp/pg-${process.pid}`,
		port: 0,
		ephemeral: true
	});
	try {
		await bootstrap(postgres.url);
		await migrate(postgres.url);
		await installQueue(postgres.url);
		return await fn(postgres.url);
	} finally {
		// Deletes the throwaway cluster's data too.
		await postgres.stop();
	}
}
