// The import's error report is opened in spreadsheets, and its values and column names
// come from the uploaded file: a cell starting with =, +, -, @ (or a tab or carriage
// return) must open as text, never run as a formula. The same `csvCell` as the export.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
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
	dir = await mkdtemp(join(tmpdir(), 'gd-import-report-'));
	deps = { db: w.db, connectionString: w.testDb.url, store: new imports.LocalFileStore(dir) };
	await w.as('admin', (trx) =>
		contacts.createField(trx, w.orgA, { key: 'score', label: 'Score', type: 'number' })
	);
});
afterAll(async () => {
	await w.cleanup();
	await rm(dir, { recursive: true, force: true });
});

it('defuses formulas in values and column names', async () => {
	const csv = [
		'email,=cmd|calc!A1',
		`"=HYPERLINK(""https://evil.example"",""open"")",1`,
		'+oops,2',
		'ok@x.test,@SUM(A1:A9)',
		'ok2@x.test,-2+3'
	].join('\n');
	const { job } = await w.as('member', (trx) =>
		imports.upload(trx, deps.store, w.orgA, { fileName: 'f.csv', data: Buffer.from(csv) })
	);
	await w.as('member', (trx) =>
		imports.start(trx, deps.store, w.orgA, job.id, {
			mapping: ['email', 'custom.score'],
			options: { skipInvalidRows: false, tagIds: [] }
		})
	);
	await runContactImport(deps, job.id);
	let report = '';
	await w.as('viewer', async (trx) => {
		for await (const chunk of imports.errorReport(trx, w.orgA, job.id)) report += chunk;
	});
	const lines = report.trimEnd().split('\n');
	expect(lines[0]).toBe('row,column,reason,value');
	expect(lines.slice(1)).toEqual([
		`2,email,is not a valid email address,"'=HYPERLINK(""https://evil.example"",""open"")"`,
		`3,email,is not a valid email address,'+oops`,
		`4,'=cmd|calc!A1,is not a number,'@SUM(A1:A9)`,
		`5,'=cmd|calc!A1,is not a number,'-2+3`
	]);
	// No cell of the report starts a formula.
	for (const line of lines)
		for (const cell of line.split(',')) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+\-@]/);
});
