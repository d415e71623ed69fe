// A message campaign end to end (issue 15): the owner builds an email template
// with an image uploaded through the file picker and a merge tag, sends a test
// to themselves; on the campaign's sending page chooses that template,
// previews it with a contact's data, schedules the campaign to a segment and
// watches it go out; the contact opens the mail in the platform mailbox and
// clicks its link; the report counts the open and the click.
import { deflateSync } from 'node:zlib';
import { expect, test } from '@playwright/test';
import { linksIn, waitForMail } from '../helpers/mailbox.ts';
import { confirmedUser } from './helpers.ts';
import { stack } from './stack.ts';
import { openApp, seedOrg, signInAs, uniqueOrgName, withDb } from './tenancy.ts';

/** A small real PNG of one colour. */
function png(width: number, height: number): Buffer {
	const table = Array.from({ length: 256 }, (_, n) => {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		return c >>> 0;
	});
	const crc = (buf: Buffer) => {
		let c = 0xffffffff;
		for (const byte of buf) c = table[(c ^ byte) & 0xff]! ^ (c >>> 8);
		return (c ^ 0xffffffff) >>> 0;
	};
	const chunk = (type: string, data: Buffer) => {
		const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
		const out = Buffer.alloc(12 + data.length);
		out.writeUInt32BE(data.length, 0);
		body.copy(out, 4);
		out.writeUInt32BE(crc(body), 8 + data.length);
		return out;
	};
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header[8] = 8;
	header[9] = 2;
	const row = Buffer.concat([
		Buffer.from([0]),
		Buffer.alloc(width * 3).fill(Buffer.from([22, 163, 74]))
	]);
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		chunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: height }, () => row)))),
		chunk('IEND', Buffer.alloc(0))
	]);
}

/** `YYYY-MM-DDTHH:MM` in UTC, `minutes` from now rounded up to the next whole minute. */
function utcInput(minutes: number): string {
	const at = new Date(Math.ceil((Date.now() + minutes * 60_000) / 60_000) * 60_000);
	return at.toISOString().slice(0, 16);
}

test('build a template, schedule the campaign to a segment, open and click, see the report', async ({
	page
}) => {
	test.setTimeout(480_000);
	const owner = await confirmedUser('Olive Owner', 'msg-owner');
	const { name, slug } = uniqueOrgName('Mail Co');
	const orgId = await seedOrg({ owner, name, slug, members: [] });
	const tag = slug.slice(-6);
	const ann = `ann-${tag}@example.com`;
	const ben = `ben-${tag}@example.com`;
	// A brand with its postal address, two contacts in a segment, an audience of
	// that segment and an email campaign aimed at it (the wizard has its own specs).
	const campaignId = await withDb(async (db) => {
		const brand = await db.query<{ id: string }>(
			`insert into public.brands (org_id, name, address, city, zip, country)
			 values ($1, 'Mail Co', '1 Harbour Street', 'Portsmouth', 'PO1 2AB', 'United Kingdom') returning id`,
			[orgId]
		);
		await db.query(
			`insert into public.contact_fields (org_id, key, label, type) values ($1, 'shoe_size', 'Shoe size', 'text')`,
			[orgId]
		);
		await db.query(
			`insert into public.contacts (org_id, email, first_name, custom)
			 values ($1, $2, 'Ann', '{"shoe_size": "38"}'), ($1, $3, 'Ben', '{"shoe_size": "44"}')`,
			[orgId, ann, ben]
		);
		const segment = await db.query<{ id: string }>(
			`insert into public.segments (org_id, name, rules) values ($1, 'Newsletter', '{"op": "and", "rules": []}')
			 returning id`,
			[orgId]
		);
		await db.query(
			`insert into public.segment_memberships (org_id, segment_id, contact_id)
			 select $1, $2, id from public.contacts where org_id = $1
			 on conflict do nothing`,
			[orgId, segment.rows[0]!.id]
		);
		const audience = await db.query<{ id: string }>(
			`insert into public.audiences (org_id, name) values ($1, 'Newsletter readers') returning id`,
			[orgId]
		);
		await db.query(
			`insert into public.audience_segments (org_id, audience_id, segment_id) values ($1, $2, $3)`,
			[orgId, audience.rows[0]!.id, segment.rows[0]!.id]
		);
		const campaign = await db.query<{ id: string }>(
			`insert into public.campaigns (org_id, kind, brand_id, name) values ($1, 'email', $2, 'Jacket launch')
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
	await openApp(page, `/${slug}/templates`);
	const settings = page.getByRole('region', { name: 'Block settings' });

	let templateId = '';
	await test.step('build a template with a link, a merge tag and an image from Files', async () => {
		await page
			.getByRole('listitem')
			.filter({ hasText: 'Plain letter' })
			.getByRole('button', { name: 'Use this design' })
			.click();
		await expect(page).toHaveURL(/\/templates\/[0-9a-f-]{36}$/);
		templateId = /\/templates\/([0-9a-f-]{36})$/.exec(page.url())![1]!;
		await page.locator('#subject').fill('Our new jacket');
		await page.locator('#block-footer').click();
		await page.getByLabel(/Postal address/).fill('1 Harbour Street, Portsmouth PO1 2AB');
		await page.locator('#block-body').click();
		await settings
			.locator('#field-text')
			.fill(
				'Hi {{contact.first_name | there}}, meet [the new jacket](https://shop.example.com/jacket). Your size: '
			);
		await settings.locator('#field-text-tag').selectOption('custom.shoe_size');
		await settings.locator('#field-text-fallback').fill('unknown');
		await settings.getByRole('button', { name: 'Insert' }).click();
		await page.getByLabel('Add a block to this column').first().selectOption('image');
		await settings.getByRole('button', { name: 'Choose an image' }).click();
		await page
			.getByLabel('Choose a file to upload')
			.setInputFiles({ name: 'jacket.png', mimeType: 'image/png', buffer: png(300, 150) });
		await expect(settings.getByLabel('Image address')).toHaveValue(/\/jacket\.png$/, {
			timeout: 30_000
		});
		await settings.getByLabel(/^Description/).fill('The new jacket');
		await page.getByRole('button', { name: /^Save/ }).click();
		await expect(page.getByText('Saved.')).toBeVisible();
	});

	await test.step('send a test to myself and find it in the mailbox', async () => {
		await page.getByRole('button', { name: 'Send a test to me' }).click();
		await expect(page.getByText(`Test sent to ${owner.email}.`)).toBeVisible({ timeout: 30_000 });
		const mail = await waitForMail(stack().mailboxUrl, owner.email, {
			subject: /\[Test\] Our new jacket/,
			timeoutMs: 45_000
		});
		expect(mail.html).toContain('jacket.png');
	});

	const sendingUrl = `/${slug}/campaigns/${campaignId}/sending`;
	await test.step('choose the template for the campaign and preview it as a contact', async () => {
		await openApp(page, sendingUrl);
		await page.getByLabel('Template').selectOption(templateId);
		await page
			.getByLabel('Subject', { exact: true })
			.fill('Our new jacket, {{contact.first_name | there}}');
		await page.getByLabel('Sender name').fill('Mail Co');
		await page.getByRole('button', { name: 'Save message' }).click();
		await expect(page.getByText('Message saved.')).toBeVisible();
		await page.getByLabel('Preview as').selectOption({ label: `Ann <${ann}>` });
		await page.getByRole('button', { name: 'Show' }).click();
		await expect(page.getByTestId('preview-subject')).toHaveText('Our new jacket, Ann');
		const frame = page.frameLocator('iframe[title="Email preview"]');
		await expect(frame.locator('body')).toContainText('Hi Ann, meet the new jacket. Your size: 38');
		await expect(frame.locator('img[alt="The new jacket"]')).toHaveAttribute('src', /jacket\.png$/);
	});

	await test.step('schedule it to the segment and watch it go out', async () => {
		await page.getByLabel('Date and time').fill(utcInput(1));
		await page.getByLabel('Time zone').selectOption('UTC');
		await page.getByRole('button', { name: 'Schedule', exact: true }).click();
		await expect(page.getByText('Scheduled.')).toBeVisible();
		await expect(page.getByTestId('send-status')).toHaveText('Scheduled');
		// The worker starts it when its time comes; the page shows the progress.
		await expect
			.poll(
				async () => {
					await page.reload();
					return page.getByTestId('send-status').textContent();
				},
				{ timeout: 180_000, intervals: [5_000] }
			)
			.toBe('Sent');
		await expect(page.getByTestId('send-progress')).toContainText(
			/Recipients\s*2\s*Sent\s*2\s*Not delivered\s*0/
		);
		await expect(page.getByRole('progressbar', { name: 'Sending progress' })).toHaveAttribute(
			'aria-valuenow',
			'100'
		);
	});

	await test.step('open the mail in the mailbox and click its link', async () => {
		const mail = await waitForMail(stack().mailboxUrl, ann, {
			subject: 'Our new jacket, Ann',
			timeoutMs: 30_000
		});
		expect(mail.html).toContain('Hi Ann, meet');
		await waitForMail(stack().mailboxUrl, ben, { subject: 'Our new jacket, Ben' });
		// The mail as the mailbox shows it, with its image; then what a mail client
		// does when it shows the mail (loads the open pixel) and when the link is clicked.
		await page.goto(`${stack().mailboxUrl}/messages/${mail.id}`);
		await expect(page.locator('iframe').first().contentFrame().locator('body')).toContainText(
			'Hi Ann, meet the new jacket'
		);
		const pixel = /src="([^"]*\/t\/o\/[^"]+)"/.exec(mail.html ?? '')?.[1];
		expect(pixel).toBeDefined();
		const opened = await page.request.get(pixel!.replaceAll('&amp;', '&'));
		expect(opened.status()).toBe(200);
		expect(opened.headers()['content-type']).toBe('image/gif');
		const click = linksIn(mail).find((l) => l.includes('/t/c/'));
		expect(click).toBeDefined();
		const redirect = await page.request.get(click!, { maxRedirects: 0 });
		expect(redirect.status()).toBeGreaterThanOrEqual(300);
		expect(redirect.headers()['location']).toBe('https://shop.example.com/jacket');
	});

	await test.step('the report counts the open and the click', async () => {
		await openApp(page, `/${slug}/campaigns/${campaignId}/report`);
		const counts = page.getByTestId('report-counts');
		await expect(counts).toContainText(/Sent\s*2/);
		await expect(counts).toContainText(/Opened\s*1\b/);
		await expect(counts).toContainText(/Clicked\s*1\b/);
		await expect(page.getByTestId('report-links')).toContainText('https://shop.example.com/jacket');
	});
});
