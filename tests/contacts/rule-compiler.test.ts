// The segment rule compiler: every operator of every field type against a
// small known population, validation messages that name the rule's path, and
// injection attempts in values and keys (bound, never spliced into SQL).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as contacts from '../../src/lib/server/contacts/index.ts';
import * as segments from '../../src/lib/server/segments/index.ts';
import type { Condition, Rule } from '../../src/lib/server/segments/index.ts';
import { createContactsWorld, type ContactsWorld } from './world.ts';

let w: ContactsWorld;
let vip: string;
beforeAll(async () => {
	w = await createContactsWorld();
	await w.as('admin', async (trx) => {
		const f = (key: string, type: contacts.FieldType, options: string[] = []) =>
			contacts.createField(trx, w.orgA, { key, label: key, type, options });
		await f('bio', 'text');
		await f('score', 'number');
		await f('renewal', 'date');
		await f('active', 'boolean');
		await f('plan', 'select', ['free', 'pro', 'team']);
		await f('langs', 'multi_select', ['en', 'fr', 'de']);
		vip = (await contacts.createTag(trx, w.orgA, { name: 'vip' })).id;
		const people: contacts.ContactInput[] = [
			{
				email: 'a@x.test',
				firstName: 'Ann',
				company: 'Acme 100%',
				custom: {
					bio: 'Loves SQL',
					score: 10,
					renewal: '2026-01-15',
					active: true,
					plan: 'free',
					langs: ['en']
				}
			},
			{
				email: 'b@x.test',
				firstName: 'Bob',
				company: 'Beta_Co',
				custom: {
					bio: "o'brien; drop table",
					score: 55.5,
					renewal: '2026-06-01',
					active: false,
					plan: 'pro',
					langs: ['en', 'fr']
				}
			},
			{
				email: 'c@x.test',
				firstName: 'Cy',
				status: 'unsubscribed' as const,
				custom: { score: 99, plan: 'team', langs: ['de'] }
			},
			{ email: 'd@x.test', custom: {} }
		];
		for (const p of people) await contacts.create(trx, w.orgA, p);
		const a = (await contacts.list(trx, w.orgA, { search: 'a@x.test' })).items[0]!;
		await contacts.addTags(trx, w.orgA, [a.id], [vip]);
	});
	// Recent for everyone but d; an event only b did.
	await w.service(async (trx) => {
		await sql`update public.contacts set created_at = now() - interval '400 days' where email = 'd@x.test'`.execute(
			trx
		);
		await sql`insert into public.events (org_id, type, subject_type, subject_id)
			select org_id, 'email.opened', 'contact', id from public.contacts where email = 'b@x.test'`.execute(
			trx
		);
		await sql`insert into public.events (org_id, type, subject_type, subject_id, occurred_at)
			select org_id, 'email.opened', 'contact', id, now() - interval '60 days' from public.contacts where email = 'c@x.test'`.execute(
			trx
		);
	});
});
afterAll(() => w.cleanup());

const group = (...rules: Rule[]): Rule => ({ kind: 'group', match: 'all', rules });
const field = (f: string, operator: string, value?: unknown) =>
	({ kind: 'field', field: f, operator, ...(value === undefined ? {} : { value }) }) as Condition;

async function who(rules: Rule): Promise<string> {
	const page = await w.as('viewer', (trx) =>
		contacts.list(trx, w.orgA, { rules, sort: 'email', direction: 'asc' })
	);
	const count = await w.as('viewer', (trx) => segments.countMatching(trx, w.orgA, rules));
	expect(count).toBe(page.items.length);
	return page.items.map((c) => c.email![0]).join('');
}

const cases: Array<[string, Rule, string]> = [
	// text (custom) — case-insensitive, wildcards literal
	['text equals', field('custom.bio', 'equals', 'loves sql'), 'a'],
	['text not_equals', field('custom.bio', 'not_equals', 'loves sql'), 'bcd'],
	['text contains', field('custom.bio', 'contains', 'SQL'), 'a'],
	['text not_contains', field('custom.bio', 'not_contains', 'sql'), 'bcd'],
	['text starts_with', field('custom.bio', 'starts_with', "o'b"), 'b'],
	['text in', field('custom.bio', 'in', ['LOVES SQL', 'x']), 'a'],
	['text not_in', field('custom.bio', 'not_in', ['loves sql']), 'bcd'],
	['text is_set', field('custom.bio', 'is_set'), 'ab'],
	['text is_empty', field('custom.bio', 'is_empty'), 'cd'],
	// standard text
	['company contains a literal %', field('company', 'contains', '100%'), 'a'],
	['company contains a literal _', field('company', 'contains', 'a_c'), 'b'],
	['company contains _ is not a wildcard', field('company', 'contains', 'e_'), ''],
	['email starts_with', field('email', 'starts_with', 'C@'), 'c'],
	['first_name is_empty', field('first_name', 'is_empty'), 'd'],
	['status equals', field('status', 'equals', 'unsubscribed'), 'c'],
	['status not_in', field('status', 'not_in', ['unsubscribed', 'bounced']), 'abd'],
	// number
	['number equals', field('custom.score', 'equals', 55.5), 'b'],
	['number not_equals', field('custom.score', 'not_equals', 10), 'bcd'],
	['number greater_than', field('custom.score', 'greater_than', 50), 'bc'],
	['number less_than', field('custom.score', 'less_than', 55.5), 'a'],
	['number between', field('custom.score', 'between', [10, 55.5]), 'ab'],
	['number in', field('custom.score', 'in', [10, 99]), 'ac'],
	['number not_in', field('custom.score', 'not_in', [10]), 'bcd'],
	['number is_set', field('custom.score', 'is_set'), 'abc'],
	['number is_empty', field('custom.score', 'is_empty'), 'd'],
	// date (custom)
	['date equals', field('custom.renewal', 'equals', '2026-06-01'), 'b'],
	['date before', field('custom.renewal', 'before', '2026-06-01'), 'a'],
	['date after', field('custom.renewal', 'after', '2026-01-15'), 'b'],
	['date between', field('custom.renewal', 'between', ['2026-01-01', '2026-01-31']), 'a'],
	['date is_empty', field('custom.renewal', 'is_empty'), 'cd'],
	['date within_last_days', field('custom.renewal', 'within_last_days', 3650), 'ab'],
	// timestamps
	['created_at within_last_days', field('created_at', 'within_last_days', 30), 'abc'],
	[
		'created_at before',
		field('created_at', 'before', new Date(Date.now() - 200 * 864e5).toISOString().slice(0, 10)),
		'd'
	],
	['created_at after', field('created_at', 'after', '2000-01-01'), 'abcd'],
	[
		'created_at equals today',
		field('created_at', 'equals', new Date().toISOString().slice(0, 10)),
		'abc'
	],
	// boolean
	['boolean equals true', field('custom.active', 'equals', true), 'a'],
	['boolean equals false', field('custom.active', 'equals', false), 'b'],
	['boolean is_empty', field('custom.active', 'is_empty'), 'cd'],
	// select
	['select equals', field('custom.plan', 'equals', 'pro'), 'b'],
	['select not_equals', field('custom.plan', 'not_equals', 'pro'), 'acd'],
	['select in', field('custom.plan', 'in', ['free', 'team']), 'ac'],
	['select not_in', field('custom.plan', 'not_in', ['free']), 'bcd'],
	['select is_set', field('custom.plan', 'is_set'), 'abc'],
	// multi-select
	['multi contains', field('custom.langs', 'contains', 'en'), 'ab'],
	['multi not_contains', field('custom.langs', 'not_contains', 'en'), 'cd'],
	['multi in (any of)', field('custom.langs', 'in', ['fr', 'de']), 'bc'],
	['multi is_empty', field('custom.langs', 'is_empty'), 'd'],
	// tags and events
	['tag has', { kind: 'tag', operator: 'has', tagId: '' }, 'a'],
	['tag has_not', { kind: 'tag', operator: 'has_not', tagId: '' }, 'bcd'],
	[
		'event did within 30 days',
		{ kind: 'event', operator: 'did', eventType: 'email.opened', withinDays: 30 },
		'b'
	],
	[
		'event did within 90 days',
		{ kind: 'event', operator: 'did', eventType: 'email.opened', withinDays: 90 },
		'bc'
	],
	[
		'event did_not within 30 days',
		{ kind: 'event', operator: 'did_not', eventType: 'email.opened', withinDays: 30 },
		'acd'
	],
	// groups
	[
		'nested AND/OR',
		{
			kind: 'group',
			match: 'any',
			rules: [
				group(field('custom.plan', 'equals', 'pro'), field('custom.score', 'greater_than', 50)),
				field('first_name', 'equals', 'ann')
			]
		},
		'ab'
	],
	['empty all matches everyone', group(), 'abcd'],
	['empty any matches no one', { kind: 'group', match: 'any', rules: [] }, '']
];

describe('every operator and type', () => {
	for (const [name, rule, expected] of cases)
		it(name, async () => {
			const withTag = JSON.parse(
				JSON.stringify(rule).replace('"tagId":""', `"tagId":"${vip}"`)
			) as Rule;
			expect(await who(withTag.kind === 'group' ? withTag : group(withTag))).toBe(expected);
		});
});

describe('refused rules name their path', () => {
	const refused = async (rules: unknown) =>
		w
			.as('viewer', (trx) => segments.countMatching(trx, w.orgA, rules))
			.then(
				() => null,
				(e: segments.SegmentRuleError) => e.issues
			);

	it('a deleted field, an unknown field, a wrong operator, wrong values', async () => {
		await w.as('admin', (trx) =>
			contacts.createField(trx, w.orgA, { key: 'legacy', label: 'Legacy', type: 'text' })
		);
		await w.as('admin', (trx) => contacts.deleteField(trx, w.orgA, 'legacy'));
		const issues = await refused({
			kind: 'group',
			match: 'all',
			rules: [
				field('custom.score', 'greater_than', 1),
				{ kind: 'group', match: 'any', rules: [field('custom.legacy', 'equals', 'x')] },
				field('nickname', 'equals', 'x'),
				field('custom.plan', 'greater_than', 'pro'),
				field('custom.score', 'equals', 'ten'),
				field('custom.renewal', 'before', '2026-02-30'),
				field('custom.score', 'between', [5, 1]),
				field('custom.bio', 'is_set', 'x'),
				{ kind: 'tag', operator: 'has', tagId: '00000000-0000-4000-8000-000000000000' }
			]
		});
		expect(issues!.map((i) => `${segments.formatPath(i.path)} ${i.message}`)).toEqual([
			'rules[1].rules[0] Refers to the custom field "legacy", which does not exist (it may have been deleted).',
			'rules[2] Refers to "nickname", which is not a contact field (custom fields are written "custom.<key>").',
			expect.stringMatching(
				/^rules\[3\] Operator "greater_than" does not apply to custom.plan \(a select field\)/
			),
			'rules[4] Expects a number (got "ten").',
			'rules[5] Expects a date (YYYY-MM-DD) (got "2026-02-30").',
			'rules[6] The lower bound of "between" is above the upper bound.',
			'rules[7] Operator "is_set" takes no value.',
			'rules[8] Refers to a tag that does not exist (it may have been deleted).'
		]);
	});

	it('malformed trees: unknown kinds, too deep, bad event types', async () => {
		expect(await refused({ kind: 'group', match: 'xor', rules: [] })).toMatchObject([
			{ path: ['match'] }
		]);
		let deep: unknown = { kind: 'group', match: 'all', rules: [] };
		for (let i = 0; i < 6; i++) deep = { kind: 'group', match: 'all', rules: [deep] };
		expect(await refused(deep)).toMatchObject([{ message: 'Groups nest at most 5 deep.' }]);
		expect(
			await refused(
				group({
					kind: 'event',
					operator: 'did',
					eventType: "x'; drop table contacts; --",
					withinDays: 1
				})
			)
		).toMatchObject([{ path: ['rules', 0, 'eventType'] }]);
	});
});

describe('injection attempts', () => {
	const hostile = [
		"' or 1=1 --",
		"'); drop table public.contacts; --",
		'\\',
		'%',
		"$1'",
		'"; select pg_sleep(10); --'
	];

	it('values are bound: hostile text matches nothing and breaks nothing', async () => {
		for (const value of hostile)
			for (const operator of ['equals', 'contains', 'starts_with', 'not_equals'])
				expect(await who(group(field('custom.bio', operator, value)))).toBe(
					operator === 'not_equals' ? 'abcd' : ''
				);
		expect(await who(group(field('custom.langs', 'in', hostile)))).toBe('');
		expect(await who(group(field('email', 'in', hostile)))).toBe('');
	});

	it('keys are validated: hostile field names are refused before any SQL', async () => {
		for (const key of [
			"custom.bio') or true --",
			'custom.BIO',
			"email' or '1'='1",
			'custom.',
			'c.id'
		])
			await expect(
				w.as('viewer', (trx) => segments.countMatching(trx, w.orgA, group(field(key, 'is_set'))))
			).rejects.toBeInstanceOf(segments.SegmentRuleError);
		const count = await w.service((trx) =>
			trx
				.selectFrom('contacts')
				.select((eb) => eb.fn.countAll<string>().as('n'))
				.executeTakeFirstOrThrow()
		);
		expect(Number(count.n)).toBe(4);
	});

	it('the compiled SQL carries values and keys as parameters only', () => {
		const ctx = {
			orgId: w.orgA,
			fields: new Map([
				[
					'bio',
					{
						id: '',
						key: 'bio',
						label: 'bio',
						type: 'text' as const,
						options: [],
						required: false,
						indexed: false,
						position: 0
					}
				]
			]),
			tagIds: new Set<string>()
		};
		const compiled = segments
			.segmentWhere(
				segments.validateRules(group(field('custom.bio', 'equals', hostile[1])), ctx),
				ctx
			)
			.compile(w.db);
		expect(compiled.sql).not.toContain('drop table');
		expect(compiled.sql).not.toContain("'bio'");
		expect(compiled.parameters).toEqual([w.orgA, 'bio', hostile[1]]);
	});
});
