// The import's Tags and Full name columns: a Tags cell is split on the chosen
// separator, its tags matched to the organization's case-insensitively or
// created, and put on the contacts the import wrote (not on ones it left
// alone); a full name is split as the wizard's preview splits it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitFullName } from '../../src/lib/full-name.ts';
import * as contacts from '../../src/lib/server/contacts/index.ts';
import * as imports from '../../src/lib/server/imports/index.ts';
import { runContactImport } from '../../src/worker/contacts-import.ts';
import type { ContactDeps } from '../../src/worker/contacts-deps.ts';
import { createContactsWorld, type ContactsWorld } from './world.ts';

let w: ContactsWorld;
let dir: string;
let deps: ContactDeps;

beforeAll(async () => {
	w = await createContactsWorld();
	dir = await mkdtemp(join(tmpdir(), 'gd-import-tags-'));
	deps = { db: w.db, connectionString: w.testDb.url, store: new imports.LocalFileStore(dir) };
});
afterAll(async () => {
	await w?.cleanup();
	if (dir) await rm(dir, { recursive: true, force: true });
});

async function importFile(
	csv: string,
	options: Partial<{
		updateExisting: boolean;
		skipInvalidRows: boolean;
		tagSeparator: imports.TagSeparator;
		tagIds: string[];
	}> = {}
) {
	const { job, suggestedMapping } = await w.as('member', (trx) =>
		imports.upload(trx, deps.store, w.orgA, { fileName: 'people.csv', data: Buffer.from(csv) })
	);
	await w.as('member', (trx) =>
		imports.start(trx, deps.store, w.orgA, job.id, { mapping: suggestedMapping, options })
	);
	const result = await runContactImport(deps, job.id);
	return { result, suggestedMapping, jobId: job.id };
}

/** Name parts and tag names of the organization's contacts, by email. */
async function people(): Promise<
	Record<string, { first: string | null; last: string | null; tags: string[] }>
> {
	const { rows } = await w.service((trx) =>
		sql<{ email: string; first: string | null; last: string | null; tags: string[] }>`
			select c.email::text as email, c.first_name as first, c.last_name as last,
			       array(select t.name::text from public.contact_tags ct join public.tags t on t.id = ct.tag_id
			              where ct.contact_id = c.id order by lower(t.name::text)) as tags
			  from public.contacts c where c.org_id = ${w.orgA}`.execute(trx)
	);
	return Object.fromEntries(rows.map(({ email, ...rest }) => [email, rest]));
}

const tagNames = async () =>
	(await w.as('viewer', (trx) => contacts.listTags(trx, w.orgA))).map((t) => t.name);

describe('a Full name column', () => {
	const NAMES = [
		'Ludwig van Beethoven',
		'Ana de la Cruz',
		'Cher',
		'Mary Ann Smith',
		'Van Morrison',
		'Vincent van der Berg',
		'  Jean    Dupont  ',
		'Otto von Bismarck Junior'
	];

	it('is split into first and last name, as the wizard previews it', async () => {
		const csv = ['Email,Name', ...NAMES.map((n, i) => `n${i}@names.test,${n}`)].join('\n');
		const { result, suggestedMapping } = await importFile(csv);
		expect(suggestedMapping).toEqual(['email', 'full_name']);
		expect(result).toMatchObject({ status: 'completed', insertedRows: NAMES.length });
		const got = await people();
		const split = NAMES.map((_, i) => got[`n${i}@names.test`]!).map(({ first, last }) => ({
			first,
			last
		}));
		expect(split).toEqual([
			{ first: 'Ludwig', last: 'van Beethoven' },
			{ first: 'Ana', last: 'de la Cruz' },
			{ first: 'Cher', last: null },
			{ first: 'Mary Ann', last: 'Smith' },
			{ first: 'Van', last: 'Morrison' },
			{ first: 'Vincent', last: 'van der Berg' },
			{ first: 'Jean', last: 'Dupont' },
			{ first: 'Otto von Bismarck', last: 'Junior' }
		]);
		// The browser's preview splits the same way.
		expect(NAMES.map(splitFullName)).toEqual(split);
	});

	it('gives way to a First name or Last name column where that has a value', async () => {
		const csv = [
			'Email,Full name,First name',
			'louis@names.test,Louis Armstrong,Satchmo',
			'ella@names.test,Ella Fitzgerald,'
		].join('\n');
		const { result, suggestedMapping } = await importFile(csv);
		expect(suggestedMapping).toEqual(['email', 'full_name', 'first_name']);
		expect(result.status).toBe('completed');
		const got = await people();
		expect(got['louis@names.test']).toMatchObject({ first: 'Satchmo', last: 'Armstrong' });
		expect(got['ella@names.test']).toMatchObject({ first: 'Ella', last: 'Fitzgerald' });
	});
});

describe('a Tags column', () => {
	it('matches existing tags whatever their case, creates the others, and adds up repeated rows', async () => {
		const existing = await w.as('admin', (trx) => contacts.createTag(trx, w.orgA, { name: 'VIP' }));
		const tagged = await w.as('admin', (trx) => contacts.createTag(trx, w.orgA, { name: 'Batch' }));
		const csv = [
			'Email,Tags',
			'a@tags.test,vip; Newsletter ;;',
			'b@tags.test,NEWSLETTER;Trade show 2025',
			'a@tags.test,Partner',
			'c@tags.test,'
		].join('\n');
		const { result, suggestedMapping } = await importFile(csv, { tagIds: [tagged.id] });
		expect(suggestedMapping).toEqual(['email', 'tags']);
		expect(result).toMatchObject({ status: 'completed', insertedRows: 3, mergedRows: 1 });
		const got = await people();
		expect(got['a@tags.test']!.tags).toEqual(['Batch', 'Newsletter', 'Partner', 'VIP']);
		expect(got['b@tags.test']!.tags).toEqual(['Batch', 'Newsletter', 'Trade show 2025']);
		expect(got['c@tags.test']!.tags).toEqual(['Batch']);
		// One tag per name, whatever the case: the existing VIP kept its id and spelling.
		expect(await tagNames()).toEqual(['Batch', 'Newsletter', 'Partner', 'Trade show 2025', 'VIP']);
		const vip = await w.as('viewer', (trx) => contacts.list(trx, w.orgA, { tagId: existing.id }));
		expect(vip.items.map((c) => c.email)).toEqual(['a@tags.test']);
		// Tagging by import records no event per contact (one contacts.imported stands for them).
		expect(await w.events('tag.added')).toEqual([]);
	});

	it('splits on the separator chosen in the options', async () => {
		const csv = ['Email,Tags', 'pipe@tags.test,"Red, white | Blue"'].join('\n');
		const { result } = await importFile(csv, { tagSeparator: '|' });
		expect(result.status).toBe('completed');
		expect((await people())['pipe@tags.test']!.tags).toEqual(['Blue', 'Red, white']);
		const commas = ['Email,Tags', 'comma@tags.test,"Red, white | Blue"'].join('\n');
		await importFile(commas, { tagSeparator: ',' });
		expect((await people())['comma@tags.test']!.tags).toEqual(['Red', 'white | Blue']);
	});

	it('tags no contact the import leaves alone, and creates no tag only they had', async () => {
		await w.as('member', (trx) => contacts.create(trx, w.orgA, { email: 'kept@tags.test' }));
		const csv = ['Email,Tags', 'kept@tags.test,Only for kept', 'new@tags.test,Fresh'].join('\n');
		const { result } = await importFile(csv, { updateExisting: false });
		expect(result).toMatchObject({ status: 'completed', insertedRows: 1, updatedRows: 0 });
		const got = await people();
		expect(got['kept@tags.test']!.tags).toEqual([]);
		expect(got['new@tags.test']!.tags).toEqual(['Fresh']);
		expect(await tagNames()).not.toContain('Only for kept');
	});

	it('reports a tag too long for a tag, by row and column, and imports nothing', async () => {
		const csv = ['Email,Tags', `long@tags.test,ok;${'x'.repeat(51)}`, 'fine@tags.test,ok'].join(
			'\n'
		);
		const before = await tagNames();
		const { result, jobId } = await importFile(csv, { skipInvalidRows: false });
		expect(result).toMatchObject({ status: 'failed', failedRows: 1 });
		let report = '';
		await w.as('viewer', async (trx) => {
			for await (const chunk of imports.errorReport(trx, w.orgA, jobId)) report += chunk;
		});
		expect(report).toContain('2,Tags,has a tag longer than 50 characters');
		expect(await tagNames()).toEqual(before);
		expect((await people())['fine@tags.test']).toBeUndefined();
	});
});

describe('cells the export defused', () => {
	it("lose the export's apostrophe before =, +, - and @, and only that one", async () => {
		await w.as('admin', (trx) =>
			contacts.createField(trx, w.orgA, { key: 'memo', label: 'Memo', type: 'text' })
		);
		const csv = [
			'Email,Phone,Memo',
			"plus@defused.test,'+1 555 0100,'=SUM(A1)",
			"quote@defused.test,,''=still quoted",
			"plain@defused.test,,'not a formula"
		].join('\n');
		const { result } = await importFile(csv);
		expect(result.status).toBe('completed');
		const { rows } = await w.service((trx) =>
			sql<{ email: string; phone: string | null; memo: string }>`
				select email::text as email, phone, custom ->> 'memo' as memo from public.contacts
				 where org_id = ${w.orgA} and email::text like '%@defused.test' order by email`.execute(trx)
		);
		expect(rows).toEqual([
			{ email: 'plain@defused.test', phone: null, memo: "'not a formula" },
			{ email: 'plus@defused.test', phone: '+1 555 0100', memo: '=SUM(A1)' },
			{ email: 'quote@defused.test', phone: null, memo: "'=still quoted" }
		]);
		expect([
			imports.csvCell('+1 555 0100'),
			imports.csvCell("'=still quoted"),
			imports.csvCell("'not")
		]).toEqual(["'+1 555 0100", "''=still quoted", "'not"]);
	});
});
