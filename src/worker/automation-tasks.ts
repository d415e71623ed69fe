// The jobs of the automations and webhooks modules, by name. Built around an
// engine so that tests (and the benchmark) can give theirs a controlled clock,
// a mailer and settings; the worker's default builds one from the environment.
import type { Task, TaskList } from 'graphile-worker';
import { createDatabase } from '../lib/server/db/client.ts';
import { createMailer } from '../lib/server/mail/mailer.ts';
import type { Clock } from './automations/clock.ts';
import { dispatchEvents, fireSchedule } from './automations/dispatch.ts';
import { createEngine, type Engine, type EngineMailer } from './automations/engine.ts';
import { advanceRun } from './automations/executor.ts';
import type { RuleEvaluator } from './automations/rules.ts';
import { workerSettings, type WorkerSettings } from './config.ts';
import { runDatabaseHook, type HttpRequestJob } from './webhooks/database-hooks.ts';
import { deliverWebhook, type WebhookConfig } from './webhooks/deliver.ts';

export type AutomationDeps = { engine: Engine; webhooks: WebhookConfig };

export type DepsOptions = {
	settings: WorkerSettings;
	clock?: Clock;
	mailer?: EngineMailer;
	rules?: RuleEvaluator;
	log?: (line: string) => void;
};

/** Everything the jobs need, from settings (one database pool for the engine and webhooks). */
export function createDeps(opts: DepsOptions): AutomationDeps & { close(): Promise<void> } {
	const { settings } = opts;
	const db = createDatabase(settings.connectionString, settings.concurrency + 2);
	const mailer =
		opts.mailer ??
		(settings.smtpUrl
			? createMailer(settings.smtpUrl, settings.mailFrom)
			: {
					send: () =>
						Promise.reject(new Error('SMTP_URL is not set: the worker cannot send email.'))
				});
	const engine = createEngine({
		db,
		mailer,
		clock: opts.clock,
		rules: opts.rules,
		log: opts.log,
		config: {
			functionsUrl: settings.functionsUrl,
			functionsKey: settings.functionsKey,
			outbound: settings.outbound,
			defaultRetry: settings.retry,
			dispatchBatch: settings.dispatchBatch,
			appUrl: settings.appUrl,
			unsubscribeSecret: settings.unsubscribeSecret
		}
	});
	return {
		engine,
		webhooks: {
			db,
			clock: engine.clock,
			policy: settings.outbound,
			...settings.webhooks
		},
		close: () => db.destroy()
	};
}

type Payload<T> = { [K in keyof T]: T[K] };

function payloadOf<T>(
	payload: unknown,
	check: (p: Record<string, unknown>) => boolean
): Payload<T> {
	if (
		typeof payload !== 'object' ||
		payload === null ||
		!check(payload as Record<string, unknown>)
	) {
		throw new Error(`malformed job payload: ${JSON.stringify(payload)}`);
	}
	return payload as Payload<T>;
}

export function createAutomationTasks(resolve: () => AutomationDeps): TaskList {
	const automations_dispatch: Task = async (payload, helpers) => {
		const p = payloadOf<{ events: Array<string | number> }>(payload, (x) =>
			Array.isArray(x.events)
		);
		// How long the job waited since it was due: the sign of a backlog worth batching.
		const queuedMs = Date.now() - new Date(helpers.job.run_at).getTime();
		await dispatchEvents(resolve().engine, p.events, queuedMs);
	};
	const automations_resume: Task = async (payload) => {
		const p = payloadOf<{ runId: string }>(payload, (x) => typeof x.runId === 'string');
		await advanceRun(resolve().engine, p.runId);
	};
	const automations_schedule: Task = async (payload) => {
		const p = payloadOf<{ automationId: string; versionId: string; at?: string }>(
			payload,
			(x) => typeof x.automationId === 'string' && typeof x.versionId === 'string'
		);
		await fireSchedule(resolve().engine, p);
	};
	const webhooks_deliver: Task = async (payload) => {
		const p = payloadOf<{ deliveryId: string | number }>(
			payload,
			(x) => x.deliveryId !== undefined
		);
		await deliverWebhook(resolve().webhooks, String(p.deliveryId));
	};
	const supabase_functions_http_request: Task = async (payload, helpers) => {
		const job = payloadOf<HttpRequestJob>(payload, (x) => typeof x.url === 'string');
		const { status } = await runDatabaseHook(job);
		helpers.logger.debug(`database webhook ${job.method} ${job.url} → ${status}`);
	};
	return {
		automations_dispatch,
		automations_resume,
		automations_schedule,
		webhooks_deliver,
		supabase_functions_http_request
	};
}

let fromEnv: AutomationDeps | undefined;

/** The default jobs: their dependencies come from the environment, on first use. */
export const automationTasks: TaskList = createAutomationTasks(
	() => (fromEnv ??= createDeps({ settings: workerSettings() }))
);
