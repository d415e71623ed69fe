// The builder's schedule editor (simple schedules ↔ cron), schedules in an
// organization's time zone across daylight-saving changes, and the builder's
// wording (plurals, event pickers by label): pure functions, no database.
import { describe, expect, it } from 'vitest';
import { nextFire, parseCron } from '../../src/lib/automations/cron.ts';
import {
	cronFromSchedule,
	describeSchedule,
	scheduleFromCron
} from '../../src/lib/automations/schedule.ts';
import {
	eventGroups,
	matchFilters,
	problemCount,
	triggerSummary,
	type Choices
} from '../../src/lib/components/automations/model.ts';
import { stepDetail } from '../../src/lib/components/automations/describe.ts';
import { EVENT_TYPES } from '../../src/lib/events/catalog.ts';

describe('schedule editor', () => {
	it('reads the simple forms out of cron and writes them back the same', () => {
		const cases: Array<[string, ReturnType<typeof scheduleFromCron>]> = [
			['30 8 * * *', { kind: 'daily', time: '08:30' }],
			['0 9 * * 1', { kind: 'weekly', days: [1], time: '09:00' }],
			['0 9 * * 1-5', { kind: 'weekly', days: [1, 2, 3, 4, 5], time: '09:00' }],
			['15 18 * * 0,6', { kind: 'weekly', days: [0, 6], time: '18:15' }],
			['0 7 15 * *', { kind: 'monthly', day: 15, time: '07:00' }]
		];
		for (const [cron, schedule] of cases) {
			expect(scheduleFromCron(cron)).toEqual(schedule);
			expect(cronFromSchedule(schedule)).toBe(cron);
		}
	});

	it('keeps anything else as a custom cron, untouched', () => {
		for (const cron of ['*/15 * * * *', '0 9 * 1 1', '0 9 1 * 1', '0 9-17 * * *', 'every day']) {
			expect(scheduleFromCron(cron)).toEqual({ kind: 'custom', cron });
			expect(cronFromSchedule({ kind: 'custom', cron })).toBe(cron);
		}
	});

	it('writes day lists as ranges and Sunday as 0', () => {
		expect(cronFromSchedule({ kind: 'weekly', days: [5, 1, 2, 3, 4], time: '09:00' })).toBe(
			'0 9 * * 1-5'
		);
		expect(cronFromSchedule({ kind: 'weekly', days: [1, 3], time: '09:00' })).toBe('0 9 * * 1,3');
		expect(scheduleFromCron('0 9 * * 7')).toEqual({ kind: 'weekly', days: [0], time: '09:00' });
	});

	it('says a schedule in words', () => {
		expect(describeSchedule('0 9 * * 1')).toBe('Every Monday at 09:00');
		expect(describeSchedule('0 9 * * 1-5')).toBe('Every weekday at 09:00');
		expect(describeSchedule('30 8 * * *')).toBe('Every day at 08:30');
		expect(describeSchedule('0 9 * * 2,4')).toBe('Every Tuesday and Thursday at 09:00');
		expect(describeSchedule('0 7 1 * *')).toBe('On the 1st of every month at 07:00');
		expect(describeSchedule('0 7 22 * *')).toBe('On the 22nd of every month at 07:00');
		expect(describeSchedule('0 7 13 * *')).toBe('On the 13th of every month at 07:00');
		expect(describeSchedule('*/15 * * * *')).toBe('Custom schedule (*/15 * * * *)');
	});
});

describe('schedules in a time zone', () => {
	const daily9 = parseCron('0 9 * * *');

	it('fires at 09:00 local on both sides of a DST change (Europe/Berlin, spring)', () => {
		// Clocks go forward on Sunday 30 March 2031 (CET +1 → CEST +2).
		const zone = 'Europe/Berlin';
		const before = nextFire(daily9, new Date('2031-03-29T12:00:00Z'), zone);
		expect(before?.toISOString()).toBe('2031-03-30T07:00:00.000Z');
		const first = nextFire(daily9, new Date('2031-03-28T12:00:00Z'), zone);
		expect(first?.toISOString()).toBe('2031-03-29T08:00:00.000Z');
	});

	it('fires at 09:00 local after the autumn change (America/New_York)', () => {
		// Clocks go back on Sunday 2 November 2031 (EDT -4 → EST -5).
		const zone = 'America/New_York';
		expect(nextFire(daily9, new Date('2031-11-01T12:00:00Z'), zone)?.toISOString()).toBe(
			'2031-11-01T13:00:00.000Z'
		);
		expect(nextFire(daily9, new Date('2031-11-01T14:00:00Z'), zone)?.toISOString()).toBe(
			'2031-11-02T14:00:00.000Z'
		);
	});

	it('moves a skipped time past the gap and fires a repeated time once', () => {
		const zone = 'Europe/Berlin';
		// 02:30 does not exist on 30 March 2031: it fires at 03:30 CEST (01:30 UTC).
		const skipped = parseCron('30 2 * * *');
		expect(nextFire(skipped, new Date('2031-03-29T12:00:00Z'), zone)?.toISOString()).toBe(
			'2031-03-30T01:30:00.000Z'
		);
		// 02:30 happens twice on 26 October 2031: only the first (00:30 UTC) fires.
		const first = nextFire(skipped, new Date('2031-10-25T12:00:00Z'), zone)!;
		expect(first.toISOString()).toBe('2031-10-26T00:30:00.000Z');
		expect(nextFire(skipped, first, zone)?.toISOString()).toBe('2031-10-27T01:30:00.000Z');
	});

	it('is the same as before in UTC', () => {
		const at = new Date('2030-01-01T10:07:00Z');
		expect(nextFire(parseCron('0 9 * * 1'), at, 'UTC')?.toISOString()).toBe(
			'2030-01-07T09:00:00.000Z'
		);
	});
});

describe("the builder's words", () => {
	it('counts problems with proper plurals', () => {
		expect(problemCount(1)).toBe('1 problem');
		expect(problemCount(2)).toBe('2 problems');
		expect(problemCount(0)).toBe('0 problems');
	});

	it('offers every event by label, grouped, never by key', () => {
		const groups = eventGroups();
		expect(groups.map((g) => g.label)).toEqual([
			'Contacts',
			'Segments',
			'Team',
			'Campaigns',
			'Campaign messages',
			'Influencers',
			'Brand lift studies',
			'Incoming webhooks',
			'Finance'
		]);
		const options = groups.flatMap((g) => g.options);
		expect(options.map((o) => o.value).sort()).toEqual([...EVENT_TYPES].sort());
		for (const o of options) expect(o.label).not.toMatch(/[._]/);
		expect(options.find((o) => o.value === 'tag.added')?.label).toBe('Tag added');
	});

	const choices: Choices = {
		rules: {
			standardFields: {},
			operatorsByType: {} as Choices['rules']['operatorsByType'],
			fields: [{ key: 'plan', label: 'Plan', type: 'text', options: [] }],
			tags: [{ id: '00000000-0000-4000-8000-000000000001', name: 'VIP' }],
			statuses: []
		},
		members: [{ id: '00000000-0000-4000-8000-000000000003', name: 'Ann' }],
		templates: [],
		segments: [{ id: '00000000-0000-4000-8000-000000000002', name: 'Big spenders' }],
		endpoints: []
	};

	it('filters by picking a tag or a segment by name, stored as its id', () => {
		expect(matchFilters('tag.added', choices)).toEqual([
			{
				key: 'tag_id',
				label: 'Which tag',
				any: 'Any tag',
				options: [{ value: '00000000-0000-4000-8000-000000000001', label: 'VIP' }]
			}
		]);
		expect(matchFilters('segment.entered', choices)[0]).toMatchObject({
			key: 'segment_id',
			label: 'Which segment',
			options: [{ value: '00000000-0000-4000-8000-000000000002', label: 'Big spenders' }]
		});
		expect(
			triggerSummary(
				{
					type: 'event',
					event: 'tag.added',
					match: { tag_id: '00000000-0000-4000-8000-000000000001' }
				},
				{ tags: choices.rules.tags }
			)
		).toBe('Tag added: VIP');
		expect(triggerSummary({ type: 'schedule', cron: '0 9 * * 1-5' })).toBe(
			'Every weekday at 09:00'
		);
	});

	it('describes steps by what they do, with names and plurals', () => {
		expect(
			stepDetail(
				{
					id: 'wait_1',
					name: 'Wait 1',
					type: 'wait',
					wait: { kind: 'duration', amount: 1, unit: 'days' }
				},
				{}
			)
		).toBe('for 1 day');
		expect(
			stepDetail(
				{
					id: 'add_tag_1',
					name: 'Add tag 1',
					type: 'add_tag',
					tagId: '00000000-0000-4000-8000-000000000001'
				},
				{ tags: choices.rules.tags }
			)
		).toBe('VIP');
		expect(
			stepDetail({
				id: 'c',
				name: 'C',
				type: 'condition',
				condition: {
					kind: 'data',
					match: 'all',
					checks: [
						{ path: 'event.type', op: 'exists' },
						{ path: 'contact.email', op: 'exists' }
					]
				}
			})
		).toBe('Event type is filled in and 1 more check');
	});
});
