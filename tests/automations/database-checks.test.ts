// What the database refuses on its own, for a caller that goes around the app
// (raw SQL as a signed-in member, as PostgREST or any other client could send
// it): publish_automation() checks a definition's structure as validateGraph
// does, and start_automation_run() starts runs only for subjects it knows.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateGraph } from '../../src/lib/automations/validate.ts';
import { mapDbError } from '../../src/lib/server/db/errors.ts';
import { withRls } from '../../src/lib/server/db/rls.ts';
import { pgError } from '../helpers/errors.ts';
import { createContact, engineWorld, type EngineWorld } from './helpers.ts';

let w: EngineWorld;
let automationId: string;
/** Structure only: the database does not look the tag up. */
const tagId = '00000000-0000-4000-8000-000000000001';

beforeAll(async () => {
	w = await engineWorld();
	automationId = await asMember(async (trx) => {
		const row = await trx
			.insertInto('automations')
			.values({ org_id: w.world.orgA, name: 'Around the app' })
			.returning('id')
			.executeTakeFirstOrThrow();
		return row.id;
	});
});
afterAll(() => w.close());

function asMember<T>(fn: Parameters<typeof withRls<T>>[2]): Promise<T> {
	return withRls(w.world.db, w.world.claims('member'), fn);
}

const publish = (definition: unknown) =>
	asMember((trx) =>
		sql<{
			version: number;
		}>`select public.publish_automation(${automationId}, ${JSON.stringify(definition)}::jsonb) as version`.execute(
			trx
		)
	).then((r) => r.rows[0]!.version);

const tag = (id: string, next: string | null = null) => ({
	id,
	name: `Tag ${id}`,
	type: 'add_tag',
	tagId,
	next
});

const manual = (start: string, steps: unknown[]) => ({
	trigger: { type: 'manual' },
	reentry: { mode: 'every_time' },
	start,
	steps
});

describe('publish_automation', () => {
	const broken: Array<[string, unknown, string]> = [
		['not an object', [1, 2], 'The definition must be an object'],
		['an unknown trigger', { ...manual('a', [tag('a')]), trigger: { type: 'cron' } }, 'trigger'],
		[
			'a re-entry without days',
			{ ...manual('a', [tag('a')]), reentry: { mode: 'after_days', days: 'soon' } },
			'days'
		],
		[
			'an unknown step type',
			manual('a', [{ id: 'a', name: 'Mystery', type: 'frobnicate' }]),
			'Step "Mystery": its type is not a known step.'
		],
		[
			'a step without its required field',
			manual('a', [{ id: 'a', name: 'Mail', type: 'send_email', next: null }]),
			'Step "Mail": an email needs a template, or a subject and a text.'
		],
		[
			'a duplicate step id',
			manual('a', [tag('a'), tag('a')]),
			'the id "a" is used by another step.'
		],
		[
			'a start that is not a step',
			manual('nowhere', [tag('a')]),
			'The automation starts at "nowhere", which is not a step.'
		],
		[
			'a branch to a missing step',
			manual('a', [tag('a', 'gone')]),
			'Step "Tag a": its next step points to "gone", which is not a step.'
		],
		[
			'a step nothing leads to',
			manual('a', [tag('a'), tag('b')]),
			'Step "Tag b": nothing leads to this step from the start.'
		],
		['a loop without a wait', manual('a', [tag('a', 'b'), tag('b', 'a')]), 'loop without a wait'],
		['no steps at all', manual('a', []), 'from 1 to 200 steps']
	];

	it.each(broken)('refuses %s, naming the problem (422)', async (_, definition, problem) => {
		// The app would have refused it too: the database mirrors its structural rules.
		expect(validateGraph(definition).ok).toBe(false);
		const error = await publish(definition).catch((e: unknown) => e);
		expect(error).toMatchObject(pgError('22023', 'definition_invalid'));
		expect((error as Error).message).toContain(problem);
		expect(mapDbError(error)).toMatchObject({ status: 422, code: 'definition_invalid' });
	});

	it('publishes what the app validates, loops through a wait included', async () => {
		const definition = {
			trigger: { type: 'event', event: 'contact.created' },
			reentry: { mode: 'after_days', days: 7 },
			start: 'check',
			steps: [
				{
					id: 'check',
					name: 'Is it big?',
					type: 'condition',
					condition: {
						kind: 'data',
						match: 'all',
						checks: [{ path: 'event.payload.n', op: 'gte', value: 10 }]
					},
					then: 'mail',
					else: 'wait'
				},
				{
					id: 'mail',
					name: 'Say hello',
					type: 'send_email',
					email: { kind: 'inline', subject: 'Hi {{contact.first_name}}', text: 'Welcome.' },
					retry: { maxAttempts: 3, backoffSeconds: 60 },
					next: 'call'
				},
				{
					id: 'wait',
					name: 'Wait a day',
					type: 'wait',
					wait: { kind: 'duration', amount: 1, unit: 'days' },
					next: 'check'
				},
				{
					id: 'call',
					name: 'Call out',
					type: 'http_request',
					method: 'POST',
					url: 'https://example.test/hook',
					headers: { 'X-Key': '{{secret:k}}' },
					timeoutSeconds: 10,
					next: 'done'
				},
				{ id: 'done', name: 'Done', type: 'exit' }
			]
		};
		expect(validateGraph(definition).errors).toEqual([]);
		expect(await publish(definition)).toBeGreaterThanOrEqual(1);
	});
});

describe('start_automation_run', () => {
	it('refuses a subject type the engine does not know', async () => {
		await publish(manual('a', [tag('a')]));
		const error = await asMember((trx) =>
			sql`select public.start_automation_run(${automationId}, 'invoice', gen_random_uuid())`.execute(
				trx
			)
		).catch((e: unknown) => e);
		expect(error).toMatchObject(pgError('22023', 'subject_type_unknown'));
		expect(mapDbError(error)).toMatchObject({ status: 422 });
	});

	it('still starts runs for a contact, and without a subject', async () => {
		const contact = await createContact(w);
		const { rows } = await asMember((trx) =>
			sql<{ contact_run: string | null; bare_run: string | null }>`
				select public.start_automation_run(${automationId}, 'contact', ${contact}) as contact_run,
				       public.start_automation_run(${automationId}) as bare_run`.execute(trx)
		);
		expect(rows[0]!.contact_run).toBeTruthy();
		expect(rows[0]!.bare_run).toBeTruthy();
	});
});
