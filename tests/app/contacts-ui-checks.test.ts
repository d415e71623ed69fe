// The contacts pages' own logic, run in the browser: the import wizard's checks
// (which must agree with what the worker refuses), the contact form built from
// custom field definitions, the segment builder's issue placement and local
// checks, and the table's URL. Plain functions, no database.
import { describe, expect, it } from 'vitest';
import {
	customFieldsUsed,
	issueKey,
	localIssues,
	type RuleGroup
} from '../../src/lib/components/contacts/rules.ts';
import { contactName, eventDetail } from '../../src/lib/components/contacts/display.ts';
import {
	contactFormSchema,
	contactFormValues,
	toContactInput,
	type FieldSpec
} from '../../src/routes/(app)/[org=slug]/contacts/contact-form.ts';
import { listQuery, parseListParams } from '../../src/routes/(app)/[org=slug]/contacts/schema.ts';
import {
	mappingProblems,
	sampleProblems
} from '../../src/routes/(app)/[org=slug]/imports/check.ts';
import {
	parseTagNames,
	startFormValues
} from '../../src/routes/(app)/[org=slug]/imports/schema.ts';
import { uploadLimit } from '../../src/routes/(app)/[org=slug]/imports/upload-limit.ts';
import {
	keyFromLabel,
	parseOptions
} from '../../src/routes/(app)/[org=slug]/settings/fields/schema.ts';

const fields: FieldSpec[] = [
	{ key: 'score', label: 'Score', type: 'number', options: [], required: true },
	{ key: 'plan', label: 'Plan', type: 'select', options: ['Free', 'Pro'], required: false },
	{
		key: 'langs',
		label: 'Languages',
		type: 'multi_select',
		options: ['en', 'fr'],
		required: false
	},
	{ key: 'born', label: 'Birthday', type: 'date', options: [], required: false },
	{ key: 'vip', label: 'VIP', type: 'boolean', options: [], required: false }
];

describe('import mapping checks', () => {
	const headers = ['Email', 'Mail', 'Points'];

	it('names a missing required field, a target used twice and a missing email/phone', () => {
		expect(mappingProblems(['email', 'email', ''], headers, fields).map((p) => p.message)).toEqual([
			'Columns “Email” and “Mail” are both mapped to Email.',
			'The required field “Score” is not mapped to a column.'
		]);
		expect(mappingProblems(['', '', 'custom.score'], headers, fields)).toEqual([
			{ column: null, message: 'Map a column to Email (or Phone): contacts are matched by email.' }
		]);
		expect(mappingProblems(['email', '', 'custom.score'], headers, fields)).toEqual([]);
	});
});

describe('import sample checks', () => {
	const mapping = [
		'email',
		'custom.score',
		'custom.plan',
		'custom.langs',
		'custom.born',
		'custom.vip',
		'status'
	];
	const row = (...cells: string[]) => cells;

	it('accepts what the worker accepts (case-insensitive options, yes/no words, separators)', () => {
		const sample = [
			row('a@example.test', '1.5e2', 'pro', 'EN; fr', '2024-02-29', 'Yes', 'Bounced')
		];
		expect(sampleProblems(sample, mapping, fields)).toEqual([]);
	});

	it('reports each bad cell by spreadsheet row and column', () => {
		const sample = [
			row('a@example.test', '10', '', '', '', '', ''),
			row('not-an-email', 'ten', 'Gold', 'en, de', '2023-02-29', 'perhaps', 'gone')
		];
		expect(sampleProblems(sample, mapping, fields)).toEqual([
			{ row: 3, column: 0, message: 'is not a valid email address', value: 'not-an-email' },
			{ row: 3, column: 1, message: 'is not a number', value: 'ten' },
			{ row: 3, column: 2, message: "is not one of the field's options", value: 'Gold' },
			{
				row: 3,
				column: 3,
				message: 'has values that are not options of the field',
				value: 'en, de'
			},
			{ row: 3, column: 4, message: 'is not a date (use YYYY-MM-DD)', value: '2023-02-29' },
			{ row: 3, column: 5, message: 'is not yes/no or true/false', value: 'perhaps' },
			{ row: 3, column: 6, message: 'must be subscribed, unsubscribed or bounced', value: 'gone' }
		]);
	});

	it('requires required fields and an email or phone, and skips blank rows', () => {
		const sample = [row('', '', '', '', '', '', ''), row('', '', 'Free', '', '', '', '')];
		expect(sampleProblems(sample, mapping, fields)).toEqual([
			{ row: 3, column: 1, message: 'is required', value: '' },
			{ row: 3, column: null, message: 'needs an email address or a phone number', value: '' }
		]);
	});

	it("reads an exported file's cells: the formula apostrophe off, tags and full names split", () => {
		const exported = ['email', 'phone', 'custom.score', 'tags', 'full_name'];
		const sample = [
			row('a@example.test', "'+44 20 7946 0958", "'-3", 'VIP; Spring fair', 'Ludwig van Beethoven'),
			row('b@example.test', "'0800 TAXI", '5', `ok; ${'x'.repeat(51)}`, `Ann ${'y'.repeat(101)}`)
		];
		expect(sampleProblems(sample, exported, fields, ';')).toEqual([
			{ row: 3, column: 1, message: 'is not a valid phone number', value: "'0800 TAXI" },
			{ row: 3, column: 3, message: 'has a tag longer than 50 characters', value: sample[1]![3] },
			{
				row: 3,
				column: 4,
				message: 'has a first or last name longer than 100 characters',
				value: sample[1]![4]
			}
		]);
		// The separator chosen in the options: "a, b;c" is two tags on commas.
		expect(
			sampleProblems([row('c@example.test', '', '1', 'a, b;c', '')], exported, fields, ',')
		).toEqual([]);
	});

	it('reads tag names typed for the batch', () => {
		expect(parseTagNames(' VIP, Spring fair,,VIP ')).toEqual(['VIP', 'Spring fair']);
	});
});

describe('contact form', () => {
	const schema = contactFormSchema(fields);

	it('starts from a contact, custom values as text', () => {
		const values = contactFormValues(fields, {
			email: 'a@example.test',
			phone: null,
			firstName: 'Ada',
			lastName: null,
			company: null,
			status: 'subscribed',
			custom: { score: 7, langs: ['fr'], vip: false }
		});
		expect(values).toMatchObject({
			email: 'a@example.test',
			cf_score: '7',
			cf_langs: ['fr'],
			cf_vip: 'false',
			cf_plan: ''
		});
	});

	it('checks values by type, and that a required field is filled', () => {
		const result = schema.safeParse({
			email: 'a@example.test',
			status: 'subscribed',
			cf_score: '',
			cf_plan: 'Gold',
			cf_born: '2024-13-01',
			cf_vip: 'maybe',
			cf_langs: ['de']
		});
		expect(result.success).toBe(false);
		const paths = result.error!.issues.map((i) => i.path.join('.')).sort();
		expect(paths).toEqual(['cf_born', 'cf_langs.0', 'cf_plan', 'cf_score', 'cf_vip']);
	});

	it('needs an email or a phone', () => {
		const result = schema.safeParse({ status: 'subscribed', cf_score: '3' });
		expect(result.error?.issues).toEqual([
			expect.objectContaining({
				path: ['email'],
				message: 'Enter an email address or a phone number.'
			})
		]);
	});

	it('turns the form into the service input: typed values, empty ones cleared', () => {
		const data = schema.parse({
			email: ' a@example.test ',
			status: 'unsubscribed',
			cf_score: '42.5',
			cf_plan: '',
			cf_langs: ['en'],
			cf_vip: 'true',
			cf_born: '1990-05-01'
		});
		expect(toContactInput(fields, data)).toEqual({
			email: 'a@example.test',
			phone: null,
			firstName: null,
			lastName: null,
			company: null,
			status: 'unsubscribed',
			custom: { score: 42.5, plan: null, langs: ['en'], born: '1990-05-01', vip: true }
		});
	});
});

describe('segment builder helpers', () => {
	it('places a server issue on the condition or group it is in', () => {
		expect(issueKey(['rules', 1, 'rules', 0])).toBe('rules.1.rules.0');
		expect(issueKey(['rules', 2, 'value'])).toBe('rules.2');
		expect(issueKey(['rules', 0, 'rules', 3, 'tagId'])).toBe('rules.0.rules.3');
		expect(issueKey([])).toBe('');
	});

	it('finds conditions not filled in before asking the server', () => {
		const tree: RuleGroup = {
			kind: 'group',
			match: 'all',
			rules: [
				{ kind: 'field', field: 'email', operator: 'contains', value: '' },
				{ kind: 'field', field: 'email', operator: 'is_set' },
				{
					kind: 'group',
					match: 'any',
					rules: [
						{ kind: 'tag', operator: 'has', tagId: '' },
						{
							kind: 'field',
							field: 'custom.score',
							operator: 'between',
							value: [1, null as never]
						},
						{ kind: 'field', field: 'custom.plan', operator: 'in', value: [] as never }
					]
				}
			]
		};
		expect(Object.fromEntries(localIssues(tree))).toEqual({
			'rules.0': 'Enter a value.',
			'rules.2.rules.0': 'Choose a tag.',
			'rules.2.rules.1': 'Enter both bounds.',
			'rules.2.rules.2': 'Choose at least one value.'
		});
	});

	it('lists the custom fields a saved rule tree uses', () => {
		const rules = {
			kind: 'group',
			match: 'any',
			rules: [
				{ kind: 'field', field: 'custom.plan', operator: 'equals', value: 'Pro' },
				{
					kind: 'group',
					match: 'all',
					rules: [{ kind: 'field', field: 'custom.score', operator: 'is_set' }]
				},
				{ kind: 'field', field: 'email', operator: 'is_set' }
			]
		};
		expect([...customFieldsUsed(rules)].sort()).toEqual(['plan', 'score']);
		expect(customFieldsUsed('not a tree').size).toBe(0);
	});
});

describe('contacts table URL', () => {
	it('drops bad values rather than refusing the page', () => {
		const params = parseListParams(
			new URLSearchParams('q=ada&status=gone&tag=not-a-uuid&sort=name&after=abc_-1&trail=')
		);
		expect(params).toEqual({ q: 'ada', sort: 'name', after: 'abc_-1' });
	});

	it('writes a view back, with its page position', () => {
		expect(listQuery({ q: 'ada lovelace', sort: 'newest' })).toBe('?q=ada+lovelace');
		expect(listQuery({ status: 'bounced' }, { after: 'c2', trail: ['c1'] })).toBe(
			'?status=bounced&after=c2&trail=c1'
		);
		expect(listQuery({})).toBe('');
	});
});

describe('words on screen', () => {
	it('names contacts, and erased ones as erased', () => {
		const base = { firstName: null, lastName: null, email: null, phone: null };
		expect(contactName({ ...base, firstName: 'Ada', lastName: 'Lovelace' })).toBe('Ada Lovelace');
		expect(contactName({ ...base, phone: '+33 1 23' })).toBe('+33 1 23');
		expect(contactName({ ...base, email: 'a@b.c', erasedAt: '2026-01-01' })).toBe('Erased contact');
		expect(contactName(base)).toBe('Unnamed contact');
	});

	it('details timeline events from their payloads', () => {
		expect(eventDetail('tag.added', { tag: 'VIP' })).toBe('VIP');
		expect(eventDetail('consent.changed', { channel: 'email', status: 'withdrawn' })).toBe(
			'email: withdrawn'
		);
		expect(eventDetail('contact.updated', { changed: ['email', 'custom.plan'] })).toBe(
			'email, custom.plan'
		);
		expect(eventDetail('member.joined', {})).toBeNull();
	});

	it('derives field keys from labels, and options from lines', () => {
		expect(keyFromLabel('Lifetime value (€)')).toBe('lifetime_value');
		expect(keyFromLabel('2nd Email')).toBe('nd_email');
		expect(parseOptions('Free\n Pro ,\n\nEnterprise')).toEqual(['Free', 'Pro', 'Enterprise']);
	});
});

describe('upload limit', () => {
	it('reads BODY_SIZE_LIMIT as adapter-node does; no limit in dev', () => {
		expect(uploadLimit(undefined, false)).toBe(512 * 1024);
		expect(uploadLimit('64M', false)).toBe(64 * 1024 * 1024);
		expect(uploadLimit('1000', false)).toBe(1000);
		expect(uploadLimit('Infinity', false)).toBeNull();
		expect(uploadLimit('64M', true)).toBeNull();
	});
});

describe('import wizard start values', () => {
	const job = {
		status: 'failed',
		mapping: ['email', null, 'custom.score'],
		encoding: 'utf-8' as const,
		format: 'csv' as const,
		options: {
			skipInvalidRows: false,
			updateExisting: false,
			tagIds: ['t1', 'gone'],
			tagSeparator: '|' as const
		}
	};
	const tags = [{ id: 't1', name: 'Spring fair' }];

	it('restarts a failed run with what it ran with', () => {
		const preview = {
			headers: ['Email', 'Notes', 'Points'],
			suggestedMapping: ['email', null, null]
		};
		expect(startFormValues(job, preview, tags, {})).toEqual({
			mapping: ['email', '', 'custom.score'],
			tags: 'Spring fair',
			existing: 'skip',
			badRows: 'stop',
			tagSeparator: '|',
			encoding: 'utf-8',
			format: 'csv'
		});
	});

	it('starts a draft, or a file read another way, from the suggestion', () => {
		const preview = { headers: ['Email\tPoints'], suggestedMapping: [null] };
		expect(startFormValues(job, preview, tags, { format: 'tsv' })).toMatchObject({
			mapping: [''],
			format: 'tsv'
		});
		expect(
			startFormValues(
				{ ...job, status: 'draft', options: {} },
				{ ...preview, headers: ['a', 'b', 'c'] },
				[],
				{}
			)
		).toMatchObject({
			mapping: [''],
			badRows: 'skip',
			existing: 'update',
			tags: '',
			tagSeparator: ';'
		});
	});
});
