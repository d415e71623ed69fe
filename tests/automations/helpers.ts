// Shared setup for automation tests: a cloned database with the tenancy world,
// an engine with a controlled clock and a mailer that keeps what it sends, and
// helpers to publish definitions, make contacts and play the worker's part
// (take the queued dispatch jobs and run them).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import type { Definition } from '../../src/lib/automations/definition.ts';
import { createDatabase } from '../../src/lib/server/db/client.ts';
import { withRls } from '../../src/lib/server/db/rls.ts';
import { controlledClock, type ControlledClock } from '../../src/worker/automations/clock.ts';
import { dispatchEvents } from '../../src/worker/automations/dispatch.ts';
import { advanceRun } from '../../src/worker/automations/executor.ts';
import {
	createEngine,
	type Engine,
	type EngineConfig,
	type EngineMailer
} from '../../src/worker/automations/engine.ts';
import type { RuleEvaluator } from '../../src/worker/automations/rules.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createTenancyWorld, type TenancyWorld } from '../helpers/tenancy.ts';

export const TEST_UNSUBSCRIBE_SECRET = 'test-unsubscribe-secret-0123456789';

export type SentMail = Parameters<EngineMailer['send']>[0];

export type CapturingMailer = EngineMailer & { sent: SentMail[]; failNext: number };

export function capturingMailer(): CapturingMailer {
	const mailer: CapturingMailer = {
		sent: [],
		failNext: 0,
		send(email) {
			if (mailer.failNext > 0) {
				mailer.failNext--;
				return Promise.reject(new Error('SMTP is down'));
			}
			mailer.sent.push(email);
			return Promise.resolve();
		}
	};
	return mailer;
}

export type EngineWorld = {
	testDb: TestDatabase;
	world: TenancyWorld;
	pool: pg.Pool;
	engine: Engine;
	clock: ControlledClock;
	mailer: CapturingMailer;
	close(): Promise<void>;
};

export async function engineWorld(
	opts: { config?: Partial<EngineConfig>; rules?: RuleEvaluator } = {}
): Promise<EngineWorld> {
	const testDb = await createTestDatabase();
	const world = await createTenancyWorld(testDb.url);
	const pool = new pg.Pool({ connectionString: testDb.url, max: 3 });
	const clock = controlledClock(new Date());
	const mailer = capturingMailer();
	const db = createDatabase(testDb.url, 4);
	const engine = createEngine({
		db,
		mailer,
		clock,
		rules: opts.rules,
		log: () => {},
		config: {
			outbound: { allowLoopback: true, allowPrivate: false },
			defaultRetry: { maxAttempts: 3, backoffSeconds: 10 },
			appUrl: 'http://app.test',
			unsubscribeSecret: TEST_UNSUBSCRIBE_SECRET,
			...opts.config
		}
	});
	return {
		testDb,
		world,
		pool,
		engine,
		clock,
		mailer,
		close: async () => {
			await db.destroy();
			await pool.end();
			await world.close();
			await testDb.drop();
		}
	};
}

/** Creates an automation as an org member and publishes the definition; returns its id. */
export async function publish(
	w: EngineWorld,
	definition: Definition,
	automationId?: string
): Promise<string> {
	return withRls(w.world.db, w.world.claims('member'), async (trx) => {
		let id = automationId;
		if (!id) {
			const row = await trx
				.insertInto('automations')
				.values({ org_id: w.world.orgA, name: `Automation ${randomUUID().slice(0, 6)}` })
				.returning('id')
				.executeTakeFirstOrThrow();
			id = row.id;
		}
		await sql`select public.publish_automation(${id}, ${JSON.stringify(definition)}::jsonb)`.execute(
			trx
		);
		return id;
	});
}

/** Archives an automation (no new runs), as an org member. */
export async function archive(w: EngineWorld, automationId: string): Promise<void> {
	await withRls(w.world.db, w.world.claims('member'), (trx) =>
		sql`select public.set_automation_status(${automationId}, 'archived')`.execute(trx)
	);
}

export async function createContact(
	w: EngineWorld,
	fields: { email?: string; first_name?: string; custom?: Record<string, unknown> } = {}
): Promise<string> {
	const { rows } = await w.pool.query<{ id: string }>(
		`insert into public.contacts (org_id, email, first_name, custom) values ($1, $2, $3, $4) returning id`,
		[
			w.world.orgA,
			fields.email ?? `${randomUUID().slice(0, 8)}@example.test`,
			fields.first_name ?? null,
			JSON.stringify(fields.custom ?? {})
		]
	);
	return rows[0]!.id;
}

export async function createTag(w: EngineWorld, name: string): Promise<string> {
	const { rows } = await w.pool.query<{ id: string }>(
		`insert into public.tags (org_id, name) values ($1, $2) returning id`,
		[w.world.orgA, name]
	);
	return rows[0]!.id;
}

export async function tagContact(w: EngineWorld, contactId: string, tagId: string): Promise<void> {
	await w.pool.query(
		`insert into public.contact_tags (org_id, contact_id, tag_id) values ($1, $2, $3)`,
		[w.world.orgA, contactId, tagId]
	);
}

/**
 * Plays the worker: runs and removes the queued dispatch jobs and the run
 * wake-ups that are due (in real time; waits and retries, which the controlled
 * clock places in the future, are left to resumeDue). Returns how many ran.
 */
export async function runDispatchJobs(w: EngineWorld): Promise<number> {
	let ran = 0;
	for (;;) {
		const { rows } = await w.pool.query<{
			task: string;
			payload: { events?: string[]; runId?: string };
		}>(
			`delete from graphile_worker._private_jobs j
			  using graphile_worker._private_tasks t
			  where t.id = j.task_id and j.run_at <= now()
			    and t.identifier in ('automations_dispatch', 'automations_resume')
			  returning t.identifier as task, j.payload`
		);
		if (rows.length === 0) return ran;
		for (const row of rows) {
			if (row.task === 'automations_dispatch') await dispatchEvents(w.engine, row.payload.events!);
			else await advanceRun(w.engine, row.payload.runId!);
			ran++;
		}
	}
}

export type RunView = {
	id: string;
	subject_id: string | null;
	status: string;
	current_step: string | null;
	error: string | null;
	failed_step: string | null;
	version: number;
	steps: Array<{
		step_id: string;
		status: string;
		attempts: number;
		output: unknown;
		error: string | null;
	}>;
};

export async function runsOf(w: EngineWorld, automationId: string): Promise<RunView[]> {
	const { rows } = await w.pool.query<RunView>(
		`select r.id, r.subject_id, r.status::text, r.current_step, r.error, r.failed_step, v.version,
		        coalesce((select json_agg(json_build_object('step_id', s.step_id, 'status', s.status,
		          'attempts', s.attempts, 'output', s.output, 'error', s.error) order by s.seq)
		          from public.automation_step_runs s where s.run_id = r.id), '[]') as steps
		   from public.automation_runs r join public.automation_versions v on v.id = r.version_id
		  where r.automation_id = $1 order by r.started_at, r.id`,
		[automationId]
	);
	return rows;
}

export const MINUTE = 60_000;
export const DAY = 24 * 3600_000;
