// `npm run worker`: runs background jobs (automations, sends, webhook
// deliveries, imports). Start as many as you like, on as many machines as you
// like; graphile-worker hands each job to exactly one of them. SIGINT/SIGTERM
// finish the jobs in hand, then exit.
//
// Needs a session-mode connection (LISTEN/NOTIFY): on Supabase, the direct
// connection or the session pooler, in WORKER_DATABASE_URL.
import { run } from 'graphile-worker';
import { installQueue } from './queue.ts';
import { tasks } from './tasks.ts';

const connectionString = process.env.WORKER_DATABASE_URL ?? process.env.DATABASE_URL;
if (!connectionString) {
	console.error('worker: set WORKER_DATABASE_URL (or DATABASE_URL)');
	process.exit(1);
}

if (process.argv.includes('--migrate-only')) {
	await installQueue(connectionString);
	console.log('worker: queue schema is up to date');
} else {
	const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 4);
	const runner = await run({
		connectionString,
		concurrency,
		taskList: tasks,
		noPreparedStatements: false
	});
	console.log(
		`worker: running ${Object.keys(tasks).length} task types, concurrency ${concurrency}`
	);
	await runner.promise;
}
