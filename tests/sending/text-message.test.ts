// The text of an SMS or WhatsApp campaign, written on the sending page: saved
// as the send engine reads it (message_sends.content = {"text": …}), started
// from a text template of the campaign's channel (the organization's or a
// ready-made one), merge tags checked as text templates check them (an unknown
// field is refused at the text, nothing written), an SMS over 10 parts
// refused; an email template, another channel's template, another
// organization's template, a viewer's save and an email save on a text
// campaign are refused; the preview fills in a chosen contact's data and
// counts the SMS parts; the sender number is the one the workers send from.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sending from '../../src/lib/server/sending/index.ts';
import * as templates from '../../src/lib/server/templates/index.ts';
import { estimateFor, fillText } from '../../src/lib/sending/text.ts';
import { emailCampaign, sendingWorld, type SendingWorld } from './world.ts';

let w: SendingWorld;
let sms: string;
let whatsapp: string;
let ada: string;

async function textCampaign(kind: 'sms' | 'whatsapp', name: string): Promise<string> {
	const { rows } = await w.admin.query<{ id: string }>(
		`insert into public.campaigns (org_id, kind, brand_id, name) values ($1, $2, $3, $4) returning id`,
		[w.world.orgA, kind, w.brandA, name]
	);
	return rows[0]!.id;
}

beforeAll(async () => {
	w = await sendingWorld();
	sms = await textCampaign('sms', 'Restock by SMS');
	whatsapp = await textCampaign('whatsapp', 'Restock by WhatsApp');
	const { rows } = await w.admin.query<{ id: string }>(
		`insert into public.contacts (org_id, email, first_name, phone)
		 values ($1, 'ada@texts.test', 'Ada', '+447700900123') returning id`,
		[w.world.orgA]
	);
	ada = rows[0]!.id;
	await w.admin.query(
		`insert into public.contact_fields (org_id, key, label, type) values ($1, 'tier', 'Tier', 'text')`,
		[w.world.orgA]
	);
});
afterAll(async () => {
	await w?.close();
});

async function stored(campaignId: string) {
	const { rows } = await w.admin.query<{ template_id: string | null; content: unknown }>(
		`select template_id, content from public.message_sends where campaign_id = $1`,
		[campaignId]
	);
	return rows[0] ?? null;
}

const failure = (p: Promise<unknown>) =>
	p.then(
		() => null,
		(e: unknown) => e
	);

const save = (campaignId: string, input: Partial<sending.text.TextInput>, persona = 'member') =>
	w.as(persona as 'member', (trx) =>
		sending.text.saveText(trx, w.world.orgA, campaignId, { templateId: '', text: '', ...input })
	);

/** A text template of organization A with this body (written as superuser, as the editor would save it). */
async function ownTemplate(channel: 'sms' | 'whatsapp' | 'email', body: string) {
	const id = await w.as('member', (trx) =>
		templates.create(trx, w.world.orgA, { channel, name: `${channel} ${body.slice(0, 20)}` })
	);
	if (channel !== 'email')
		await w.admin.query(`update public.message_templates set body = $2 where id = $1`, [id, body]);
	return id;
}

describe('writing the text', () => {
	it('saves the text as the send engine reads it, with its merge tags', async () => {
		const text = 'Hi {{contact.first_name | there}}, rain jackets are back. Reply STOP to opt out.';
		await save(sms, { text });
		expect(await stored(sms)).toEqual({ template_id: null, content: { text } });
		const message = await w.as('viewer', (trx) => sending.get(trx, w.world.orgA, sms));
		expect(message).toMatchObject({ kind: 'text', text, status: 'draft' });
	});

	it('starts from a text template of the channel: its text when none is written, the edit otherwise', async () => {
		const own = await ownTemplate('sms', 'Your {{custom.tier | member}} offer ends tonight.');
		await save(sms, { templateId: own });
		expect(await stored(sms)).toEqual({
			template_id: own,
			content: { text: 'Your {{custom.tier | member}} offer ends tonight.' }
		});
		await save(sms, { templateId: own, text: 'Edited: your offer ends tonight.' });
		expect(await stored(sms)).toEqual({
			template_id: own,
			content: { text: 'Edited: your offer ends tonight.' }
		});
	});

	it("lists the organization's and the ready-made templates of the campaign's channel only, with their text", async () => {
		const own = await ownTemplate('sms', 'Own SMS {{contact.first_name}}');
		const wa = await ownTemplate('whatsapp', 'Own WhatsApp');
		const choices = await w.as('viewer', (trx) =>
			sending.text.textTemplateChoices(trx, w.world.orgA, 'sms')
		);
		expect(choices.own).toContainEqual({
			id: own,
			name: expect.any(String) as string,
			body: 'Own SMS {{contact.first_name}}'
		});
		expect(choices.readyMade.length).toBeGreaterThan(0);
		const { rows } = await w.admin.query<{ id: string }>(
			`select id from public.message_templates where channel <> 'sms'`
		);
		const listed = new Set([...choices.own, ...choices.readyMade].map((t) => t.id));
		expect(rows.filter((r) => listed.has(r.id))).toEqual([]);
		const forWhatsApp = await w.as('viewer', (trx) =>
			sending.text.textTemplateChoices(trx, w.world.orgA, 'whatsapp')
		);
		expect(forWhatsApp.own.map((t) => t.id)).toEqual([wa]);
	});

	it('normalizes the line breaks a browser sends', () => {
		const parsed = sending.text.textSchema.parse({ templateId: '', text: 'Line one\r\nLine two' });
		expect(parsed.text).toBe('Line one\nLine two');
		const bad = sending.text.textSchema.safeParse({ templateId: 'nope', text: 'x' });
		expect(bad.success).toBe(false);
		expect(bad.error?.issues[0]?.path).toEqual(['templateId']);
	});
});

describe('refusals, nothing written', () => {
	it('refuses an unknown merge field at the text, an empty text and an SMS over ten parts', async () => {
		const before = await stored(sms);
		for (const [text, reason] of [
			['Hi {{contact.shoe_size}}', /shoe_size/],
			['Your {{custom.loyalty}} points', /loyalty/],
			['Hi {{contact.first_name', /not closed/],
			['   ', /Write the message/],
			['x'.repeat(1601), /1,600/]
		] as const) {
			const e = await failure(save(sms, { text }));
			expect(e, text).toBeInstanceOf(sending.text.TextInvalidError);
			expect((e as sending.text.TextInvalidError).field).toBe('text');
			expect((e as Error).message).toMatch(reason);
		}
		expect(await stored(sms)).toEqual(before);
	});

	it("refuses another channel's template, another organization's and a viewer's save", async () => {
		const before = await stored(sms);
		const email = await ownTemplate('email', '');
		const wa = await ownTemplate('whatsapp', 'A WhatsApp text');
		for (const templateId of [email, wa]) {
			const e = await failure(save(sms, { templateId }));
			expect(e).toBeInstanceOf(sending.text.WrongChannelTemplateError);
			expect((e as Error).message).toMatch(/choose a SMS template/);
		}
		const { rows } = await w.admin.query<{ id: string }>(
			`insert into public.message_templates (org_id, channel, name, body)
			 values ($1, 'sms', 'Theirs', 'Their text') returning id`,
			[w.world.orgB]
		);
		expect(await failure(save(sms, { templateId: rows[0]!.id }))).toBeInstanceOf(
			templates.TemplateNotFoundError
		);
		const viewer = await failure(save(sms, { text: 'From a viewer' }, 'viewer'));
		expect((viewer as { code?: string }).code).toBe('42501');
		expect(await stored(sms)).toEqual(before);
	});

	it('keeps email and text apart: no text on an email campaign, no email or subject test on a text one', async () => {
		const email = await emailCampaign(w, { name: 'An email' });
		expect(await failure(save(email, { text: 'Hello' }))).toBeInstanceOf(
			sending.text.NotATextCampaignError
		);
		const { rows } = await w.admin.query<{ id: string }>(
			`select id from public.message_templates where org_id is null and channel = 'email' limit 1`
		);
		const chooseEmail = await failure(
			w.as('member', (trx) =>
				sending.choose(trx, w.world.orgA, sms, {
					templateId: rows[0]!.id,
					subject: 'Hi',
					preheader: '',
					fromName: '',
					replyTo: ''
				})
			)
		);
		expect(chooseEmail).toBeInstanceOf(sending.NotAnEmailCampaignError);
		const test = await failure(
			w.as('member', (trx) =>
				sending.subjectTest.save(trx, w.world.orgA, sms, {
					subjects: ['Other'],
					samplePercent: 10,
					waitMinutes: 60,
					metric: 'opens'
				})
			)
		);
		expect(test).toBeInstanceOf(sending.subjectTest.SubjectTestInvalidError);
		expect((await stored(sms))?.content).toHaveProperty('text');
	});
});

describe('preview, counter and sender', () => {
	it("fills in the chosen contact's data and counts the SMS parts; the fallbacks for no one", async () => {
		await save(sms, { text: 'Hi {{contact.first_name | there}}, jackets are back €' });
		const org = { id: w.world.orgA, name: 'Acme' };
		const forAda = await w.as('viewer', (trx) =>
			sending.text.previewText(trx, org, sms, 'sms', ada)
		);
		expect(forAda.preview?.text).toBe('Hi Ada, jackets are back €');
		// € is one of GSM-7's extension characters: two septets, still standard.
		expect(forAda.preview?.sms).toMatchObject({ encoding: 'GSM-7', segments: 1, length: 27 });
		expect(forAda.vars.contact?.first_name).toBe('Ada');
		const nobody = await w.as('viewer', (trx) =>
			sending.text.previewText(trx, org, sms, 'sms', null)
		);
		expect(nobody.preview?.text).toBe('Hi there, jackets are back €');
		const unsaved = await textCampaign('whatsapp', 'Not written yet');
		const none = await w.as('viewer', (trx) =>
			sending.text.previewText(trx, org, unsaved, 'whatsapp', null)
		);
		expect(none.preview).toBeNull();
	});

	it("estimates a person's text as the worker fills it: a Unicode character shortens the parts", () => {
		const vars = { contact: { first_name: 'Ada' } };
		const text = `Hi {{contact.first_name | there}} ${'x'.repeat(60)}`;
		expect(fillText(text, vars)).toBe(`Hi Ada ${'x'.repeat(60)}`);
		expect(estimateFor('sms', text, vars)).toEqual({ length: 67, segments: 1 });
		expect(estimateFor('sms', `${text} 🎉🎉`, vars)).toEqual({ length: 72, segments: 2 });
		expect(estimateFor('whatsapp', text, {})).toEqual({ length: 69, segments: null });
	});

	it('is refused once sending started: the text is fixed', async () => {
		await save(whatsapp, { text: 'Going out soon' });
		await w.admin.query(
			`update public.message_sends set status = 'cancelled' where campaign_id = $1`,
			[whatsapp]
		);
		const e = await failure(save(whatsapp, { text: 'Changed' }));
		expect(String((e as Error).message)).toMatch(/can no longer be edited/);
	});

	it('shows the number the workers send from, per channel', () => {
		const env = { TWILIO_FROM: '+15005550006', TWILIO_WHATSAPP_FROM: '+15005550007' };
		expect(sending.text.senderOf('sms', env)).toBe('+15005550006');
		expect(sending.text.senderOf('whatsapp', env)).toBe('+15005550007');
		expect(sending.text.senderOf('whatsapp', {})).toBeNull();
	});
});
