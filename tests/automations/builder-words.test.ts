// The builder's pickers and summaries say things in a marketer's words while the
// definition keeps the engine's values: "Which field changed" offers the
// contact's fields by label (stored as `changed: 'company'` / `'custom.plan'`),
// "Wait until" is chosen and shown in the organization's time zone (stored as
// an ISO instant). Pure functions, no database.
import { describe, expect, it } from 'vitest';
import { stepDetail } from '../../src/lib/components/automations/describe.ts';
import {
	matchFilters,
	triggerSummary,
	type Choices
} from '../../src/lib/components/automations/model.ts';
import {
	formatInZone,
	fromZonedInput,
	toZonedInput,
	tomorrowAt
} from '../../src/lib/automations/zoned.ts';
import { validateGraph } from '../../src/lib/automations/validate.ts';
import type { Check } from '../../src/lib/automations/definition.ts';
import {
	checkPhrase,
	operatorChoices,
	pathChoices,
	pathLabel,
	valueFor
} from '../../src/lib/components/automations/paths.ts';

const choices: Choices = {
	rules: {
		standardFields: {},
		operatorsByType: {} as Choices['rules']['operatorsByType'],
		fields: [{ key: 'plan', label: 'Plan', type: 'text', options: [] }],
		tags: [{ id: '00000000-0000-4000-8000-000000000001', name: 'VIP' }],
		statuses: ['subscribed', 'unsubscribed']
	},
	members: [],
	templates: [],
	segments: [],
	endpoints: []
};

describe('Contact updated: which field changed', () => {
	it("offers the contact's standard and custom fields by label, stored as the event's field names", () => {
		const [filter, ...rest] = matchFilters('contact.updated', choices);
		expect(rest).toEqual([]);
		expect(filter).toMatchObject({
			key: 'changed',
			label: 'Which field changed',
			any: 'Any field'
		});
		expect(filter!.options).toEqual([
			{ value: 'email', label: 'Email' },
			{ value: 'phone', label: 'Phone' },
			{ value: 'first_name', label: 'First name' },
			{ value: 'last_name', label: 'Last name' },
			{ value: 'company', label: 'Company' },
			{ value: 'source', label: 'Source' },
			{ value: 'status', label: 'Email status' },
			{ value: 'custom.plan', label: 'Plan' }
		]);
	});

	it('says the field by its label in the summary', () => {
		const names = { fields: choices.rules.fields };
		const t = (changed: string) =>
			triggerSummary({ type: 'event', event: 'contact.updated', match: { changed } }, names);
		expect(t('company')).toBe('Contact updated: Company');
		expect(t('custom.plan')).toBe('Contact updated: Plan');
		expect(t('custom.gone')).toBe('Contact updated: a field that was deleted');
		expect(triggerSummary({ type: 'event', event: 'contact.updated', match: {} }, names)).toBe(
			'Contact updated'
		);
	});
});

describe('Wait until, in the organization’s time zone', () => {
	it('reads and writes a datetime-local value in the zone, storing the instant', () => {
		expect(fromZonedInput('2031-01-31T09:00', 'Europe/Berlin')).toBe('2031-01-31T08:00:00.000Z');
		expect(fromZonedInput('2031-07-31T09:00', 'Europe/Berlin')).toBe('2031-07-31T07:00:00.000Z');
		expect(fromZonedInput('2031-07-31T09:00', 'America/New_York')).toBe('2031-07-31T13:00:00.000Z');
		expect(fromZonedInput('2031-07-31T09:00', 'UTC')).toBe('2031-07-31T09:00:00.000Z');
		expect(toZonedInput('2031-01-31T08:00:00.000Z', 'Europe/Berlin')).toBe('2031-01-31T09:00');
		expect(toZonedInput('2031-07-31T13:00:00Z', 'America/New_York')).toBe('2031-07-31T09:00');
		// An instant written with another offset reads back in the organization's zone.
		expect(toZonedInput('2031-07-31T18:30:00+05:30', 'Europe/Berlin')).toBe('2031-07-31T15:00');
	});

	it('refuses what is not a date and time, and moves a time skipped by DST past the gap', () => {
		for (const bad of ['', '2031-02-30T09:00', '2031-13-01T09:00', '2031-01-01T24:00', 'soon']) {
			expect(fromZonedInput(bad, 'Europe/Berlin')).toBeNull();
		}
		expect(toZonedInput('not a date', 'Europe/Berlin')).toBe('');
		// 02:30 does not exist in Berlin on 30 March 2031: 03:30 CEST.
		expect(fromZonedInput('2031-03-30T02:30', 'Europe/Berlin')).toBe('2031-03-30T01:30:00.000Z');
	});

	it('starts a new wait tomorrow at 09:00 in the zone', () => {
		const now = new Date('2031-07-31T23:30:00Z'); // already 1 August in Berlin
		expect(tomorrowAt('09:00', 'Europe/Berlin', now)).toBe('2031-08-02T07:00:00.000Z');
		expect(tomorrowAt('09:00', 'America/New_York', now)).toBe('2031-08-01T13:00:00.000Z');
	});

	it('shows the wait in the zone, never as an ISO string', () => {
		const step = {
			id: 'wait_1',
			name: 'Wait 1',
			type: 'wait' as const,
			wait: { kind: 'until' as const, at: '2031-01-31T08:00:00.000Z' }
		};
		expect(stepDetail(step, { timeZone: 'Europe/Berlin' })).toBe(
			'until Fri, Jan 31, 2031, 9:00 AM'
		);
		expect(stepDetail(step, { timeZone: 'America/New_York' })).toBe(
			'until Fri, Jan 31, 2031, 3:00 AM'
		);
		expect(formatInZone('', 'UTC')).toBe('a date to choose');
	});

	it('asks for a date and time when none is set', () => {
		const result = validateGraph({
			trigger: { type: 'manual' },
			reentry: { mode: 'every_time' },
			start: 'w',
			steps: [{ id: 'w', name: 'Wait', type: 'wait', wait: { kind: 'until', at: '' } }]
		});
		expect(result.errors.map((e) => e.message)).toEqual(['Step "Wait": Choose a date and time.']);
	});
});

describe('data conditions in words', () => {
	const names = {
		fields: [
			{ key: 'plan', label: 'Plan', type: 'select', options: ['Free', 'Pro'] },
			{ key: 'seats', label: 'Seats', type: 'number', options: [] }
		],
		statuses: ['subscribed', 'unsubscribed', 'bounced']
	};

	it("offers the trigger event's data and the contact's fields by label, stored as paths", () => {
		const choices = pathChoices('tag.added', names);
		expect(choices.map((c) => [c.value, c.label])).toEqual([
			['event.type', 'Event type'],
			['event.payload.tag', 'Tag name'],
			['contact.email', "Contact's email"],
			['contact.first_name', "Contact's first name"],
			['contact.last_name', "Contact's last name"],
			['contact.phone', "Contact's phone"],
			['contact.company', "Contact's company"],
			['contact.status', "Contact's email status"],
			['contact.tags', "Contact's tags"],
			['contact.custom.plan', 'Plan'],
			['contact.custom.seats', 'Seats']
		]);
		for (const c of choices) expect(c.label).not.toMatch(/[._]/);
		// Without an event (a schedule, by hand), only the contact.
		expect(pathChoices(null, names).every((c) => c.group === 'Contact')).toBe(true);
		// Event types and statuses are picked by name.
		const type = choices.find((c) => c.value === 'event.type')!;
		expect(type.options).toContainEqual({ value: 'tag.added', label: 'Tag added' });
		expect(choices.find((c) => c.value === 'contact.status')!.options).toContainEqual({
			value: 'subscribed',
			label: 'Subscribed'
		});
	});

	it('offers operators that fit the value, in words', () => {
		expect(operatorChoices('list').map((o) => o.label)).toEqual(['includes', 'is filled in']);
		expect(operatorChoices('number').map((o) => o.label)).toContain('is more than');
		expect(operatorChoices('text').map((o) => o.value)).toEqual([
			'eq',
			'neq',
			'contains',
			'exists'
		]);
		expect(valueFor('number', '3')).toBe(3);
		expect(valueFor('boolean', 'false')).toBe(false);
		expect(valueFor('text', '3')).toBe('3');
	});

	it('summarises checks as sentences, paths written around the builder included', () => {
		const step = (checks: Check[], match: 'all' | 'any' = 'all') => ({
			id: 'c',
			name: 'C',
			type: 'condition' as const,
			condition: { kind: 'data' as const, match, checks },
			then: null,
			else: null
		});
		expect(stepDetail(step([{ path: 'contact.tags', op: 'contains', value: 'VIP' }]), names)).toBe(
			'Contact\'s tags includes "VIP"'
		);
		expect(
			stepDetail(
				step(
					[
						{ path: 'event.type', op: 'eq', value: 'tag.added' },
						{ path: 'contact.custom.seats', op: 'gt', value: 5 },
						{ path: 'contact.status', op: 'eq', value: 'subscribed' }
					],
					'any'
				),
				names
			)
		).toBe('Event type is Tag added or 2 more checks');
		expect(checkPhrase({ path: 'contact.custom.seats', op: 'gt', value: 5 }, names)).toBe(
			'Seats is more than 5'
		);
		expect(checkPhrase({ path: 'contact.status', op: 'eq', value: 'subscribed' }, names)).toBe(
			"Contact's email status is Subscribed"
		);
		expect(checkPhrase({ path: 'event.payload.channel', op: 'eq', value: 'sms' }, names)).toBe(
			'Consent channel is SMS'
		);
		expect(checkPhrase({ path: 'contact.custom.gone', op: 'exists' }, names)).toBe(
			'A deleted field is filled in'
		);
		expect(pathLabel('event.payload.data.plan.tier')).toBe('Webhook data "plan › tier"');
		expect(pathLabel('contact.source')).toBe("Contact's source");
		expect(pathLabel('contact.constructor')).toBe("Contact's constructor");
		expect(pathLabel('event.payload.constructor')).toBe("Event's constructor");
	});
});
