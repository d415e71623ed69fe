// Heartbeats and lock recovery (see the worker_leases migration): every few
// seconds a worker says its pool is alive and unlocks the jobs of pools that
// stopped saying so, so a killed worker's jobs run again within a lease.
import { hostname } from 'node:os';
import pg from 'pg';

export type Leases = { stop(): Promise<void> };

export function startLeases(opts: {
	connectionString: string;
	poolId: string;
	leaseSeconds: number;
	log: (line: string) => void;
}): Leases {
	const client = new pg.Pool({ connectionString: opts.connectionString, max: 1 });
	client.on('error', (e) => opts.log(`lease connection lost: ${e.message}`));
	let stopped = false;
	let timer: NodeJS.Timeout | undefined;
	let beats = 0;

	const tick = async () => {
		try {
			await client.query('select private.worker_heartbeat($1, $2, $3)', [
				opts.poolId,
				hostname(),
				process.pid
			]);
			// Recover at start and every other beat.
			if (beats++ % 2 === 0) {
				const { rows } = await client.query<{ dead: string[] }>(
					'select private.worker_recover($1) as dead',
					[Math.ceil(opts.leaseSeconds)]
				);
				const dead = rows[0]?.dead ?? [];
				if (dead.length) opts.log(`took over the jobs of stopped worker(s) ${dead.join(', ')}`);
			}
		} catch (error) {
			opts.log(`heartbeat failed: ${(error as Error).message}`);
		}
		if (!stopped) timer = setTimeout(() => void tick(), (opts.leaseSeconds * 1000) / 4);
	};
	void tick();

	return {
		async stop() {
			stopped = true;
			clearTimeout(timer);
			await client.query('select private.worker_gone($1)', [opts.poolId]).catch(() => {});
			await client.end();
		}
	};
}
