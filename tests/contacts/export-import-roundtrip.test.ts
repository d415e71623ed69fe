// The export → import round trip: contacts with every kind of value are
// exported through the export the Contacts page streams, and the file is
// imported into a new organization through the import wizard's service and
// the worker's job, with the mapping it suggests and nothing chosen by hand.
// Exporting the new organization then gives the same file, cell for cell,
// but for Source and Created at (the new contacts came from an import, now).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as contacts from '../../src/lib/server/contacts/index.ts';
import * as imports from '../../src/lib/server/imports/index.ts';
import * as orgs from '../../src/lib/server/orgs/index.ts';
import { runContactImport } from '../../src/worker/contacts-import.ts';
import type { ContactDeps } from '../../src/worker/contacts-deps.ts';
import { createContactsWorld, type ContactsWorld } from './world.ts';

let w: ContactsWorld;
let dir: string;
let deps: ContactDeps;

/** One field of each type, defined alike in both organizations (as a user would, in Settings). */
const FIELDS: Parameters<typeof contacts.createField>[2][] = [
	{ key: 'notes', label: 'Notes', type: 'text' },
	{ key: 'score', label: 'Lead score', type: 'number' },
	{ key: 'birthday', label: 'Birthday', type: 'date' },
	{ key: 'vip', label: 'VIP', type: 'boolean' },
	{ key: 'plan', label: 'Plan', type: 'select', options: ['Free', 'Pro', 'Enterprise'] },
	{
		key: 'languages',
		label: 'Languages',
		type: 'multi_select',
		options: ['English', 'French', 'German']
	}
];

/** Every standard field, custom value kind, status and tag shape, and the awkward values. */
const PEOPLE: contacts.ContactInput[] = [
	{
		email: 'ada@example.test',
		phone: '+44 20 7946 0958',
		firstName: 'Ada',
		lastName: 'Lovelace',
		company: 'Analytical Engines, Ltd.',
		custom: {
			notes: '=HYPERLINK("http://evil.example")',
			score: 92.5,
			birthday: '1815-12-10',
			vip: true,
			plan: 'Enterprise',
			languages: ['English', 'French']
		}
	},
	{
		email: 'ludwig@example.test',
		firstName: 'Ludwig',
		lastName: 'van Beethoven',
		status: 'unsubscribed',
		custom: {
			notes: 'Said "no" twice,\nthen yes',
			score: -3,
			vip: false,
			plan: 'Free',
			languages: ['German']
		}
	},
	{
		email: 'zoe@example.test',
		firstName: 'Zoë',
		lastName: 'Ørsted-Ünal',
		company: '株式会社テスト',
		status: 'bounced',
		custom: { notes: "'=already quoted", score: 0, birthday: '2000-02-29' }
	},
	{
		// No email: matched by nothing, imported by phone.
		phone: '+1 (555) 010-9999',
		firstName: 'Phone',
		lastName: 'Only',
		custom: { notes: '-5% off, @launch', languages: ['English', 'French', 'German'] }
	},
	{ email: 'bare@example.test' }
];

/** Tags by person (by index); one name has a comma in it, one differs only in case from nothing. */
const TAGS: string[][] = [['VIP', 'Spring fair'], ['Friends, family'], [], ['VIP'], []];

beforeAll(async () => {
	w = await createContactsWorld();
	dir = await mkdtemp(join(tmpdir(), 'gd-roundtrip-'));
	deps = { db: w.db, connectionString: w.testDb.url, store: new imports.LocalFileStore(dir) };
	await w.as('admin', async (trx) => {
		for (const [position, field] of FIELDS.entries())
			await contacts.createField(trx, w.orgA, { ...field, position });
		for (const [i, person] of PEOPLE.entries()) {
			const c = await contacts.create(trx, w.orgA, person);
			const tags = await contacts.ensureTags(trx, w.orgA, TAGS[i]!);
			await contacts.addTags(
				trx,
				w.orgA,
				[c.id],
				tags.map((t) => t.id)
			);
			// Consent is evidence kept in the organization it was given to; the export does not carry it.
			await contacts.recordConsent(trx, w.orgA, c.id, {
				channel: 'sms',
				status: i % 2 ? 'granted' : 'withdrawn',
				source: 'Signup form'
			});
		}
	});
});
afterAll(async () => {
	await w?.cleanup();
	if (dir) await rm(dir, { recursive: true, force: true });
});

/** The whole export of an organization, as the Contacts page's download streams it. */
async function exportAll(orgId: string): Promise<string> {
	let csv = '';
	await w.as('admin', async (trx) => {
		for await (const chunk of imports.exportCsv(trx, orgId, {})) csv += chunk;
	});
	return csv;
}

/** Rows as header → cell, in a stable order (by email, then phone). */
function table(csv: string): { header: string[]; rows: Record<string, string>[] } {
	const [header, ...cells]: string[][] = parse(csv);
	const rows = cells.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!])));
	rows.sort((a, b) =>
		`${a.Email}|${a.Phone}`.localeCompare(`${b.Email}|${b.Phone}`, 'en', { numeric: true })
	);
	return { header: header!, rows };
}

describe('export → import into a new organization', () => {
	it('maps the exported file by itself and loses nothing', async () => {
		const exported = await exportAll(w.orgA);
		const before = table(exported);
		expect(before.rows).toHaveLength(PEOPLE.length);
		expect(before.header).toEqual([
			'Email',
			'Phone',
			'First name',
			'Last name',
			'Company',
			'Status',
			'Source',
			'Created at',
			...FIELDS.map((f) => f.label),
			'Tags'
		]);

		// A new organization, with the same custom fields.
		const orgC = await w.as('admin', (trx) =>
			orgs.create(trx, { name: 'Round Trip Co', slug: 'round-trip-co' })
		);
		await w.as('admin', async (trx) => {
			for (const [position, field] of FIELDS.entries())
				await contacts.createField(trx, orgC, { ...field, position });
		});

		const { job, suggestedMapping } = await w.as('admin', (trx) =>
			imports.upload(trx, deps.store, orgC, {
				fileName: 'contacts-export.csv',
				data: Buffer.from(exported)
			})
		);
		// Every column the export writes maps itself, but Source and Created at
		// (they describe the contact in the organization it was exported from).
		expect(suggestedMapping).toEqual([
			'email',
			'phone',
			'first_name',
			'last_name',
			'company',
			'status',
			null,
			null,
			...FIELDS.map((f) => `custom.${f.key}`),
			'tags'
		]);
		await w.as('admin', (trx) =>
			imports.start(trx, deps.store, orgC, job.id, { mapping: suggestedMapping })
		);
		const result = await runContactImport(deps, job.id);
		expect(result).toMatchObject({
			status: 'completed',
			insertedRows: PEOPLE.length,
			failedRows: 0
		});

		const after = table(await exportAll(orgC));
		expect(after.header).toEqual(before.header);
		const strip = (rows: Record<string, string>[]) =>
			rows.map((r) => {
				const copy = { ...r };
				delete copy.Source;
				delete copy['Created at'];
				return copy;
			});
		expect(strip(after.rows)).toEqual(strip(before.rows));
		expect(after.rows.map((r) => r.Source)).toEqual(PEOPLE.map(() => 'import'));

		// The values themselves, not only their CSV spelling.
		const stored = await w.service(async (trx) => {
			const { rows } = await sql<{
				email: string | null;
				phone: string | null;
				first_name: string | null;
				last_name: string | null;
				company: string | null;
				status: string;
				custom: unknown;
				tags: string[];
			}>`select c.email::text as email, c.phone, c.first_name, c.last_name, c.company, c.status, c.custom,
			          array(select t.name::text from public.contact_tags ct join public.tags t on t.id = ct.tag_id
			                 where ct.contact_id = c.id order by t.name) as tags
			     from public.contacts c where c.org_id = ${orgC} order by c.email nulls last`.execute(trx);
			return rows;
		});
		const expected = PEOPLE.map((p, i) => ({
			email: p.email ?? null,
			phone: p.phone ?? null,
			first_name: p.firstName ?? null,
			last_name: p.lastName ?? null,
			company: p.company ?? null,
			status: p.status ?? 'subscribed',
			custom: p.custom ?? {},
			tags: [...TAGS[i]!].sort()
		})).sort((a, b) =>
			a.email === null ? 1 : b.email === null ? -1 : a.email.localeCompare(b.email)
		);
		expect(stored).toEqual(expected);
		// The tags were created in the new organization, once each.
		const tagNames = await w.as('admin', (trx) => contacts.listTags(trx, orgC));
		expect(tagNames.map((t) => t.name)).toEqual(['Friends, family', 'Spring fair', 'VIP']);
	});
});
