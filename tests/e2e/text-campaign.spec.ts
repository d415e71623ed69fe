// An SMS campaign end to end (issue 15): on the campaign's sending page the
// owner starts from a ready-made SMS template, writes the text with a merge
// tag (an unknown field is refused at the text), watches the length and parts
// counter switch to Unicode and a second part when an emoji goes in, previews
// the text as a contact, sends it and watches the progress reach "Sent"; the
// texts arrive at the platform's messaging stand-in (the e2e worker sends
// through it), one per consenting contact, with their first names.
import { expect, test } from '@playwright/test';
import type { SentSms } from '../../platform/messaging/index.ts';
import { confirmedUser } from './helpers.ts';
import { stack } from './stack.ts';
import { openApp, seedOrg, signInAs, uniqueOrgName, withDb } from './tenancy.ts';

/** What the messaging stand-in received (the worker's TWILIO_API_URL). */
async function texts(): Promise<SentSms[]> {
	const res = await fetch(`${stack().TWILIO_API_URL}/api/messages`);
	return ((await res.json()) as { messages: SentSms[] }).messages;
}

test('write an SMS with a merge tag, watch the counter, send it, see the texts arrive', async ({
	page
}) => {
	test.setTimeout(300_000);
	const owner = await confirmedUser('Tess Texter', 'sms-owner');
	const { name, slug } = uniqueOrgName('Text Co');
	const orgId = await seedOrg({ owner, name, slug, members: [] });
	// Unique numbers per run (the stand-in keeps every text of the stack's life).
	const base = 7700900000 + Math.floor(Math.random() * 89_000) * 10;
	const ann = `+44${base + 1}`;
	const ben = `+44${base + 2}`;
	const cal = `+44${base + 3}`;
	// Three contacts with mobile numbers in a segment; Ann and Ben agreed to
	// texts, Cal did not (held back). An audience of the segment and an SMS
	// campaign aimed at it (the wizard has its own specs).
	const campaignId = await withDb(async (db) => {
		const brand = await db.query<{ id: string }>(
			`insert into public.brands (org_id, name) values ($1, 'Text Co') returning id`,
			[orgId]
		);
		const people = await db.query<{ id: string; first_name: string }>(
			`insert into public.contacts (org_id, first_name, phone)
			 values ($1, 'Ann', $2), ($1, 'Ben', $3), ($1, 'Cal', $4) returning id, first_name`,
			[orgId, ann, ben, cal]
		);
		await db.query(
			`insert into public.consent_records (org_id, contact_id, channel, status, source)
			 select $1, id, 'sms', 'granted', 'Signed up at the till'
			   from public.contacts where org_id = $1 and first_name in ('Ann', 'Ben')`,
			[orgId]
		);
		const segment = await db.query<{ id: string }>(
			`insert into public.segments (org_id, name, rules) values ($1, 'Texters', '{"op": "and", "rules": []}')
			 returning id`,
			[orgId]
		);
		await db.query(
			`insert into public.segment_memberships (org_id, segment_id, contact_id)
			 select $1, $2, unnest($3::uuid[]) on conflict do nothing`,
			[orgId, segment.rows[0]!.id, people.rows.map((p) => p.id)]
		);
		const audience = await db.query<{ id: string }>(
			`insert into public.audiences (org_id, name) values ($1, 'Texters') returning id`,
			[orgId]
		);
		await db.query(
			`insert into public.audience_segments (org_id, audience_id, segment_id) values ($1, $2, $3)`,
			[orgId, audience.rows[0]!.id, segment.rows[0]!.id]
		);
		const campaign = await db.query<{ id: string }>(
			`insert into public.campaigns (org_id, kind, brand_id, name) values ($1, 'sms', $2, 'Rain jackets')
			 returning id`,
			[orgId, brand.rows[0]!.id]
		);
		await db.query(
			`insert into public.campaign_audiences (org_id, campaign_id, audience_id) values ($1, $2, $3)`,
			[orgId, campaign.rows[0]!.id, audience.rows[0]!.id]
		);
		return campaign.rows[0]!.id;
	});

	await signInAs(page, owner);
	await openApp(page, `/${slug}/campaigns/${campaignId}`);
	await page.getByRole('link', { name: 'Message and sending' }).click();
	await expect(page.getByRole('heading', { name: 'Text message and sending' })).toBeVisible();
	await expect(page.getByTestId('text-sender')).toContainText('+15005550006');

	const message = page.getByLabel('Message', { exact: true });
	const counter = page.getByTestId('sms-counter');
	await test.step('start from a ready-made template; an unknown field is refused', async () => {
		await page.getByLabel('Start from a template').selectOption({ label: 'SMS offer' });
		await expect(message).not.toHaveValue('');
		await expect(counter).toContainText('standard characters');
		await message.fill('Hi {{contact.shoe_size}}, the rain jackets are back.');
		await page.getByRole('button', { name: 'Save message' }).click();
		await expect(page.getByTestId('text-error')).toContainText('shoe_size');
		await expect(message).toHaveAttribute('aria-invalid', 'true');
	});

	const text = 'Hi {{contact.first_name | there}}, the rain jackets are back in every size.';
	await test.step('the counter switches to Unicode and a second part with an emoji', async () => {
		await message.fill(text);
		await expect(counter).toContainText('1 text message ·');
		await expect(counter).toContainText('standard characters');
		await expect(page.getByTestId('text-estimate')).toContainText('1 text message each');
		// 76 characters: one GSM-7 part, but over UCS-2's 70 once an emoji is in.
		await message.fill(`${text} ☔`);
		await expect(counter).toContainText('2 text messages');
		await expect(counter).toContainText('special characters (Unicode)');
		await expect(page.getByText('These characters make each part shorter')).toContainText('☔');
		await message.fill(text);
		await expect(counter).toContainText('1 text message ·');
	});

	await test.step('save it and preview it as a contact', async () => {
		await page.getByRole('button', { name: 'Save message' }).click();
		await expect(page.getByText('Message saved.')).toBeVisible();
		await page.getByLabel('Preview as').selectOption({ label: 'Ann' });
		await page.getByRole('button', { name: 'Show' }).click();
		await expect(page.getByTestId('text-preview')).toHaveText(
			'Hi Ann, the rain jackets are back in every size.'
		);
		await expect(page.getByTestId('text-estimate')).toContainText('For Ann:');
	});

	await test.step('send it and watch the progress reach Sent', async () => {
		await page.getByRole('button', { name: 'Send now' }).click();
		await expect(page.getByText('Sending has started.', { exact: true })).toBeVisible();
		await expect(page.getByTestId('send-status')).toHaveText('Sent', { timeout: 120_000 });
		await expect(page.getByTestId('send-progress')).toContainText(
			/Recipients\s*3\s*Sent\s*2\s*Not delivered\s*0\s*Held back\s*1/
		);
		await expect(page.getByText('Has not agreed to texts on this channel: 1')).toBeVisible();
	});

	await test.step('the texts arrived at the messaging stand-in, one per consenting contact', async () => {
		await expect
			.poll(async () =>
				(await texts())
					.filter((m) => [ann, ben, cal].includes(m.to))
					.map((m) => `${m.to} ${m.channel} ${m.from} ${m.body}`)
					.sort()
			)
			.toEqual([
				`${ann} sms +15005550006 Hi Ann, the rain jackets are back in every size.`,
				`${ben} sms +15005550006 Hi Ben, the rain jackets are back in every size.`
			]);
	});
});
