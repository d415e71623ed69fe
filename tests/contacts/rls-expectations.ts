// RLS expectations of the contacts tables (spread into tests/rls/expectations.ts):
// members read; contacts.write (member, admin, owner) writes; contacts.export
// (admin, owner) exports; memberships and error reports are the worker's.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Row, TableSpec } from '../rls/expectations.ts';

const nobody = {
	anon: '----',
	outsider: '----',
	viewer: '----',
	member: '----',
	admin: '----',
	owner: '----'
};
const readers = { ...nobody, viewer: 's---', member: 's---', admin: 's---', owner: 's---' };
const editors = { ...readers, member: 'siud', admin: 'siud', owner: 'siud' };

const suffix = () => randomBytes(4).toString('hex');

async function one(client: pg.Client, sql: string, values: unknown[]): Promise<Row> {
	return (await client.query<Row>(sql, values)).rows[0]!;
}

const contact = (c: pg.Client, orgId: string) =>
	one(c, `insert into public.contacts (org_id, email) values ($1, $2) returning id`, [
		orgId,
		`seed-${suffix()}@example.test`
	]);
const tag = (c: pg.Client, orgId: string) =>
	one(c, `insert into public.tags (org_id, name) values ($1, $2) returning id`, [
		orgId,
		`tag-${suffix()}`
	]);
const segment = (c: pg.Client, orgId: string) =>
	one(
		c,
		`insert into public.segments (org_id, name, rules) values ($1, $2, '{"kind":"group","match":"all","rules":[]}') returning id`,
		[orgId, `segment-${suffix()}`]
	);
const draftImport = (c: pg.Client, orgId: string) =>
	one(
		c,
		`insert into public.contact_imports (org_id, file_name) values ($1, 'seed.csv') returning id`,
		[orgId]
	);

/** Filled by the seeds: rows a persona's insert can point at. */
const spare: { tagId?: string; contactId?: string } = {};

export const contactTables: Record<string, TableSpec> = {
	'public.contacts': {
		seed: (c, w) => contact(c, w.orgA),
		insert: (w) => ({ org_id: w.orgA, email: `fresh-${suffix()}@example.test` }),
		update: { first_name: 'Renamed' },
		expect: editors
	},
	'public.contact_fields': {
		seed: (c, w) =>
			one(
				c,
				`insert into public.contact_fields (org_id, key, label, type) values ($1, 'seeded', 'Seeded', 'text') returning id`,
				[w.orgA]
			),
		insert: (w) => ({ org_id: w.orgA, key: 'fresh', label: 'Fresh', type: 'number' }),
		update: { label: 'Relabelled' },
		expect: editors
	},
	'public.tags': {
		seed: (c, w) => tag(c, w.orgA),
		insert: (w) => ({ org_id: w.orgA, name: `fresh-${suffix()}` }),
		update: { name: 'renamed' },
		expect: editors
	},
	'public.contact_tags': {
		seed: async (c, w) => {
			const [person, label] = [await contact(c, w.orgA), await tag(c, w.orgA)];
			spare.tagId = (await tag(c, w.orgA)).id as string;
			await c.query(
				`insert into public.contact_tags (org_id, contact_id, tag_id) values ($1, $2, $3)`,
				[w.orgA, person.id, label.id]
			);
			return { org_id: w.orgA, contact_id: person.id, tag_id: label.id };
		},
		insert: (w, key) => ({ org_id: w.orgA, contact_id: key.contact_id, tag_id: spare.tagId }),
		update: { created_at: new Date().toISOString() },
		expect: { ...readers, member: 'si-d', admin: 'si-d', owner: 'si-d' }
	},
	'public.consent_records': {
		seed: async (c, w) => {
			const person = await contact(c, w.orgA);
			spare.contactId = person.id as string;
			return one(
				c,
				`insert into public.consent_records (org_id, contact_id, channel, status, source)
				 values ($1, $2, 'email', 'granted', 'seed') returning id`,
				[w.orgA, person.id]
			);
		},
		insert: (w) => ({
			org_id: w.orgA,
			contact_id: spare.contactId,
			channel: 'sms',
			status: 'granted',
			source: 'form'
		}),
		update: { status: 'withdrawn' },
		// Evidence: appended, never changed or removed (it goes with its contact).
		expect: { ...readers, member: 'si--', admin: 'si--', owner: 'si--' }
	},
	'public.segments': {
		seed: (c, w) => segment(c, w.orgA),
		insert: (w) => ({
			org_id: w.orgA,
			name: `fresh-${suffix()}`,
			rules: { kind: 'group', match: 'all', rules: [] }
		}),
		update: { name: 'Renamed segment' },
		expect: editors
	},
	'public.segment_memberships': {
		seed: async (c, w) => {
			const [person, group] = [await contact(c, w.orgA), await segment(c, w.orgA)];
			await c.query(
				`insert into public.segment_memberships (org_id, segment_id, contact_id) values ($1, $2, $3)`,
				[w.orgA, group.id, person.id]
			);
			return { org_id: w.orgA, segment_id: group.id, contact_id: person.id };
		},
		insert: (w, key) => ({
			org_id: w.orgA,
			segment_id: key.segment_id,
			contact_id: spare.contactId
		}),
		update: { entered_at: new Date().toISOString() },
		// Maintained by the worker only.
		expect: readers
	},
	'public.contact_imports': {
		seed: (c, w) => draftImport(c, w.orgA),
		insert: (w) => ({ org_id: w.orgA, file_name: 'fresh.csv' }),
		update: { mapping: '["email"]' },
		expect: editors
	},
	'public.contact_import_errors': {
		seed: async (c, w) => {
			const job = await draftImport(c, w.orgA);
			return one(
				c,
				`insert into public.contact_import_errors (org_id, import_id, row_number, column_name, reason)
				 values ($1, $2, 2, 'email', 'is not a valid email address') returning id`,
				[w.orgA, job.id]
			);
		},
		insert: (w) => ({ org_id: w.orgA, import_id: w.orgA, row_number: 3, reason: 'forged' }),
		update: { reason: 'tampered' },
		expect: readers
	},
	'public.contact_exports': {
		seed: (c, w) =>
			one(
				c,
				`insert into public.contact_exports (org_id, filter, created_by) values ($1, '{}', $2) returning id`,
				[w.orgA, w.users.owner.id]
			),
		insert: (w) => ({ org_id: w.orgA, filter: {} }),
		update: { row_count: 5 },
		// Only holders of contacts.export see or record exports; only the exporter completes one.
		expect: { ...nobody, admin: 'si--', owner: 'siu-' }
	}
};
