// The ready-made template library (org_id null): every signed-in person reads
// it, nobody changes it through the API (not even an organization's owner),
// its documents are valid for the editor's schema and pass the checks a
// marketing email must pass; and the database bounds every template's shape
// whoever writes (a document nested too deep, SMS text too long, an email
// without a document).
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withRls } from '../../src/lib/server/db/rls.ts';
import {
	parseDocument,
	renderEmail,
	validateEmail,
	validateText
} from '../../src/lib/templates/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createTenancyWorld, type Persona, type TenancyWorld } from '../helpers/tenancy.ts';

let testDb: TestDatabase;
let w: TenancyWorld;
let admin: pg.Client;
beforeAll(async () => {
	testDb = await createTestDatabase();
	w = await createTenancyWorld(testDb.url);
	admin = new pg.Client({ connectionString: testDb.url });
	await admin.connect();
});
afterAll(async () => {
	await admin.end();
	await w.close();
	await testDb.drop();
});

type Global = {
	id: string;
	channel: string;
	subject: string | null;
	preheader: string;
	document: unknown;
	body: string | null;
};

const as = <T>(persona: Persona, fn: Parameters<typeof withRls<T>>[2]) =>
	withRls(w.db, w.claims(persona), fn);

describe('the ready-made library', () => {
	it('has valid, good-to-send templates of every kind', async () => {
		const { rows } = await admin.query<Global>(
			`select id, channel, subject, preheader, document, body from public.message_templates where org_id is null order by id`
		);
		expect(rows.map((r) => r.channel)).toEqual([
			'email',
			'email',
			'email',
			'email',
			'sms',
			'whatsapp'
		]);
		for (const r of rows) {
			if (r.channel !== 'email') {
				expect(validateText(r.body!, { customKeys: new Set() })).toEqual([]);
				continue;
			}
			const doc = parseDocument(r.document);
			expect(
				validateEmail(
					doc,
					{ subject: r.subject!, preheader: r.preheader },
					{ customKeys: new Set(), marketing: true }
				)
			).toEqual([]);
			const out = await renderEmail(
				doc,
				{ contact: { first_name: 'Ann' }, org: { name: 'Acme' } },
				{ subject: r.subject! }
			);
			expect(out.html).toContain('<table');
			expect(out.text.length).toBeGreaterThan(20);
		}
	});

	it('is read by every signed-in person, not by anonymous visitors', async () => {
		for (const persona of ['outsider', 'viewer', 'member', 'owner'] as const) {
			const rows = await as(persona, (trx) =>
				trx.selectFrom('message_templates').select('id').where('org_id', 'is', null).execute()
			);
			expect(rows, persona).toHaveLength(6);
		}
		await expect(
			as('anon', (trx) => trx.selectFrom('message_templates').select('id').execute())
		).rejects.toMatchObject({ code: '42501' });
	});

	it('cannot be changed, deleted or added to by anyone through the API', async () => {
		for (const persona of ['owner', 'admin', 'member', 'outsider'] as const) {
			const updated = await as(persona, (trx) =>
				trx
					.updateTable('message_templates')
					.set({ name: 'Hijacked' })
					.where('org_id', 'is', null)
					.executeTakeFirst()
			);
			expect(updated.numUpdatedRows, persona).toBe(0n);
			const deleted = await as(persona, (trx) =>
				trx.deleteFrom('message_templates').where('org_id', 'is', null).executeTakeFirst()
			);
			expect(deleted.numDeletedRows, persona).toBe(0n);
			await expect(
				as(persona, (trx) =>
					trx
						.insertInto('message_templates')
						.values({ org_id: null, channel: 'sms', name: 'Fake global', body: 'x' })
						.execute()
				),
				persona
			).rejects.toMatchObject({ code: '42501' });
		}
		const { rows } = await admin.query(
			`select 1 from public.message_templates where org_id is null and name = 'Hijacked'`
		);
		expect(rows).toHaveLength(0);
	});

	it('keeps a template in its organization: a folder of another organization is refused', async () => {
		const folder = await admin.query<{ id: string }>(
			`insert into public.message_template_folders (org_id, name) values ($1, 'B folder') returning id`,
			[w.orgB]
		);
		await expect(
			as('member', (trx) =>
				trx
					.insertInto('message_templates')
					.values({
						org_id: w.orgA,
						folder_id: folder.rows[0]!.id,
						channel: 'sms',
						name: 'x',
						body: 'x'
					})
					.execute()
			)
		).rejects.toMatchObject({ code: '23503' });
	});
});

describe('bounds the database keeps whoever writes', () => {
	const insert = (values: Record<string, unknown>) =>
		admin.query(
			`insert into public.message_templates (org_id, channel, name, subject, document, body)
			 values ($1, $2, 'x', $3, $4, $5)`,
			[w.orgA, values.channel, values.subject ?? null, values.document ?? null, values.body ?? null]
		);

	it('refuses a document nested too deeply or too large', async () => {
		let deep: unknown = {};
		for (let i = 0; i < 50; i++) deep = { a: deep };
		await expect(
			insert({ channel: 'email', subject: 's', document: JSON.stringify(deep) })
		).rejects.toMatchObject({ code: '23514' });
		const big = JSON.stringify({ version: 1, sections: [], pad: 'x'.repeat(210000) });
		await expect(insert({ channel: 'email', subject: 's', document: big })).rejects.toMatchObject({
			code: '23514'
		});
	});

	it('keeps each channel to its shape and SMS within ten parts', async () => {
		await expect(insert({ channel: 'email', subject: 's' })).rejects.toMatchObject({
			code: '23514'
		});
		await expect(insert({ channel: 'sms', body: 'x', subject: 's' })).rejects.toMatchObject({
			code: '23514'
		});
		await expect(insert({ channel: 'sms', body: 'x'.repeat(1601) })).rejects.toMatchObject({
			code: '23514'
		});
		await expect(insert({ channel: 'whatsapp', body: 'x'.repeat(4000) })).resolves.toBeTruthy();
	});

	it('refuses NUL bytes (Postgres cannot store them; the app refuses them first)', async () => {
		await expect(insert({ channel: 'sms', body: 'a\u0000b' })).rejects.toBeTruthy();
		const { rows } = await sql<{
			n: string;
		}>`select count(*)::text as n from public.message_templates where org_id = ${w.orgA} and channel = 'sms'`.execute(
			w.db
		);
		expect(rows[0]!.n).toBe('0');
	});
});
