// The templates module's server side against a real database, as each
// persona: saving refuses unknown merge tags, a marketing email without an
// unsubscribe link, broken links, NUL bytes and deep nesting at their block,
// writing nothing; a viewer's forged save is refused; another organization's
// template is not found; ready-made templates are copied, never changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withRls, type Trx } from '../../src/lib/server/db/rls.ts';
import * as templates from '../../src/lib/server/templates/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createTenancyWorld, type Persona, type TenancyWorld } from '../helpers/tenancy.ts';
import pg from 'pg';

let testDb: TestDatabase;
let w: TenancyWorld;
let admin: pg.Client;
const NEWSLETTER = '00000000-0000-4000-8000-00000000e001';

beforeAll(async () => {
	testDb = await createTestDatabase();
	w = await createTenancyWorld(testDb.url);
	admin = new pg.Client({ connectionString: testDb.url });
	await admin.connect();
	await admin.query(
		`insert into public.contact_fields (org_id, key, label, type) values ($1, 'shoe_size', 'Shoe size', 'text')`,
		[w.orgA]
	);
});
afterAll(async () => {
	await admin.end();
	await w.close();
	await testDb.drop();
});

const as = <T>(persona: Persona, fn: (trx: Trx) => Promise<T>) =>
	withRls(w.db, w.claims(persona), fn);

function doc(blocks: unknown[]) {
	return { version: 1, sections: [{ type: 'section', id: 's', columns: [{ id: 'c', blocks }] }] };
}
const footer = { type: 'footer', id: 'foot', address: '1 Harbour Street, Portsmouth' };

async function saveError(id: string, input: templates.SaveInput, persona: Persona = 'member') {
	return as(persona, (trx) => templates.save(trx, w.orgA, id, input)).then(
		() => null,
		(e: unknown) => e
	);
}

async function contentOf(id: string): Promise<unknown> {
	const { rows } = await admin.query<{ document: unknown }>(
		'select document from public.message_templates where id = $1',
		[id]
	);
	return rows[0]!.document;
}

describe('saving a template', () => {
	let id: string;
	beforeAll(async () => {
		id = await as('member', (trx) => templates.create(trx, w.orgA, { from: NEWSLETTER }));
	});

	it('copies a ready-made template into the organization, linked to it', async () => {
		const t = await as('member', (trx) => templates.get(trx, w.orgA, id));
		expect(t).toMatchObject({
			orgId: w.orgA,
			readyMade: false,
			basedOn: NEWSLETTER,
			channel: 'email'
		});
		expect(t.name).toBe('Monthly newsletter');
	});

	it('saves a valid email with a custom field', async () => {
		await as('member', (trx) =>
			templates.save(trx, w.orgA, id, {
				name: 'My newsletter',
				subject: 'Size {{custom.shoe_size | unknown}}',
				document: doc([
					{ type: 'text', id: 't', text: 'Hello {{contact.first_name|there}}' },
					footer
				])
			})
		);
		const t = await as('viewer', (trx) => templates.get(trx, w.orgA, id));
		expect(t.name).toBe('My newsletter');
		expect(t.document?.sections[0]?.columns[0]?.blocks).toHaveLength(2);
	});

	it('refuses an unknown merge tag at its block, writing nothing', async () => {
		const before = await contentOf(id);
		const e = await saveError(id, {
			name: 'x',
			subject: 'Hi',
			document: doc([
				{ type: 'text', id: 'greeting', text: 'Hi {{custom.favourite_colour}}' },
				footer
			])
		});
		expect(e).toBeInstanceOf(templates.TemplateInvalidError);
		const issues = (e as templates.TemplateInvalidError).issues;
		expect(issues.map((i) => i.blockId)).toEqual(['greeting']);
		expect(issues[0]!.message).toMatch(/no custom field "favourite_colour"/);
		expect(await contentOf(id)).toEqual(before);
	});

	it('refuses a marketing email without an unsubscribe link, and broken links', async () => {
		const noUnsub = await saveError(id, {
			name: 'x',
			subject: 'Hi',
			document: doc([{ type: 'text', id: 't', text: 'Hi' }])
		});
		expect((noUnsub as templates.TemplateInvalidError).issues[0]!.message).toMatch(
			/unsubscribe link/
		);
		const broken = await saveError(id, {
			name: 'x',
			subject: 'Hi',
			document: doc([
				{ type: 'button', id: 'buy', label: 'Buy', href: 'javascript:alert(1)' },
				{ type: 'text', id: 't', text: '[shop](htp:/shop)' },
				footer
			])
		});
		expect((broken as templates.TemplateInvalidError).issues.map((i) => i.blockId)).toEqual([
			'buy',
			't'
		]);
	});

	it('refuses NUL bytes and deep nesting with the block or field, never a database error', async () => {
		const nul = await saveError(id, {
			name: 'x',
			subject: 'Hi',
			document: doc([{ type: 'text', id: 'nul', text: 'a\u0000b' }, footer])
		});
		expect(nul).toBeInstanceOf(templates.TemplateInvalidError);
		expect((nul as templates.TemplateInvalidError).issues[0]).toMatchObject({
			blockId: 'nul',
			field: 'text'
		});
		let deep: unknown = {};
		for (let i = 0; i < 5000; i++) deep = { a: deep };
		const nested = await saveError(id, { name: 'x', subject: 'Hi', document: deep });
		expect((nested as templates.TemplateInvalidError).issues[0]!.message).toMatch(
			/nested too deeply/
		);
		const nulName = await saveError(id, {
			name: 'a\u0000',
			subject: 'Hi',
			document: doc([footer])
		});
		expect(nulName).toBeInstanceOf(templates.TemplateInvalidError);
		expect((nulName as templates.TemplateInvalidError).issues[0]).toMatchObject({ field: 'name' });
	});

	it('checks SMS text and its length', async () => {
		const sms = await as('member', (trx) => templates.create(trx, w.orgA, { channel: 'sms' }));
		const e = await saveError(sms, { name: 'SMS', body: 'Hi {{contact.nickname}}' });
		expect((e as templates.TemplateInvalidError).issues[0]).toMatchObject({ field: 'body' });
		const long = await saveError(sms, { name: 'SMS', body: 'x'.repeat(1700) });
		expect((long as templates.TemplateInvalidError).issues[0]!.message).toMatch(/1,600/);
		await as('member', (trx) =>
			templates.save(trx, w.orgA, sms, { name: 'SMS', body: 'Hi {{contact.first_name}}' })
		);
	});

	it("refuses a viewer's forged save and a ready-made template's change", async () => {
		const viewer = await saveError(
			id,
			{ name: 'Forged', subject: 'Hi', document: doc([footer]) },
			'viewer'
		);
		expect(viewer).toBeInstanceOf(templates.TemplateNotFoundError);
		const { rows } = await admin.query('select 1 from public.message_templates where name = $1', [
			'Forged'
		]);
		expect(rows).toHaveLength(0);
		const ready = await saveError(
			NEWSLETTER,
			{ name: 'Mine now', subject: 'Hi', document: doc([footer]) },
			'owner'
		);
		expect(ready).toBeInstanceOf(templates.TemplateReadOnlyError);
		await expect(
			as('viewer', (trx) => templates.create(trx, w.orgA, { channel: 'email' }))
		).rejects.toMatchObject({
			code: '42501'
		});
		await expect(as('viewer', (trx) => templates.remove(trx, w.orgA, id))).rejects.toBeInstanceOf(
			templates.TemplateNotFoundError
		);
	});

	it("keeps organizations apart: another organization's template is not found", async () => {
		await expect(as('outsider', (trx) => templates.get(trx, w.orgB, id))).rejects.toBeInstanceOf(
			templates.TemplateNotFoundError
		);
		await expect(as('outsider', (trx) => templates.get(trx, w.orgA, id))).rejects.toBeInstanceOf(
			templates.TemplateNotFoundError
		);
		const copy = await saveError(
			id,
			{ name: 'x', subject: 'x', document: doc([footer]) },
			'outsider'
		);
		expect(copy).toBeInstanceOf(templates.TemplateNotFoundError);
		await expect(
			as('outsider', (trx) => templates.create(trx, w.orgB, { from: id }))
		).rejects.toBeInstanceOf(templates.TemplateNotFoundError);
	});

	it('searches the library with any text, control characters dropped', async () => {
		const filter = templates.libraryFilter.parse({ q: 'news\u0000letter', channel: 'fax' });
		const found = await as('viewer', (trx) => templates.library(trx, w.orgA, filter));
		expect(found.readyMade.map((t) => t.name)).toEqual(['Monthly newsletter']);
	});

	it('previews with a contact of the organization only', async () => {
		const { rows } = await admin.query<{ id: string }>(
			`insert into public.contacts (org_id, email, first_name, custom) values ($1, 'ann@example.com', 'Ann', '{"shoe_size":"38"}') returning id`,
			[w.orgA]
		);
		const vars = await as('viewer', (trx) => templates.varsFor(trx, w.orgA, 'Acme', rows[0]!.id));
		expect(vars.contact?.first_name).toBe('Ann');
		expect(vars.custom).toEqual({ shoe_size: '38' });
		const other = await as('outsider', (trx) =>
			templates.varsFor(trx, w.orgB, 'Beta', rows[0]!.id)
		);
		expect(other.contact).toBeUndefined();
		const t = await as('viewer', (trx) => templates.get(trx, w.orgA, id));
		const p = await templates.previewEmail(
			t.document!,
			{ subject: t.subject!, preheader: '' },
			vars
		);
		expect(p.subject).toBe('Size 38');
		expect(p.html).toContain('Hello Ann');
	});

	it('sends a test to the person through the mailer, refusing what cannot be saved', async () => {
		const sent: { to: string; subject: string }[] = [];
		const mailer = {
			send: (m: { to: string; subject: string }) => (sent.push(m), Promise.resolve())
		};
		const p = { channel: 'email' as const, subject: 'Hi', html: '<p>x</p>', text: 'x' };
		await templates.sendTest(mailer, 'me@example.com', 'Acme', p, []);
		expect(sent).toEqual([expect.objectContaining({ to: 'me@example.com', subject: '[Test] Hi' })]);
		await expect(
			templates.sendTest(mailer, 'me@example.com', 'Acme', p, [
				{ blockId: null, field: 'x', message: 'bad' }
			])
		).rejects.toBeInstanceOf(templates.TemplateInvalidError);
		expect(sent).toHaveLength(1);
	});
});
