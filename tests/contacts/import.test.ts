// Imports end to end: upload (sniffing, suggested mapping) and start under
// RLS as a user, then the worker's run. Broken files fail with the row named
// and nothing written; bad rows fail the import unless the user chose to skip
// them; duplicates merge within the file and with the database.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as contacts from '../../src/lib/server/contacts/index.ts';
import * as imports from '../../src/lib/server/imports/index.ts';
import { runContactImport } from '../../src/worker/contacts-import.ts';
import type { ContactDeps } from '../../src/worker/contacts-deps.ts';
import { createContactsWorld, type ContactsWorld } from './world.ts';

let w: ContactsWorld;
let dir: string;
let deps: ContactDeps;
let vip: string;

beforeAll(async () => {
	w = await createContactsWorld();
	dir = await mkdtemp(join(tmpdir(), 'gd-imports-'));
	deps = { db: w.db, connectionString: w.testDb.url, store: new imports.LocalFileStore(dir) };
	await w.as('admin', async (trx) => {
		await contacts.createField(trx, w.orgA, {
			key: 'plan',
			label: 'Plan',
			type: 'select',
			options: ['free', 'pro']
		});
		await contacts.createField(trx, w.orgA, { key: 'score', label: 'Score', type: 'number' });
		await contacts.createField(trx, w.orgA, {
			key: 'langs',
			label: 'Languages',
			type: 'multi_select',
			options: ['en', 'fr']
		});
		vip = (await contacts.createTag(trx, w.orgA, { name: 'Imported' })).id;
	});
});
afterAll(async () => {
	await w.cleanup();
	await rm(dir, { recursive: true, force: true });
});

const upload = (name: string, data: string | Buffer) =>
	w.as('member', (trx) =>
		imports.upload(trx, deps.store, w.orgA, {
			fileName: name,
			data: typeof data === 'string' ? Buffer.from(data) : data
		})
	);

/** Uploads, starts with the suggested (or given) mapping, runs the worker; returns the import. */
async function importFile(
	data: string | Buffer,
	options: {
		skipInvalidRows?: boolean;
		tagIds?: string[];
		mapping?: imports.Target[];
		name?: string;
	} = {}
) {
	const { job, suggestedMapping } = await upload(options.name ?? 'people.csv', data);
	await w.as('member', (trx) =>
		imports.start(trx, deps.store, w.orgA, job.id, {
			mapping: options.mapping ?? suggestedMapping,
			options: { skipInvalidRows: options.skipInvalidRows ?? false, tagIds: options.tagIds ?? [] }
		})
	);
	const result = await runContactImport(deps, job.id);
	const after = await w.as('viewer', (trx) => imports.get(trx, w.orgA, job.id));
	return { result, job: after };
}

const count = async () =>
	Number(
		(
			await w.service((trx) =>
				sql<{
					n: string;
				}>`select count(*) as n from public.contacts where org_id = ${w.orgA}`.execute(trx)
			)
		).rows[0]!.n
	);

const report = async (id: string) => {
	let csv = '';
	await w.as('viewer', async (trx) => {
		for await (const chunk of imports.errorReport(trx, w.orgA, id)) csv += chunk;
	});
	return csv;
};

describe('a good file', () => {
	it('suggests a mapping, merges duplicates, updates existing contacts, tags the batch', async () => {
		await w.as('member', async (trx) => {
			const c = await contacts.create(trx, w.orgA, {
				email: 'old@x.test',
				firstName: 'Old',
				custom: { score: 1 }
			});
			await contacts.update(trx, w.orgA, c.id, { status: 'unsubscribed' });
		});
		const csv = [
			'E-mail,First Name,Surname,Plan,Score,Languages,Notes',
			'ann@x.test,Ann,Able,pro,10,en;fr,hello',
			'OLD@x.test,,Oldman,free,,,',
			'ann@x.test,,Abel,,12,,',
			'bob@x.test,Bob,,PRO,3.5,EN,',
			'old@x.test,Olivia,,,,,'
		].join('\r\n');
		const eventsBefore = {
			created: (await w.events('contact.created')).length,
			updated: (await w.events('contact.updated')).length,
			tagged: (await w.events('tag.added')).length
		};
		const { result, job } = await importFile(csv, { tagIds: [vip] });
		// One contacts.imported event stands for the rows: no per-contact events.
		expect(await w.events('contacts.imported', job.id)).toEqual([
			{ subject_id: job.id, payload: { inserted: 2, updated: 1 } }
		]);
		expect({
			created: (await w.events('contact.created')).length,
			updated: (await w.events('contact.updated')).length,
			tagged: (await w.events('tag.added')).length
		}).toEqual(eventsBefore);
		expect(job.mapping).toEqual([
			'email',
			'first_name',
			'last_name',
			'custom.plan',
			'custom.score',
			'custom.langs',
			null
		]);
		expect(result.status).toBe('completed');
		expect(job).toMatchObject({
			status: 'completed',
			progress: 1,
			totalRows: 5,
			insertedRows: 2,
			updatedRows: 1,
			mergedRows: 2,
			failedRows: 0
		});
		const byEmail = async (email: string) =>
			(await w.as('viewer', (trx) => contacts.list(trx, w.orgA, { search: email }))).items[0]!;
		// Later non-empty values win within the file; empty cells keep what was there.
		expect(await byEmail('ann@x.test')).toMatchObject({
			firstName: 'Ann',
			lastName: 'Abel',
			source: 'import',
			custom: { plan: 'pro', score: 12, langs: ['en', 'fr'] }
		});
		expect(await byEmail('bob@x.test')).toMatchObject({
			custom: { plan: 'pro', score: 3.5, langs: ['en'] }
		});
		const old = await byEmail('old@x.test');
		expect(old).toMatchObject({
			firstName: 'Olivia',
			lastName: 'Oldman',
			status: 'unsubscribed',
			custom: { plan: 'free', score: 1 }
		});
		const tagged = await w.as('viewer', (trx) => contacts.list(trx, w.orgA, { tagId: vip }));
		expect(tagged.items).toHaveLength(3);
		// The file is not kept once imported.
		await expect(deps.store.head(`${w.orgA}/${job.id}`, 10)).rejects.toThrow();
	});

	it('reads TSV, Windows-1252 and UTF-16, and skips blank lines', async () => {
		const tsv = await importFile('email\tfirst name\ncafe@x.test\tZoë\n\n\n', {
			name: 'people.tsv'
		});
		expect(tsv.job).toMatchObject({
			status: 'completed',
			format: 'tsv',
			insertedRows: 1,
			totalRows: 1
		});
		const latin1 = await importFile(
			Buffer.from('email,first_name\nrene@x.test,Ren\xe9\n', 'latin1')
		);
		expect(latin1.job).toMatchObject({ status: 'completed', encoding: 'windows-1252' });
		const utf16 = await importFile(
			Buffer.concat([
				Buffer.from([0xff, 0xfe]),
				Buffer.from('email,first_name\r\nutf@x.test,Jürgen\r\n', 'utf16le')
			])
		);
		expect(utf16.job).toMatchObject({ status: 'completed', encoding: 'utf-16le' });
		const names = await w.as('viewer', (trx) =>
			contacts.list(trx, w.orgA, { search: '@x.test', sort: 'email', direction: 'asc', limit: 200 })
		);
		expect(
			names.items
				.filter((c) => ['cafe@x.test', 'rene@x.test', 'utf@x.test'].includes(c.email!))
				.map((c) => c.firstName)
		).toEqual(['Zoë', 'René', 'Jürgen']);
	});
});

describe('existing contacts', () => {
	it('are left untouched (and untagged) when the user says so', async () => {
		await w.as('member', (trx) =>
			contacts.create(trx, w.orgA, { email: 'keep@x.test', firstName: 'Kept' })
		);
		const { job } = await upload(
			'keep.csv',
			'email,first_name\nkeep@x.test,Changed\nnew-keep@x.test,New\n'
		);
		await w.as('member', (trx) =>
			imports.start(trx, deps.store, w.orgA, job.id, {
				mapping: ['email', 'first_name'],
				options: { skipInvalidRows: false, updateExisting: false, tagIds: [vip] }
			})
		);
		await runContactImport(deps, job.id);
		const done = await w.as('viewer', (trx) => imports.get(trx, w.orgA, job.id));
		expect(done).toMatchObject({ status: 'completed', insertedRows: 1, updatedRows: 0 });
		const kept = (
			await w.as('viewer', (trx) => contacts.list(trx, w.orgA, { search: 'keep@x.test' }))
		).items;
		expect(kept.map((c) => c.firstName).sort()).toEqual(['Kept', 'New']);
		const tagged = await w.as('viewer', (trx) =>
			contacts.list(trx, w.orgA, { tagId: vip, search: 'keep@' })
		);
		expect(tagged.items.map((c) => c.email)).toEqual(['new-keep@x.test']);
	});
});

describe('bad rows', () => {
	const csv = [
		'email,first_name,score',
		'good1@y.test,Good,1',
		'not-an-email,Bad,2',
		'',
		'good2@y.test,Good,many',
		',NoContact,3'
	].join('\n');

	it('fail the whole import with a report naming row, column and reason; nothing is written', async () => {
		const before = await count();
		const { job } = await importFile(csv);
		expect(job).toMatchObject({ status: 'failed', failedRows: 3, insertedRows: 0 });
		expect(job.error).toMatch(/^3 of 4 rows have errors, so nothing was imported/);
		expect(await count()).toBe(before);
		expect(await report(job.id)).toBe(
			[
				'row,column,reason,value',
				'3,email,is not a valid email address,not-an-email',
				'5,score,is not a number,many',
				'6,,needs an email address or a phone number,',
				''
			].join('\n')
		);
	});

	it('can be fixed by changing the mapping and starting again', async () => {
		const { job } = await importFile(csv, { skipInvalidRows: false });
		const restarted = await w.as('member', (trx) =>
			imports.start(trx, deps.store, w.orgA, job.id, {
				mapping: ['email', 'first_name', null],
				options: { skipInvalidRows: true, tagIds: [] }
			})
		);
		expect(restarted).toMatchObject({ status: 'queued', failedRows: 0, error: null });
		await runContactImport(deps, job.id);
		const done = await w.as('viewer', (trx) => imports.get(trx, w.orgA, job.id));
		expect(done).toMatchObject({ status: 'completed', insertedRows: 2, failedRows: 2 });
		expect((await report(job.id)).split('\n')).toHaveLength(4);
	});
});

describe('broken files', () => {
	const failsWith = async (data: string | Buffer, message: RegExp | string) => {
		const before = await count();
		const { job } = await importFile(data, { mapping: undefined });
		expect(job.status).toBe('failed');
		expect(job.error).toMatch(message);
		expect(await count()).toBe(before);
	};

	it('a row with a missing column', () =>
		failsWith(
			'email,first_name,last_name\na@z.test,A,B\nb@z.test,B\n',
			'Row 3: has fewer columns than the header (column 3, "last_name", is missing).'
		));
	it('a row with an extra column', () =>
		failsWith(
			'email,first_name\na@z.test,A\nb@z.test,B,extra\n',
			'Row 3: has more columns than the header (2).'
		));
	it('a malformed quote', () =>
		failsWith(
			'email,first_name\na@z.test,A\nb@z.test,"Bob\nc@z.test,C\n',
			/^Row 3: a quoted value is never closed/
		));
	it('a header and no rows', () =>
		failsWith('email,first_name\n', 'The file has a header but no rows to import.'));
	it('bytes that are not UTF-8 in a file declared UTF-8', async () => {
		const { job } = await upload(
			'bad.csv',
			Buffer.concat([
				Buffer.from('email,first_name\n' + 'x@z.test,Ok\n'.repeat(6000)),
				Buffer.from('y@z.test,Caf\xe9\n', 'latin1')
			])
		);
		expect(job.encoding).toBe('utf-8');
		await w.as('member', (trx) =>
			imports.start(trx, deps.store, w.orgA, job.id, {
				mapping: ['email', 'first_name'],
				options: { skipInvalidRows: false, tagIds: [] }
			})
		);
		await runContactImport(deps, job.id);
		const done = await w.as('viewer', (trx) => imports.get(trx, w.orgA, job.id));
		expect(done.status).toBe('failed');
		expect(done.error).toMatch(/^Row 6002: is not valid UTF-8 text/);
	});
	it('empty and binary uploads are refused at once', async () => {
		await expect(upload('empty.csv', '')).rejects.toThrow('The file is empty.');
		await expect(
			upload('bin.csv', Buffer.from([0x00, 0x01, 0x02, 0x00, 0x00, 0x9f, 0x00, 0x00]))
		).rejects.toThrow(/not a text file/);
		await expect(upload('sheet.xlsx', 'x')).rejects.toThrow(/Upload a .csv/);
	});
	it('a mapping without email or phone, or with a field twice, names the problem', async () => {
		const { job } = await upload('m.csv', 'a,b\n1,2\n');
		const start = (mapping: imports.Target[]) =>
			w.as('member', (trx) =>
				imports.start(trx, deps.store, w.orgA, job.id, {
					mapping,
					options: { skipInvalidRows: false, tagIds: [] }
				})
			);
		await expect(start(['first_name', null])).rejects.toThrow(/Map a column to email/);
		await expect(start(['email', 'email'])).rejects.toThrow(
			'column 2 ("b") and column 1 ("a") are both mapped to email.'
		);
		await expect(start(['email', 'custom.nope'])).rejects.toThrow(/"nope", which does not exist/);
	});
});

describe('the job', () => {
	it('is queued in the transaction that starts it, and a queued import cancels at once', async () => {
		const { job } = await upload('c.csv', 'email\nq@x.test\n');
		await w.as('member', (trx) =>
			imports.start(trx, deps.store, w.orgA, job.id, {
				mapping: ['email'],
				options: { skipInvalidRows: false, tagIds: [] }
			})
		);
		expect((await w.jobs('contacts_import')).map((j) => j.key)).toContain(
			`contacts_import:${job.id}`
		);
		const cancelled = await w.as('member', (trx) => imports.cancel(trx, w.orgA, job.id));
		expect(cancelled.status).toBe('cancelled');
		await expect(
			w.as('member', (trx) => imports.cancel(trx, w.orgA, job.id))
		).rejects.toBeInstanceOf(imports.ImportStateError);
		expect((await runContactImport(deps, job.id)).status).toBe('skipped');
	});

	it('a running import that is cancelled rolls back', async () => {
		const { job } = await upload('r.csv', 'email\nrun@x.test\n');
		await w.as('member', (trx) =>
			imports.start(trx, deps.store, w.orgA, job.id, {
				mapping: ['email'],
				options: { skipInvalidRows: false, tagIds: [] }
			})
		);
		await w.service((trx) =>
			trx
				.updateTable('contact_imports')
				.set({ status: 'running' })
				.where('id', '=', job.id)
				.execute()
		);
		await w.as('member', (trx) => imports.cancel(trx, w.orgA, job.id));
		expect(await runContactImport(deps, job.id)).toEqual({ status: 'cancelled' });
		const done = await w.as('viewer', (trx) => imports.get(trx, w.orgA, job.id));
		expect(done.status).toBe('cancelled');
		expect(
			(await w.as('viewer', (trx) => contacts.list(trx, w.orgA, { search: 'run@x.test' }))).items
		).toEqual([]);
	});

	it('a viewer can watch but not start or cancel', async () => {
		const { job } = await upload('v.csv', 'email\nv@x.test\n');
		await expect(
			w.as('viewer', (trx) =>
				imports.start(trx, deps.store, w.orgA, job.id, {
					mapping: ['email'],
					options: { skipInvalidRows: false, tagIds: [] }
				})
			)
		).rejects.toThrow();
		expect((await w.as('viewer', (trx) => imports.get(trx, w.orgA, job.id))).status).toBe('draft');
	});
});

it('imports 100,000 rows (with 1,000 duplicates against the database)', async () => {
	const lines = ['email,first_name,last_name,plan,score'];
	for (let i = 0; i < 100_000; i++)
		lines.push(
			`${i < 1000 ? 'ann' + i : 'bulk' + i}@big.test,First${i},Last${i},${i % 2 ? 'pro' : 'free'},${i % 100}`
		);
	await w.service((trx) =>
		sql`insert into public.contacts (org_id, email) select ${w.orgA}, 'ann' || i || '@big.test' from generate_series(0, 999) i`.execute(
			trx
		)
	);
	const { job } = await importFile(lines.join('\n'), { tagIds: [vip] });
	expect(job).toMatchObject({
		status: 'completed',
		totalRows: 100_000,
		insertedRows: 99_000,
		updatedRows: 1000
	});
	const page = await w.as('viewer', (trx) => contacts.list(trx, w.orgA, { search: 'bulk99999@' }));
	expect(page.items[0]).toMatchObject({
		firstName: 'First99999',
		custom: { plan: 'pro', score: 99 }
	});
	// Speed is measured by `npm run bench:contacts`; on a shared 2-core machine this only has to finish.
}, 600_000);
