// A running worker: graphile-worker with every task, the automation engine's
// dependencies, and heartbeats/lock recovery. `npm run worker` starts one from
// the environment (main.ts); tests and the benchmark start theirs in process
// with a controlled clock or mailer.
import { EventEmitter } from 'node:events';
import { run, type Runner, type TaskList, type WorkerEvents } from 'graphile-worker';
import { createAutomationTasks, createDeps, type DepsOptions } from './automation-tasks.ts';
import type { Engine } from './automations/engine.ts';
import type { WorkerSettings } from './config.ts';
import { CAMPAIGNS_CRONTAB } from './campaign-statuses.ts';
import { DASHBOARD_CRONTAB } from './dashboard-rollups.ts';
import { FINANCE_CRONTAB } from './finance-overdue.ts';
import { MESSAGE_REPORTS_CRONTAB } from './message-reports.ts';
import { startLeases, type Leases } from './leases.ts';
import { startSender, type Sender } from './sending/sender.ts';
import { twilioAdapter } from '../lib/server/messaging/twilio.ts';
import { quietLogger } from './queue.ts';
import { tasks as allTasks } from './tasks.ts';

/** Periodic upkeep, one line per task; other modules add theirs here. */
export const CRONTAB = [
	DASHBOARD_CRONTAB,
	CAMPAIGNS_CRONTAB,
	MESSAGE_REPORTS_CRONTAB,
	FINANCE_CRONTAB
].join('\n');

export type RunningWorker = {
	engine: Engine;
	runner: Runner;
	/** Finishes the jobs in hand, then stops (idempotent). */
	stop(): Promise<void>;
	/** Settles when the worker has stopped. */
	done: Promise<void>;
};

export type StartWorkerOptions = Omit<DepsOptions, 'settings'> & {
	settings: WorkerSettings;
	/** false: no campaign sender in this process (tests of other modules). */
	sending?: boolean;
	/** Other tasks to run besides the project's (tests). */
	extraTasks?: TaskList;
	log?: (line: string) => void;
};

export async function startWorker(opts: StartWorkerOptions): Promise<RunningWorker> {
	const { settings } = opts;
	const log = opts.log ?? ((line: string) => console.error(`[worker] ${line}`));
	const deps = createDeps({ ...opts, log });
	const taskList: TaskList = {
		...allTasks,
		...createAutomationTasks(() => deps),
		...opts.extraTasks
	};
	const events: WorkerEvents = new EventEmitter();
	const leases: Leases[] = [];
	events.on('pool:create', ({ workerPool }) => {
		leases.push(
			startLeases({
				connectionString: settings.connectionString,
				poolId: workerPool.id,
				leaseSeconds: settings.leaseSeconds,
				log
			})
		);
	});
	events.on('job:error', ({ job, error }) => {
		log(
			`job ${job.task_identifier} #${job.id} failed (attempt ${job.attempts}/${job.max_attempts}): ${String((error as Error)?.message ?? error)}`
		);
	});
	// Campaign sending runs beside the job queue (its claims are its own leases).
	let sender: Sender | null = null;
	if (settings.smtpUrl && settings.appUrl && settings.unsubscribeSecret && opts.sending !== false) {
		sender = startSender({
			connectionString: settings.connectionString,
			smtpUrl: settings.smtpUrl,
			compose: {
				mailFrom: settings.mailFrom,
				appUrl: settings.appUrl,
				unsubscribeSecret: settings.unsubscribeSecret,
				trackingSecret: settings.trackingSecret
			},
			...settings.sending,
			messaging: settings.twilio ? twilioAdapter(settings.twilio) : null,
			pollMs: settings.pollInterval,
			log
		});
	} else if (opts.sending !== false) {
		log('campaign sending is off: set SMTP_URL, APP_URL and UNSUBSCRIBE_SECRET');
	}
	const runner = await run({
		connectionString: settings.connectionString,
		concurrency: settings.concurrency,
		pollInterval: settings.pollInterval,
		taskList,
		crontab: CRONTAB,
		events,
		logger: quietLogger,
		noHandleSignals: true,
		noPreparedStatements: false
	});
	let stopping: Promise<void> | undefined;
	const stop = () =>
		(stopping ??= (async () => {
			await runner.stop().catch(() => {});
			await runner.promise.catch(() => {});
			await Promise.all(leases.map((l) => l.stop()));
			await sender?.stop();
			await deps.close();
		})());
	const done = runner.promise.then(
		() => stop(),
		async (error: unknown) => {
			await stop();
			throw error;
		}
	);
	return { engine: deps.engine, runner, stop, done };
}
