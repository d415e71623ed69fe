// What the builder's pickers store, run by the engine: a "Contact updated"
// trigger that waits for one field (`match: { changed: 'company' }`, started
// only when the event's list of changed fields holds it) and a data check on
// "Contact's tags" (`contact.tags` contains a tag name, case aside).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payloadMatches } from '../../src/worker/automations/dispatch.ts';
import {
	archive,
	createContact,
	createTag,
	tagContact,
	engineWorld,
	publish,
	runDispatchJobs,
	runsOf,
	type EngineWorld
} from './helpers.ts';

let w: EngineWorld;
beforeAll(async () => {
	w = await engineWorld();
});
afterAll(async () => {
	await w.close();
});

describe('payload match', () => {
	it('holds a list when the value is in it, and compares plain values as before', () => {
		expect(payloadMatches({ changed: 'company' }, { changed: ['first_name', 'company'] })).toBe(
			true
		);
		expect(payloadMatches({ changed: 'company' }, { changed: ['first_name'] })).toBe(false);
		expect(payloadMatches({ changed: 'custom.plan' }, { changed: ['custom.plan'] })).toBe(true);
		expect(payloadMatches({ tag: 'vip' }, { tag: 'VIP' })).toBe(true);
		expect(payloadMatches({ tag: 'vip' }, { tag: 'Gold' })).toBe(false);
		expect(payloadMatches(undefined, { changed: [] })).toBe(true);
	});
});

describe('contact updated, only when a field changed', () => {
	it('starts a run when the chosen field changes, not for other changes', async () => {
		await w.pool.query(
			`insert into public.contact_fields (org_id, key, label, type) values ($1, 'plan', 'Plan', 'text')`,
			[w.world.orgA]
		);
		const company = await publish(w, {
			trigger: { type: 'event', event: 'contact.updated', match: { changed: 'company' } },
			reentry: { mode: 'every_time' },
			start: 'end',
			steps: [{ id: 'end', name: 'Exit', type: 'exit' }]
		});
		const plan = await publish(w, {
			trigger: { type: 'event', event: 'contact.updated', match: { changed: 'custom.plan' } },
			reentry: { mode: 'every_time' },
			start: 'end',
			steps: [{ id: 'end', name: 'Exit', type: 'exit' }]
		});
		const contact = await createContact(w, { first_name: 'Ada' });
		await runDispatchJobs(w);

		await w.pool.query(`update public.contacts set first_name = 'Ada L.' where id = $1`, [contact]);
		await runDispatchJobs(w);
		expect(await runsOf(w, company)).toHaveLength(0);
		expect(await runsOf(w, plan)).toHaveLength(0);

		await w.pool.query(`update public.contacts set company = 'Analytical Engines' where id = $1`, [
			contact
		]);
		await runDispatchJobs(w);
		expect((await runsOf(w, company)).map((r) => r.subject_id)).toEqual([contact]);
		expect(await runsOf(w, plan)).toHaveLength(0);

		await w.pool.query(
			`update public.contacts set custom = custom || '{"plan": "Pro"}' where id = $1`,
			[contact]
		);
		await runDispatchJobs(w);
		expect(await runsOf(w, company)).toHaveLength(1);
		expect((await runsOf(w, plan)).map((r) => r.subject_id)).toEqual([contact]);
		await archive(w, company);
		await archive(w, plan);
	});
});

describe("a data check on the contact's tags", () => {
	it('branches on whether the contact has the tag, by name, case aside', async () => {
		const vip = await createTag(w, 'VIP');
		const id = await publish(w, {
			trigger: { type: 'event', event: 'tag.added', match: { tag_id: vip } },
			reentry: { mode: 'every_time' },
			start: 'check',
			steps: [
				{
					id: 'check',
					name: 'Has VIP?',
					type: 'condition',
					condition: {
						kind: 'data',
						match: 'all',
						checks: [{ path: 'contact.tags', op: 'contains', value: 'vip' }]
					},
					then: 'yes',
					else: 'no'
				},
				{ id: 'yes', name: 'Yes', type: 'exit' },
				{ id: 'no', name: 'No', type: 'exit' }
			]
		});
		const contact = await createContact(w);
		await runDispatchJobs(w);
		await tagContact(w, contact, vip);
		await runDispatchJobs(w);
		const [run] = await runsOf(w, id);
		expect(run?.steps.map((s) => [s.step_id, s.output])).toEqual([
			['check', { branch: 'then' }],
			['yes', { exited: true }]
		]);
		await archive(w, id);
	});
});
