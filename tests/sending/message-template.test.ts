// The sending page's message is made from a template: an email template of the
// organization or a ready-made one is copied into the campaign with the
// subject (the template's when left empty), sender and reply-to; merge tags
// are checked on save (an unknown field is an error, nothing written); a text
// template, another organization's template and a viewer's forged save are
// refused; the preview renders the saved message for a chosen contact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sending from '../../src/lib/server/sending/index.ts';
import * as templates from '../../src/lib/server/templates/index.ts';
import { emailCampaign, sendingWorld, type SendingWorld } from './world.ts';

let w: SendingWorld;
let campaign: string;
let readyMade: { id: string; subject: string };

beforeAll(async () => {
	w = await sendingWorld();
	campaign = await emailCampaign(w, { name: 'Picked' });
	const { rows } = await w.admin.query<{ id: string; subject: string }>(
		`select id, subject from public.message_templates
		  where org_id is null and channel = 'email' and purpose = 'marketing' and subject <> ''
		  order by name limit 1`
	);
	readyMade = rows[0]!;
	await w.admin.query(
		`insert into public.contacts (org_id, email, first_name) values ($1, 'ada@picked.test', 'Ada')`,
		[w.world.orgA]
	);
});
afterAll(async () => {
	await w?.close();
});

const input = (over: Partial<sending.MessageInput> = {}): sending.MessageInput => ({
	templateId: readyMade.id,
	subject: '',
	preheader: '',
	fromName: 'Northwind',
	replyTo: 'hello@northwind.test',
	...over
});

async function stored() {
	const { rows } = await w.admin.query<{
		template_id: string | null;
		subject: string;
		from_name: string;
		reply_to: string | null;
		content: { sections?: unknown[]; html?: string };
	}>(
		`select template_id, subject, from_name, reply_to::text, content from public.message_sends
		  where campaign_id = $1`,
		[campaign]
	);
	return rows[0]!;
}

const failure = (p: Promise<unknown>) =>
	p.then(
		() => null,
		(e: unknown) => e
	);

/** An email template of organization A with one text block and the footer. */
async function ownTemplate(text: string, subject = 'Hello {{contact.first_name | there}}') {
	const id = await w.as('member', (trx) =>
		templates.create(trx, w.world.orgA, { channel: 'email', name: `T ${text.slice(0, 20)}` })
	);
	const document = {
		version: 1,
		sections: [
			{
				type: 'section',
				id: 's',
				columns: [
					{
						id: 'c',
						blocks: [
							{ type: 'text', id: 'body', text },
							{ type: 'footer', id: 'foot', address: '1 Harbour Street, Portsmouth' }
						]
					}
				]
			}
		]
	};
	// Written as superuser: what the editor would refuse to save is what this test needs.
	await w.admin.query(
		`update public.message_templates set document = $2, subject = $3 where id = $1`,
		[id, document, subject]
	);
	return id;
}

describe('choosing a template', () => {
	it('copies a ready-made template with its subject when the subject is left empty', async () => {
		await w.as('member', (trx) => sending.choose(trx, w.world.orgA, campaign, input()));
		const row = await stored();
		expect(row).toMatchObject({
			template_id: readyMade.id,
			subject: readyMade.subject,
			from_name: 'Northwind',
			reply_to: 'hello@northwind.test'
		});
		expect(Array.isArray(row.content.sections)).toBe(true);
		const message = await w.as('viewer', (trx) => sending.get(trx, w.world.orgA, campaign));
		expect(message).toMatchObject({ templateId: readyMade.id, kind: 'document' });
	});

	it("lists the organization's email templates and the ready-made ones, no text templates", async () => {
		const own = await ownTemplate('Hi {{contact.first_name}}');
		await w.as('member', (trx) => templates.create(trx, w.world.orgA, { channel: 'sms' }));
		const choices = await w.as('viewer', (trx) => sending.templateChoices(trx, w.world.orgA));
		expect(choices.own.map((t) => t.id)).toContain(own);
		expect(choices.readyMade.map((t) => t.id)).toContain(readyMade.id);
		const { rows } = await w.admin.query<{ id: string }>(
			`select id from public.message_templates where channel <> 'email'`
		);
		const listed = new Set([...choices.own, ...choices.readyMade].map((t) => t.id));
		expect(rows.filter((r) => listed.has(r.id))).toEqual([]);
	});

	it('refuses an unknown merge field in the template or the subject, writing nothing', async () => {
		const before = await stored();
		const bad = await ownTemplate('Hi {{contact.shoe_size}}');
		const e = await failure(
			w.as('member', (trx) =>
				sending.choose(trx, w.world.orgA, campaign, input({ templateId: bad }))
			)
		);
		expect(e).toBeInstanceOf(templates.TemplateInvalidError);
		const issues = (e as templates.TemplateInvalidError).issues;
		expect(issues.map((i) => i.blockId)).toEqual(['body']);
		expect(issues[0]!.message).toMatch(/shoe_size/);
		const subject = await failure(
			w.as('member', (trx) =>
				sending.choose(
					trx,
					w.world.orgA,
					campaign,
					input({ subject: 'Hi {{custom.loyalty_tier}}' })
				)
			)
		);
		expect((subject as templates.TemplateInvalidError).issues).toEqual([
			expect.objectContaining({ blockId: null, field: 'subject' })
		]);
		expect(await stored()).toEqual(before);
	});

	it("refuses a text template, another organization's template and a viewer's save", async () => {
		const sms = await w.as('member', (trx) =>
			templates.create(trx, w.world.orgA, { channel: 'sms' })
		);
		expect(
			await failure(
				w.as('member', (trx) =>
					sending.choose(trx, w.world.orgA, campaign, input({ templateId: sms }))
				)
			)
		).toBeInstanceOf(sending.NotAnEmailTemplateError);
		const { rows } = await w.admin.query<{ id: string }>(
			`insert into public.message_templates (org_id, channel, name, subject, document)
			 select $1, channel, 'Theirs', subject, document from public.message_templates where id = $2
			 returning id`,
			[w.world.orgB, readyMade.id]
		);
		expect(
			await failure(
				w.as('member', (trx) =>
					sending.choose(trx, w.world.orgA, campaign, input({ templateId: rows[0]!.id }))
				)
			)
		).toBeInstanceOf(templates.TemplateNotFoundError);
		const viewer = await failure(
			w.as('viewer', (trx) => sending.choose(trx, w.world.orgA, campaign, input()))
		);
		expect((viewer as { code?: string }).code).toBe('42501');
	});
});

describe('the preview', () => {
	it("renders the saved message with the contact's data, the campaign's subject, sender and reply-to", async () => {
		const own = await ownTemplate('Hi {{contact.first_name | friend}}, the sale is on.');
		await w.as('member', (trx) =>
			sending.choose(
				trx,
				w.world.orgA,
				campaign,
				input({ templateId: own, subject: 'For you, {{contact.first_name | friend}}' })
			)
		);
		const { rows } = await w.admin.query<{ id: string }>(
			`select id from public.contacts where email = 'ada@picked.test'`
		);
		const org = { id: w.world.orgA, name: 'Acme' };
		const ada = await w.as('viewer', (trx) => sending.preview(trx, org, campaign, rows[0]!.id));
		expect(ada).toMatchObject({
			subject: 'For you, Ada',
			fromName: 'Northwind',
			replyTo: 'hello@northwind.test'
		});
		expect(ada!.html).toContain('Hi Ada, the sale is on.');
		const nobody = await w.as('viewer', (trx) => sending.preview(trx, org, campaign, null));
		expect(nobody!.subject).toBe('For you, friend');
		expect(nobody!.html).toContain('Hi friend, the sale is on.');
	});

	it('is refused once sending started: the message is fixed', async () => {
		await w.admin.query(
			`update public.message_sends set status = 'sending' where campaign_id = $1`,
			[campaign]
		);
		const e = await failure(
			w.as('member', (trx) => sending.choose(trx, w.world.orgA, campaign, input()))
		);
		expect(String((e as Error).message)).toMatch(/can no longer be edited/);
	});
});
