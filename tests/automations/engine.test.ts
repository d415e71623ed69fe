// The engine against a real database, with a controlled clock: branches,
// waits, re-entry, versioning, retries with backoff and the per-step limit,
// retry from the failed step, cancel, unsubscribe, and what happens to a side
// effect interrupted mid-flight.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Definition } from '../../src/lib/automations/definition.ts';
import { withRls } from '../../src/lib/server/db/rls.ts';
import { fireSchedule } from '../../src/worker/automations/dispatch.ts';
import { advanceRun, resumeDue } from '../../src/worker/automations/executor.ts';
import {
	createContact,
	createTag,
	DAY,
	engineWorld,
	publish,
	runDispatchJobs,
	runsOf,
	archive,
	tagContact,
	type EngineWorld
} from './helpers.ts';
import { startTarget, type Target } from './target.ts';

let w: EngineWorld;
let target: Target;
beforeAll(async () => {
	w = await engineWorld();
	target = await startTarget();
});
afterAll(async () => {
	await target.close();
	await w.close();
});

const onContactCreated = (
	steps: Definition['steps'],
	extra: Partial<Definition> = {}
): Definition => ({
	trigger: { type: 'event', event: 'contact.created' },
	reentry: { mode: 'every_time' },
	start: steps[0]!.id,
	steps,
	...extra
});

async function tagsOf(contactId: string): Promise<string[]> {
	const { rows } = await w.pool.query<{ name: string }>(
		`select t.name::text from public.contact_tags ct join public.tags t on t.id = ct.tag_id
		  where ct.contact_id = $1 order by 1`,
		[contactId]
	);
	return rows.map((r) => r.name);
}

describe('branches', () => {
	it('follows then or else by the data condition and records each step', async () => {
		const vip = await createTag(w, 'Branch VIP');
		const id = await publish(
			w,
			onContactCreated([
				{
					id: 'check',
					name: 'Is it Ada?',
					type: 'condition',
					condition: {
						kind: 'data',
						match: 'all',
						checks: [{ path: 'contact.first_name', op: 'eq', value: 'ada' }]
					},
					then: 'tag',
					else: 'bye'
				},
				{ id: 'tag', name: 'Tag VIP', type: 'add_tag', tagId: vip, next: null },
				{ id: 'bye', name: 'Exit', type: 'exit' }
			])
		);
		const ada = await createContact(w, { first_name: 'Ada' });
		const bob = await createContact(w, { first_name: 'Bob' });
		expect(await runDispatchJobs(w)).toBeGreaterThan(0);

		const runs = await runsOf(w, id);
		expect(runs.map((r) => r.status)).toEqual(['completed', 'completed']);
		const of = (contact: string) => runs.find((r) => r.subject_id === contact)!;
		expect(of(ada).steps.map((s) => [s.step_id, s.status, s.output])).toEqual([
			['check', 'succeeded', { branch: 'then' }],
			['tag', 'succeeded', { changed: true }]
		]);
		expect(of(bob).steps.map((s) => s.step_id)).toEqual(['check', 'bye']);
		expect(await tagsOf(ada)).toEqual(['Branch VIP']);
		expect(await tagsOf(bob)).toEqual([]);
		await archive(w, id);
	});
});

describe('waits', () => {
	it('sleeps until the controlled clock reaches the end of the wait', async () => {
		const tag = await createTag(w, 'Waited');
		const id = await publish(
			w,
			onContactCreated([
				{
					id: 'wait',
					name: 'Two days',
					type: 'wait',
					wait: { kind: 'duration', amount: 2, unit: 'days' },
					next: 'tag'
				},
				{ id: 'tag', name: 'Tag', type: 'add_tag', tagId: tag }
			])
		);
		const contact = await createContact(w);
		await runDispatchJobs(w);
		expect((await runsOf(w, id))[0]).toMatchObject({ status: 'waiting', current_step: 'wait' });

		w.clock.advance(DAY);
		expect(await resumeDue(w.engine)).toBe(0);
		w.clock.advance(DAY + 1000);
		expect(await resumeDue(w.engine)).toBe(1);
		const [run] = await runsOf(w, id);
		expect(run!.status).toBe('completed');
		expect(run!.steps.map((s) => [s.step_id, s.status])).toEqual([
			['wait', 'succeeded'],
			['tag', 'succeeded']
		]);
		expect(await tagsOf(contact)).toEqual(['Waited']);
		await archive(w, id);
	});
});

describe('re-entry', () => {
	async function reentryRuns(reentry: Definition['reentry'], name: string) {
		const trigger = await createTag(w, `${name} trigger`);
		const id = await publish(w, {
			trigger: { type: 'event', event: 'tag.added', match: { tag: `${name} trigger` } },
			reentry,
			start: 'end',
			steps: [{ id: 'end', name: 'Exit', type: 'exit' }]
		});
		const contact = await createContact(w);
		const cycle = async () => {
			await tagContact(w, contact, trigger);
			await w.pool.query('delete from public.contact_tags where contact_id = $1 and tag_id = $2', [
				contact,
				trigger
			]);
			await runDispatchJobs(w);
		};
		return { id, cycle };
	}

	it('once: a subject enters one time only', async () => {
		const { id, cycle } = await reentryRuns({ mode: 'once' }, 'Once');
		await cycle();
		await cycle();
		expect(await runsOf(w, id)).toHaveLength(1);
	});

	it('every time: each event starts a run', async () => {
		const { id, cycle } = await reentryRuns({ mode: 'every_time' }, 'Every');
		await cycle();
		await cycle();
		expect(await runsOf(w, id)).toHaveLength(2);
	});

	it('after N days: again only once the window has passed', async () => {
		const { id, cycle } = await reentryRuns({ mode: 'after_days', days: 3 }, 'After');
		await cycle();
		await cycle();
		expect(await runsOf(w, id)).toHaveLength(1);
		w.clock.advance(3 * DAY + 1000);
		await cycle();
		expect(await runsOf(w, id)).toHaveLength(2);
	});

	it('matches the payload: other tags do not start runs', async () => {
		const { id } = await reentryRuns({ mode: 'every_time' }, 'Payload');
		const other = await createTag(w, 'Unrelated');
		await tagContact(w, await createContact(w), other);
		await runDispatchJobs(w);
		expect(await runsOf(w, id)).toHaveLength(0);
	});
});

describe('versions', () => {
	it('a run keeps the version it started on', async () => {
		const [a, b] = [await createTag(w, 'From v1'), await createTag(w, 'From v2')];
		const waitThenTag = (tagId: string): Definition['steps'] => [
			{
				id: 'wait',
				name: 'Wait',
				type: 'wait',
				wait: { kind: 'duration', amount: 1, unit: 'hours' },
				next: 'tag'
			},
			{ id: 'tag', name: 'Tag', type: 'add_tag', tagId }
		];
		const id = await publish(w, onContactCreated(waitThenTag(a)));
		const first = await createContact(w);
		await runDispatchJobs(w);
		await publish(w, onContactCreated(waitThenTag(b)), id);
		const second = await createContact(w);
		await runDispatchJobs(w);

		w.clock.advance(2 * 3600_000);
		await resumeDue(w.engine);
		const runs = (await runsOf(w, id)).sort((x, y) => x.version - y.version);
		expect(runs.map((r) => [r.version, r.status])).toEqual([
			[1, 'completed'],
			[2, 'completed']
		]);
		expect(await tagsOf(first)).toEqual(['From v1']);
		expect(await tagsOf(second)).toEqual(['From v2']);
		await archive(w, id);
	});
});

describe('retries', () => {
	const httpStep = (maxAttempts: number): Definition['steps'] => [
		{
			id: 'call',
			name: 'Call the CRM',
			type: 'http_request',
			method: 'POST',
			url: `${target.url}/hook?c={{contact.first_name}}`,
			body: '{"name": "{{contact.first_name}}"}',
			retry: { maxAttempts, backoffSeconds: 10 },
			next: null
		}
	];

	it('retries with exponential backoff and the same idempotency key, then succeeds', async () => {
		target.received.length = 0;
		target.script = [500, 503, 200];
		const id = await publish(w, onContactCreated(httpStep(3)));
		await createContact(w, { first_name: 'Al & Co' });
		await runDispatchJobs(w);
		expect((await runsOf(w, id))[0]).toMatchObject({ status: 'retrying' });

		w.clock.advance(9_000);
		expect(await resumeDue(w.engine)).toBe(0); // backoff 10 s not over
		w.clock.advance(1_000);
		await resumeDue(w.engine);
		expect((await runsOf(w, id))[0]!.status).toBe('retrying');
		w.clock.advance(20_000); // doubled
		await resumeDue(w.engine);

		const [run] = await runsOf(w, id);
		expect(run!.status).toBe('completed');
		expect(run!.steps).toMatchObject([{ step_id: 'call', status: 'succeeded', attempts: 3 }]);
		expect(target.received).toHaveLength(3);
		const keys = new Set(target.received.map((r) => r.headers['idempotency-key']));
		expect(keys.size).toBe(1);
		expect(target.received[0]!.path).toBe('/hook?c=Al%20%26%20Co');
		expect(JSON.parse(target.received[0]!.body)).toEqual({ name: 'Al & Co' });
		await archive(w, id);
	});

	it('fails the run with the step named after the limit; retry restarts at that step', async () => {
		target.received.length = 0;
		target.script = [500];
		const id = await publish(w, onContactCreated(httpStep(2)));
		await createContact(w, { first_name: 'Zed' });
		await runDispatchJobs(w);
		w.clock.advance(10_000);
		await resumeDue(w.engine);
		let [run] = await runsOf(w, id);
		expect(run).toMatchObject({ status: 'failed', failed_step: 'call' });
		expect(run!.error).toMatch(/^Step "Call the CRM" failed after 2 attempts: HTTP 500/);

		target.script = [200];
		await withRls(w.world.db, w.world.claims('member'), (trx) =>
			sql`select public.retry_automation_run(${run!.id})`.execute(trx)
		);
		await advanceRun(w.engine, run!.id);
		[run] = await runsOf(w, id);
		expect(run!.status).toBe('completed');
		expect(run!.steps.map((s) => [s.status, s.attempts])).toEqual([
			['failed', 2],
			['succeeded', 1]
		]);
		await archive(w, id);
	});

	it('a 4xx answer fails at once (retrying cannot fix it)', async () => {
		target.script = [422];
		const id = await publish(w, onContactCreated(httpStep(5)));
		await createContact(w);
		await runDispatchJobs(w);
		const [run] = await runsOf(w, id);
		expect(run).toMatchObject({ status: 'failed' });
		expect(run!.error).toMatch(/after 1 attempt: HTTP 422/);
		await archive(w, id);
	});
});

describe('email', () => {
	it('merges fields, and skips unsubscribed contacts', async () => {
		w.mailer.sent.length = 0;
		const id = await publish(
			w,
			onContactCreated([
				{
					id: 'mail',
					name: 'Welcome',
					type: 'send_email',
					email: {
						kind: 'inline',
						subject: 'Welcome, {{contact.first_name | "friend"}}',
						text: 'Hello {{contact.first_name}} from {{org.name}}',
						html: '<p>Hello {{contact.first_name}}</p>'
					},
					next: null
				}
			])
		);
		await createContact(w, { email: 'grace@example.test', first_name: '<Grace>' });
		const { rows } = await w.pool.query<{ id: string }>(
			`insert into public.contacts (org_id, email, status) values ($1, 'gone@example.test', 'unsubscribed') returning id`,
			[w.world.orgA]
		);
		await runDispatchJobs(w);
		expect(w.mailer.sent).toHaveLength(1);
		expect(w.mailer.sent[0]).toMatchObject({
			to: 'grace@example.test',
			subject: 'Welcome, <Grace>'
		});
		// The organization's layout and unsubscribe footer surround the body (automation-email.test.ts).
		expect(w.mailer.sent[0]!.text).toMatch(/^Hello <Grace> from Acme\n/);
		expect(w.mailer.sent[0]!.html).toContain('<p>Hello &lt;Grace&gt;</p>');
		expect(w.mailer.sent[0]!.html).not.toContain('<Grace>');
		const runs = await runsOf(w, id);
		const skipped = runs.find((r) => r.steps[0]!.status === 'skipped');
		expect(skipped).toBeDefined();
		expect(rows).toHaveLength(1);
		await archive(w, id);
	});

	it('does not send again when an attempt was interrupted mid-send', async () => {
		w.mailer.sent.length = 0;
		const id = await publish(
			w,
			onContactCreated([
				{
					id: 'wait',
					name: 'Wait',
					type: 'wait',
					wait: { kind: 'duration', amount: 1, unit: 'minutes' },
					next: 'mail'
				},
				{
					id: 'mail',
					name: 'Mail',
					type: 'send_email',
					email: { kind: 'inline', subject: 'Hi', text: 'Hi' },
					next: null
				}
			])
		);
		await createContact(w);
		await runDispatchJobs(w);
		const [waiting] = await runsOf(w, id);
		// The state a worker killed between recording the attempt and recording its outcome leaves.
		await w.pool.query(
			`with s as (
			   insert into public.automation_step_runs (org_id, run_id, seq, step_id, step_type, status, attempts, idempotency_key)
			   values ($1, $2::uuid, 2, 'mail', 'send_email', 'running', 1, $2::text || ':2') returning id)
			 update public.automation_runs set status = 'running', current_step = 'mail', seq = 2,
			        open_step_run_id = (select id from s), wake_at = null where id = $2::uuid`,
			[w.world.orgA, waiting!.id]
		);
		await advanceRun(w.engine, waiting!.id);
		const [run] = await runsOf(w, id);
		expect(w.mailer.sent).toHaveLength(0);
		expect(run!.status).toBe('completed');
		expect(run!.steps[1]).toMatchObject({
			step_id: 'mail',
			status: 'succeeded',
			output: { delivery: 'unknown' }
		});
		await archive(w, id);
	});
});

describe('cancel', () => {
	it('a cancelled run never resumes', async () => {
		const tag = await createTag(w, 'Never');
		const id = await publish(
			w,
			onContactCreated([
				{
					id: 'wait',
					name: 'Wait',
					type: 'wait',
					wait: { kind: 'duration', amount: 1, unit: 'hours' },
					next: 'tag'
				},
				{ id: 'tag', name: 'Tag', type: 'add_tag', tagId: tag }
			])
		);
		const contact = await createContact(w);
		await runDispatchJobs(w);
		const [run] = await runsOf(w, id);
		const cancelled = await withRls(w.world.db, w.world.claims('member'), (trx) =>
			sql<{ ok: boolean }>`select public.cancel_automation_run(${run!.id}) as ok`.execute(trx)
		);
		expect(cancelled.rows[0]!.ok).toBe(true);
		w.clock.advance(2 * 3600_000);
		await resumeDue(w.engine);
		await advanceRun(w.engine, run!.id);
		expect((await runsOf(w, id))[0]).toMatchObject({ status: 'cancelled' });
		expect((await runsOf(w, id))[0]!.steps).toMatchObject([{ status: 'cancelled' }]);
		expect(await tagsOf(contact)).toEqual([]);
	});
});

describe('contact rules (the segment rule language)', () => {
	it('filters the trigger and branches on the contact', async () => {
		const gold = await createTag(w, 'Gold');
		const winner = await createTag(w, 'Winner');
		const id = await publish(w, {
			trigger: {
				type: 'event',
				event: 'contact.updated',
				filter: {
					kind: 'group',
					match: 'all',
					rules: [{ kind: 'tag', operator: 'has', tagId: gold }]
				}
			},
			reentry: { mode: 'every_time' },
			start: 'ada',
			steps: [
				{
					id: 'ada',
					name: 'Is it Ada?',
					type: 'condition',
					condition: {
						kind: 'contact',
						rules: {
							kind: 'group',
							match: 'any',
							rules: [{ kind: 'field', field: 'first_name', operator: 'equals', value: 'ada' }]
						}
					},
					then: 'win',
					else: null
				},
				{ id: 'win', name: 'Winner', type: 'add_tag', tagId: winner }
			]
		});
		const a = await createContact(w, { first_name: 'Ada' });
		const b = await createContact(w, { first_name: 'Bob' });
		const c = await createContact(w, { first_name: 'Ada' });
		await tagContact(w, a, gold);
		await tagContact(w, b, gold);
		await w.pool.query(`update public.contacts set company = 'Acme' where id = any($1::uuid[])`, [
			[a, b, c]
		]);
		await runDispatchJobs(w);
		const runs = await runsOf(w, id);
		expect(runs.map((r) => r.subject_id).sort()).toEqual([a, b].sort());
		expect(runs.every((r) => r.status === 'completed')).toBe(true);
		expect(await tagsOf(a)).toEqual(['Gold', 'Winner']);
		expect(await tagsOf(b)).toEqual(['Gold']);
		await archive(w, id);
	});

	it('a filter that no longer fits (a deleted field) fails the runs visibly', async () => {
		const id = await publish(w, {
			trigger: {
				type: 'event',
				event: 'contact.created',
				filter: {
					kind: 'group',
					match: 'all',
					rules: [{ kind: 'field', field: 'custom.gone', operator: 'is_set' }]
				}
			},
			reentry: { mode: 'every_time' },
			start: 'end',
			steps: [{ id: 'end', name: 'Exit', type: 'exit' }]
		});
		await createContact(w);
		await runDispatchJobs(w);
		const [run] = await runsOf(w, id);
		expect(run).toMatchObject({ status: 'failed' });
		expect(run!.error).toMatch(/^The trigger filter could not be evaluated: .*custom field "gone"/);
		await archive(w, id);
	});
});

describe('schedule trigger', () => {
	it("fires in the organization's time zone, across a daylight-saving change", async () => {
		await w.pool.query(
			`update public.organizations set time_zone = 'America/New_York' where id = $1`,
			[w.world.orgA]
		);
		try {
			const id = await publish(w, {
				trigger: { type: 'schedule', cron: '0 9 * * *' },
				reentry: { mode: 'every_time' },
				start: 'end',
				steps: [{ id: 'end', name: 'Exit', type: 'exit' }]
			});
			const { rows: versions } = await w.pool.query<{ id: string }>(
				'select active_version_id as id from public.automations where id = $1',
				[id]
			);
			// Saturday 8 March 2031, 10:00 in New York (EST); clocks go forward on Sunday the 9th.
			w.clock.set(new Date('2031-03-08T15:00:00Z'));
			await fireSchedule(w.engine, { automationId: id, versionId: versions[0]!.id });
			const { rows: jobs } = await w.pool.query<{ payload: { at: string } }>(
				`select payload from graphile_worker._private_jobs where key = $1`,
				[`automation_schedule:${id}`]
			);
			// 09:00 EDT on Sunday, not 09:00 UTC and not 09:00 EST.
			expect(new Date(jobs[0]!.payload.at).toISOString()).toBe('2031-03-09T13:00:00.000Z');
			await archive(w, id);
		} finally {
			await w.pool.query(`update public.organizations set time_zone = 'UTC' where id = $1`, [
				w.world.orgA
			]);
		}
	});

	it('refuses a time zone Postgres does not know', async () => {
		await expect(
			w.pool.query(`update public.organizations set time_zone = 'Mars/Olympus' where id = $1`, [
				w.world.orgA
			])
		).rejects.toMatchObject({ code: '23514', column: 'time_zone' });
	});

	it('plans the next firing, starts one run per firing (once), notifies a member', async () => {
		w.mailer.sent.length = 0;
		const id = await publish(w, {
			trigger: { type: 'schedule', cron: '0 9 * * *' },
			reentry: { mode: 'every_time' },
			start: 'tell',
			steps: [
				{
					id: 'tell',
					name: 'Morning note',
					type: 'notify_member',
					userId: w.world.users.owner.id,
					subject: 'Good morning from {{org.name}}',
					text: 'Run {{run.id}}'
				}
			]
		});
		const { rows: versions } = await w.pool.query<{ id: string }>(
			'select active_version_id as id from public.automations where id = $1',
			[id]
		);
		const versionId = versions[0]!.id;
		w.clock.set(new Date('2031-03-04T08:30:00Z'));
		await fireSchedule(w.engine, { automationId: id, versionId });
		const { rows: jobs } = await w.pool.query<{ payload: { at: string } }>(
			`select payload from graphile_worker._private_jobs where key = $1`,
			[`automation_schedule:${id}`]
		);
		expect(Date.parse(jobs[0]!.payload.at)).toBe(Date.parse('2031-03-04T09:00:00Z'));

		w.clock.set(new Date('2031-03-04T09:00:01Z'));
		await fireSchedule(w.engine, { automationId: id, versionId, at: jobs[0]!.payload.at });
		await fireSchedule(w.engine, { automationId: id, versionId, at: jobs[0]!.payload.at });
		await runDispatchJobs(w);
		const runs = await runsOf(w, id);
		expect(runs).toMatchObject([{ status: 'completed', subject_id: null }]);
		expect(w.mailer.sent.map((m) => [m.to, m.subject])).toEqual([
			[w.world.users.owner.email, 'Good morning from Acme']
		]);
		await archive(w, id);
	});
});
