// Graph validation (what activation refuses, with the step named), merge
// fields, cron schedules and the event catalog: pure functions, no database.
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { nextFire, parseCron, cronProblem } from '../../src/lib/automations/cron.ts';
import type { Definition } from '../../src/lib/automations/definition.ts';
import { mergeProblems, render } from '../../src/lib/automations/merge.ts';
import { validateGraph } from '../../src/lib/automations/validate.ts';
import { eventCatalog, isEventType, parseEventPayload } from '../../src/lib/events/catalog.ts';

const TAG = '11111111-1111-4111-8111-111111111111';
const TEMPLATE = '22222222-2222-4222-8222-222222222222';

const base = (steps: Definition['steps'], start = steps[0]!.id): Definition => ({
	trigger: { type: 'event', event: 'tag.added', match: { tag: 'VIP' } },
	reentry: { mode: 'once' },
	start,
	steps
});

const messages = (
	input: unknown,
	...rest: Parameters<typeof validateGraph> extends [unknown, ...infer R] ? R : never
) => validateGraph(input, ...rest).errors.map((e) => e.message);

describe('validateGraph', () => {
	it('accepts tag VIP → wait → send email', () => {
		const result = validateGraph(
			base([
				{
					id: 'wait',
					name: 'Wait a day',
					type: 'wait',
					wait: { kind: 'duration', amount: 1, unit: 'days' },
					next: 'mail'
				},
				{
					id: 'mail',
					name: 'VIP email',
					type: 'send_email',
					email: { kind: 'template', templateId: TEMPLATE }
				}
			]),
			{ templates: new Set([TEMPLATE]), tags: new Set([TAG]) }
		);
		expect(result.errors).toEqual([]);
		expect(result.ok).toBe(true);
	});

	it('refuses a loop without a wait, naming the steps', () => {
		const errors = validateGraph(
			base([
				{
					id: 'a',
					name: 'Check plan',
					type: 'condition',
					condition: {
						kind: 'data',
						match: 'all',
						checks: [{ path: 'contact.custom.plan', op: 'exists' }]
					},
					then: 'b',
					else: null
				},
				{ id: 'b', name: 'Tag it', type: 'add_tag', tagId: TAG, next: 'a' }
			])
		).errors;
		expect(errors).toHaveLength(1);
		expect(errors[0]).toMatchObject({ stepId: 'a', stepName: 'Check plan' });
		expect(errors[0]!.message).toBe(
			'Step "Check plan": "Check plan" → "Tag it" → "Check plan" loop without a wait; add a wait to the loop.'
		);
	});

	it('accepts a loop through a wait', () => {
		const result = validateGraph(
			base([
				{ id: 'a', name: 'Tag it', type: 'add_tag', tagId: TAG, next: 'w' },
				{
					id: 'w',
					name: 'Wait',
					type: 'wait',
					wait: { kind: 'duration', amount: 1, unit: 'days' },
					next: 'a'
				}
			])
		);
		expect(result.errors).toEqual([]);
	});

	it('refuses dangling branches and unreachable steps', () => {
		expect(
			messages(
				base([
					{
						id: 'a',
						name: 'Branch',
						type: 'condition',
						condition: {
							kind: 'data',
							match: 'any',
							checks: [{ path: 'event.payload.tag', op: 'eq', value: 'x' }]
						},
						then: 'gone',
						else: 'b'
					},
					{ id: 'b', name: 'End', type: 'exit' },
					{ id: 'c', name: 'Orphan', type: 'exit' }
				])
			)
		).toEqual([
			'Step "Branch": its "yes" branch was deleted; choose where to go instead.',
			'Step "Orphan": nothing leads to this step from the start.'
		]);
	});

	it('refuses references to deleted templates, tags, fields and members', () => {
		const result = validateGraph(
			base([
				{
					id: 'm',
					name: 'Mail',
					type: 'send_email',
					email: { kind: 'template', templateId: TEMPLATE },
					next: 't'
				},
				{ id: 't', name: 'Untag', type: 'remove_tag', tagId: TAG, next: 'f' },
				{
					id: 'f',
					name: 'Set plan',
					type: 'update_field',
					field: 'custom.plan',
					value: '{{contact.custom.tier}}',
					next: 'n'
				},
				{
					id: 'n',
					name: 'Tell Ann',
					type: 'notify_member',
					userId: TAG,
					subject: 'New VIP',
					text: 'See {{contact.email}}'
				}
			]),
			{ templates: new Set(), tags: new Set(), fields: new Set(['tier']), members: new Set() }
		);
		expect(result.ok).toBe(false);
		expect(result.errors.map((e) => [e.stepName, e.path])).toEqual([
			['Mail', 'steps.0.email.templateId'],
			['Untag', 'steps.1.tagId'],
			['Set plan', 'steps.2.field'],
			['Tell Ann', 'steps.3.userId']
		]);
		expect(result.errors[2]!.message).toBe(
			'Step "Set plan": the custom field "plan" does not exist (deleted?).'
		);
	});

	it('names the step on structural errors and bad merge fields', () => {
		const result = validateGraph({
			...base([
				{ id: 'w', name: 'Wait', type: 'wait', wait: { kind: 'duration', amount: 0, unit: 'days' } }
			])
		});
		expect(result.errors[0]).toMatchObject({ stepId: 'w', path: 'steps.0.wait.amount' });
		expect(result.errors[0]!.message).toBe('Step "Wait": Wait for at least 1.');
		expect(
			messages(
				base([
					{
						id: 'h',
						name: 'Hook',
						type: 'http_request',
						method: 'POST',
						url: 'https://x.test',
						body: '{{secret.key}}'
					}
				])
			)
		).toEqual([
			'Step "Hook": "{{secret.key}}" starts with "secret"; use one of contact, event, org, run.'
		]);
	});

	it('refuses contact steps when the trigger has no contact, and unknown events', () => {
		expect(
			messages({
				trigger: { type: 'schedule', cron: '0 9 * * 1' },
				reentry: { mode: 'every_time' },
				start: 't',
				steps: [{ id: 't', name: 'Tag', type: 'add_tag', tagId: TAG }]
			})
		).toEqual(['Step "Tag": it needs a contact, and this trigger does not start runs for one.']);
		expect(
			messages({
				...base([{ id: 'e', name: 'End', type: 'exit' }]),
				trigger: { type: 'event', event: 'made.up' }
			})
		).toEqual(['The trigger event "made.up" is not in the event catalog.']);
	});

	it('refuses a wait until a time that has passed, and a bad schedule', () => {
		const now = new Date('2030-01-01T00:00:00Z');
		expect(
			messages(
				base([
					{
						id: 'w',
						name: 'Until NY',
						type: 'wait',
						wait: { kind: 'until', at: '2029-12-31T00:00:00Z' }
					}
				]),
				{},
				{ now }
			)
		).toEqual(['Step "Until NY": it waits until a time that has already passed.']);
		expect(
			messages({
				trigger: { type: 'schedule', cron: '61 * * * *' },
				reentry: { mode: 'every_time' },
				start: 'e',
				steps: [{ id: 'e', name: 'End', type: 'exit' }]
			})
		).toEqual(['The schedule: The minute field "61" is out of range (0–59).']);
	});
});

describe('merge fields', () => {
	it('renders paths with fallbacks and escapes for HTML, JSON and URLs', () => {
		const data = {
			contact: { first_name: 'Ann <b>', custom: { tags: ['a', 'b'] } },
			org: { name: 'Acme' }
		};
		expect(render('Hi {{ contact.first_name }} of {{org.name}}', data)).toBe('Hi Ann <b> of Acme');
		expect(render('{{contact.last_name | "there"}}', data)).toBe('there');
		expect(render('{{contact.first_name}}', data, { escape: 'html' })).toBe('Ann &lt;b&gt;');
		expect(
			render(
				'{"n":"{{contact.first_name}}"}',
				{ contact: { first_name: 'a"b' } },
				{ escape: 'json' }
			)
		).toBe('{"n":"a\\"b"}');
		expect(render('{{contact.custom.tags}}', data)).toBe('a, b');
		expect(mergeProblems('{{ }} {{contact.x}}')).toHaveLength(1);
	});
});

describe('cron', () => {
	it('finds the next firing in UTC', () => {
		const at = new Date('2030-01-01T10:07:30Z'); // a Tuesday
		expect(nextFire(parseCron('*/15 * * * *'), at)?.toISOString()).toBe('2030-01-01T10:15:00.000Z');
		expect(nextFire(parseCron('0 9 * * 1'), at)?.toISOString()).toBe('2030-01-07T09:00:00.000Z');
		expect(nextFire(parseCron('30 8 1 * *'), at)?.toISOString()).toBe('2030-02-01T08:30:00.000Z');
		expect(cronProblem('0 0 31 2 *')).toBe('This schedule never fires.');
		expect(cronProblem('every day')).toMatch(/five fields/);
	});
});

describe('event catalog', () => {
	it('lists every event type the migrations record, with valid payloads', async () => {
		const dir = 'supabase/migrations';
		const recorded = new Set<string>();
		for (const file of await readdir(dir)) {
			const text = await readFile(`${dir}/${file}`, 'utf8');
			for (const [, type] of text.matchAll(/'([a-z]+\.[a-z_]+)', '(?:contact|member|invitation)'/g))
				recorded.add(type!);
			for (const [, type] of text.matchAll(/record_event\([^,]+,\s*'([a-z]+\.[a-z_]+)'/g))
				recorded.add(type!);
		}
		expect(recorded.size).toBeGreaterThan(5);
		expect([...recorded].filter((t) => !isEventType(t))).toEqual([]);
		expect(parseEventPayload('tag.added', { tag_id: TAG, tag: 'VIP' })).toMatchObject({
			known: true
		});
		expect(() => parseEventPayload('tag.added', { tag: 1 })).toThrow(/tag.added/);
		expect(parseEventPayload('future.thing', { a: 1 })).toMatchObject({ known: false });
		expect(Object.keys(eventCatalog)).toContain('webhook.received');
	});
});
