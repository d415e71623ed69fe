// The service API the builder and history UI use, under RLS as a request runs:
// drafts, validation with the organization's references (step-named errors),
// activation and versions, runs lists with filters and keyset pages, the
// per-run timeline, cancel/retry; and the webhooks services (URLs refused,
// secrets, replay).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Definition } from '../../src/lib/automations/definition.ts';
import * as automations from '../../src/lib/server/automations/index.ts';
import { withRls } from '../../src/lib/server/db/rls.ts';
import * as webhooks from '../../src/lib/server/webhooks/index.ts';
import type { Persona } from '../helpers/tenancy.ts';
import {
	createContact,
	createTag,
	engineWorld,
	runDispatchJobs,
	type EngineWorld
} from './helpers.ts';

let w: EngineWorld;
beforeAll(async () => {
	w = await engineWorld();
});
afterAll(() => w.close());

const as = <T>(persona: Persona, fn: Parameters<typeof withRls<T>>[2]) =>
	withRls(w.world.db, w.world.claims(persona), fn);

const welcome = (tagId: string): Definition => ({
	trigger: { type: 'event', event: 'contact.created' },
	reentry: { mode: 'once' },
	start: 'tag',
	steps: [
		{ id: 'tag', name: 'Tag newcomer', type: 'add_tag', tagId, next: 'wait' },
		{
			id: 'wait',
			name: 'Wait a day',
			type: 'wait',
			wait: { kind: 'duration', amount: 1, unit: 'days' }
		}
	]
});

describe('automations', () => {
	let id: string;
	let tag: string;

	it('saves drafts unvalidated and refuses to activate an invalid one, naming the step', async () => {
		tag = await createTag(w, 'Newcomer');
		id = await as('member', (trx) =>
			automations.create(trx, w.world.orgA, { name: 'Welcome' }, { steps: 'not yet' })
		);
		await as('member', (trx) =>
			automations.update(trx, w.world.orgA, id, {
				draft: welcome('00000000-0000-4000-8000-000000000000')
			})
		);
		const error = await as('member', (trx) => automations.activate(trx, w.world.orgA, id)).catch(
			(e: unknown) => e
		);
		expect(error).toBeInstanceOf(automations.AutomationInvalidError);
		expect((error as automations.AutomationInvalidError).errors).toMatchObject([
			{
				stepId: 'tag',
				stepName: 'Tag newcomer',
				path: 'steps.0.tagId',
				message: 'Step "Tag newcomer": its tag was deleted.'
			}
		]);
		const result = await as('member', (trx) =>
			automations.validate(trx, w.world.orgA, {
				...welcome(tag),
				trigger: {
					type: 'event',
					event: 'contact.created',
					filter: {
						kind: 'group',
						match: 'all',
						rules: [{ kind: 'field', field: 'custom.nope', operator: 'is_set' }]
					}
				}
			})
		);
		expect(result.errors.map((e) => e.path)).toEqual(['trigger.filter']);
		expect(result.errors[0]!.message).toMatch(/custom field "nope"/);
	});

	it('activates versions; viewers cannot', async () => {
		expect(
			await as('member', (trx) => automations.activate(trx, w.world.orgA, id, welcome(tag)))
		).toBe(1);
		expect(
			await as('admin', (trx) => automations.activate(trx, w.world.orgA, id, welcome(tag)))
		).toBe(2);
		const got = await as('viewer', (trx) => automations.get(trx, w.world.orgA, id));
		expect(got).toMatchObject({ status: 'active', version: 2, triggerEvent: 'contact.created' });
		await expect(
			as('viewer', (trx) => automations.activate(trx, w.world.orgA, id, welcome(tag)))
		).rejects.toBeInstanceOf(automations.AutomationNotFoundError);
		await expect(
			as('outsider', (trx) => automations.get(trx, w.world.orgA, id))
		).rejects.toBeInstanceOf(automations.AutomationNotFoundError);
	});

	it('lists runs with filters and pages, and shows a run as a timeline', async () => {
		const contacts: string[] = [];
		for (let i = 0; i < 5; i++) {
			contacts.push(await createContact(w, { first_name: `Runner${i}` }));
			await runDispatchJobs(w);
			w.clock.advance(1000);
		}

		const [summary] = await as('viewer', (trx) => automations.list(trx, w.world.orgA));
		expect(summary).toMatchObject({ name: 'Welcome', activeRuns: 5, failedRuns: 0 });

		const page1 = await as('viewer', (trx) =>
			automations.listRuns(trx, w.world.orgA, { automationId: id, limit: 3 })
		);
		expect(page1.items).toHaveLength(3);
		expect(page1.items[0]!.subjectLabel).toBe('Runner4');
		const page2 = await as('viewer', (trx) =>
			automations.listRuns(trx, w.world.orgA, {
				automationId: id,
				limit: 3,
				after: page1.nextCursor!
			})
		);
		expect(page2.items.map((r) => r.subjectLabel)).toEqual(['Runner1', 'Runner0']);
		expect(page2.nextCursor).toBeNull();

		const bySubject = await as('viewer', (trx) =>
			automations.listRuns(trx, w.world.orgA, { subjectId: contacts[2], status: 'waiting' })
		);
		expect(bySubject.items).toHaveLength(1);
		const none = await as('viewer', (trx) =>
			automations.listRuns(trx, w.world.orgA, { status: 'failed' })
		);
		expect(none.items).toEqual([]);

		const detail = await as('viewer', (trx) =>
			automations.getRun(trx, w.world.orgA, bySubject.items[0]!.id)
		);
		expect(detail).toMatchObject({
			version: 2,
			status: 'waiting',
			currentStep: 'wait',
			// People see the step by its name, never its id.
			currentStepName: 'Wait a day',
			failedStepName: null
		});
		expect(bySubject.items[0]!.currentStepName).toBe('Wait a day');
		expect(detail.steps.map((s) => [s.stepName, s.status])).toEqual([
			['Tag newcomer', 'succeeded'],
			['Wait a day', 'waiting']
		]);

		await expect(
			as('member', (trx) => automations.retryRun(trx, detail.id))
		).rejects.toBeInstanceOf(automations.AutomationStateError);
		expect(await as('member', (trx) => automations.cancelRun(trx, detail.id))).toBe(true);
		expect(await as('member', (trx) => automations.cancelRun(trx, detail.id))).toBe(false);
		await expect(
			as('outsider', (trx) => automations.cancelRun(trx, detail.id))
		).rejects.toBeInstanceOf(automations.AutomationNotFoundError);
	});
});

describe('deleting', () => {
	it('removes an automation with its versions and runs', async () => {
		const tag = await createTag(w, 'Doomed');
		const id = await as('member', (trx) =>
			automations.create(trx, w.world.orgA, { name: 'Doomed' })
		);
		await as('member', (trx) => automations.activate(trx, w.world.orgA, id, welcome(tag)));
		await createContact(w);
		await runDispatchJobs(w);
		await as('member', (trx) => automations.remove(trx, w.world.orgA, id));
		const { rows } = await w.pool.query<{ n: number }>(
			'select count(*)::int as n from public.automation_runs where automation_id = $1',
			[id]
		);
		expect(rows[0]!.n).toBe(0);
		await expect(
			as('viewer', (trx) => automations.remove(trx, w.world.orgA, id))
		).rejects.toBeInstanceOf(automations.AutomationNotFoundError);
	});
});

describe('webhooks services', () => {
	it('refuses private URLs and unknown events; secrets rotate; members see nothing', async () => {
		const error = await as('admin', (trx) =>
			webhooks.createSubscription(trx, w.world.orgA, {
				url: 'http://127.0.0.1:9999/hook',
				eventTypes: ['contact.created']
			})
		).catch((e: unknown) => e);
		expect(error).toMatchObject({ name: 'WebhookInputError', field: 'url' });
		await expect(
			as('admin', (trx) =>
				webhooks.createSubscription(trx, w.world.orgA, {
					url: 'https://example.test/h',
					eventTypes: ['made.up']
				})
			)
		).rejects.toMatchObject({ field: 'eventTypes' });

		const sub = await as('admin', (trx) =>
			webhooks.createSubscription(
				trx,
				w.world.orgA,
				{ url: 'http://127.0.0.1:9999/hook', eventTypes: ['tag.added', 'tag.added'] },
				{ allowLoopback: true, allowPrivate: false }
			)
		);
		expect(sub.eventTypes).toEqual(['tag.added']);
		const secret = await as('admin', (trx) =>
			webhooks.rotateSubscriptionSecret(trx, w.world.orgA, sub.id)
		);
		expect(secret).not.toBe(sub.secret);
		expect(await as('member', (trx) => webhooks.listSubscriptions(trx, w.world.orgA))).toEqual([]);
		await expect(as('admin', (trx) => webhooks.replay(trx, '999999'))).rejects.toBeInstanceOf(
			webhooks.WebhookNotFoundError
		);

		const endpoint = await as('owner', (trx) =>
			webhooks.createEndpoint(trx, w.world.orgA, { name: 'Forms' })
		);
		expect(endpoint.secret).toMatch(/^[0-9a-f]{64}$/);
		expect(webhooks.endpointUrl('http://127.0.0.1:54321/', endpoint.id)).toBe(
			`http://127.0.0.1:54321/functions/v1/inbound-webhook/${endpoint.id}`
		);
		expect(
			await as('owner', (trx) => webhooks.listRequests(trx, w.world.orgA, endpoint.id))
		).toEqual([]);
	});
});
