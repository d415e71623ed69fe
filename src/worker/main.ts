// `npm run worker`: runs background jobs (automations, sends, webhook
// deliveries, imports). Start as many as you like, on as many machines as you
// like; graphile-worker hands each job to exactly one of them, and a worker
// that dies has its jobs taken over by the others within WORKER_LEASE_SECONDS.
// SIGINT/SIGTERM finish the jobs in hand, then exit; a second signal exits at once.
//
// Needs a session-mode connection (LISTEN/NOTIFY, advisory locks): on
// Supabase, the direct connection or the session pooler, in WORKER_DATABASE_URL.
// Settings: see config.ts.
import { workerSettings } from './config.ts';
import { installQueue } from './queue.ts';
import { startWorker } from './runtime.ts';
import { tasks } from './tasks.ts';

let settings;
try {
	settings = workerSettings();
} catch (error) {
	console.error((error as Error).message);
	process.exit(1);
}

if (process.argv.includes('--migrate-only')) {
	await installQueue(settings.connectionString);
	console.log('worker: queue schema is up to date');
} else {
	const worker = await startWorker({ settings });
	console.log(
		`worker: running ${Object.keys(tasks).length} task types, concurrency ${settings.concurrency}`
	);
	let signals = 0;
	const shutdown = (signal: NodeJS.Signals) => {
		if (++signals > 1) {
			console.error(`worker: ${signal} again, exiting now`);
			process.exit(1);
		}
		console.log(`worker: ${signal}, finishing the jobs in hand…`);
		worker.stop().then(
			() => process.exit(0),
			(error: unknown) => {
				console.error(`worker: stopped with an error: ${(error as Error).message}`);
				process.exit(1);
			}
		);
	};
	process.on('SIGINT', shutdown);
	process.on('SIGTERM', shutdown);
	await worker.done.catch((error: unknown) => {
		console.error(`worker: ${(error as Error).message}`);
		process.exit(1);
	});
}
