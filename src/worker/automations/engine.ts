// The automation engine's dependencies, in one object the tasks and the tests
// build: the database, a clock, the mailer, the contact-rule evaluator and the
// settings. Nothing here reads the environment; src/worker/runtime.ts does.
import type { Email } from '../../lib/server/mail/mailer.ts';
import type { Database } from '../../lib/server/db/client.ts';
import type { OutboundPolicy } from '../outbound.ts';
import { systemClock, type Clock } from './clock.ts';
import { createDefinitionCache, type DefinitionCache } from './definitions.ts';
import type { RuleEvaluator } from './rules.ts';
import { segmentRuleEvaluator } from './segment-rules.ts';

export type EngineConfig = {
	/** `${SUPABASE_URL}/functions/v1`, for invoke-function steps (null: not configured). */
	functionsUrl: string | null;
	/** Bearer token for invoke-function steps (the service role key). */
	functionsKey: string | null;
	outbound: OutboundPolicy;
	/** Used when a step has no retry policy of its own. */
	defaultRetry: { maxAttempts: number; backoffSeconds: number };
	/** Longest backoff between two attempts. */
	maxBackoffSeconds: number;
	/** A run that executes more steps than this fails (a loop through a wait that never ends). */
	maxStepsPerRun: number;
	/** Steps one transaction executes for one run before committing. */
	maxStepsPerSlice: number;
	/** Default HTTP timeout of http_request / invoke_function steps. */
	httpTimeoutSeconds: number;
	/** Dispatch jobs one batch may take in (its own included); 1 turns batching off. */
	dispatchBatch: number;
	/** The app's public URL, for unsubscribe links (`<appUrl>/u/<token>`); null: not configured. */
	appUrl: string | null;
	/** Signs unsubscribe tokens (UNSUBSCRIBE_SECRET, shared with the app); null: not configured. */
	unsubscribeSecret: string | null;
};

export const defaultConfig: EngineConfig = {
	functionsUrl: null,
	functionsKey: null,
	outbound: { allowLoopback: false, allowPrivate: false },
	defaultRetry: { maxAttempts: 3, backoffSeconds: 30 },
	maxBackoffSeconds: 6 * 3600,
	maxStepsPerRun: 1000,
	maxStepsPerSlice: 50,
	httpTimeoutSeconds: 15,
	dispatchBatch: 100,
	appUrl: null,
	unsubscribeSecret: null
};

/** The app's mailer fits; extra headers carry the Message-ID that makes a send recognisable. */
export type EngineMailer = {
	send(email: Email & { headers?: Record<string, string> }): Promise<void>;
};

export type Engine = {
	db: Database;
	clock: Clock;
	mailer: EngineMailer;
	rules: RuleEvaluator;
	config: EngineConfig;
	definitions: DefinitionCache;
	log: (line: string) => void;
};

export type EngineOptions = {
	db: Database;
	mailer: EngineMailer;
	clock?: Clock;
	rules?: RuleEvaluator;
	config?: Partial<EngineConfig>;
	log?: (line: string) => void;
};

export function createEngine(opts: EngineOptions): Engine {
	return {
		db: opts.db,
		mailer: opts.mailer,
		clock: opts.clock ?? systemClock,
		rules: opts.rules ?? segmentRuleEvaluator(),
		config: { ...defaultConfig, ...opts.config },
		definitions: createDefinitionCache(),
		log: opts.log ?? ((line) => console.error(`[automations] ${line}`))
	};
}
