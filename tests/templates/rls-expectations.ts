// RLS expectations of message templates (spread into tests/rls/expectations.ts):
// members read their organization's templates and folders; those with
// templates.write (members, admins, owners) write them. The ready-made
// library (org_id null) is read by every signed-in person and written by
// nobody: tests/templates/library.test.ts proves that part.
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

async function one(client: pg.Client, sql: string, values: unknown[]): Promise<Row> {
	return (await client.query<Row>(sql, values)).rows[0]!;
}

export const templateTables: Record<string, TableSpec> = {
	'public.message_template_folders': {
		seed: (c, w) =>
			one(
				c,
				`insert into public.message_template_folders (org_id, name) values ($1, 'Seeded folder') returning id`,
				[w.orgA]
			),
		insert: (w) => ({ org_id: w.orgA, name: 'Fresh folder' }),
		update: { name: 'Renamed folder' },
		expect: editors
	},
	'public.message_templates': {
		seed: (c, w) =>
			one(
				c,
				`insert into public.message_templates (org_id, channel, name, body)
				 values ($1, 'sms', 'Seeded SMS', 'Hello') returning id`,
				[w.orgA]
			),
		insert: (w) => ({ org_id: w.orgA, channel: 'sms', name: 'Fresh SMS', body: 'Hi there' }),
		update: { name: 'Renamed template' },
		expect: editors
	}
};
