// Message templates end to end: a member starts from a ready-made design,
// adds an image uploaded through the file picker and a merge tag of a custom
// field, sees an unknown tag refused at its block, previews the email with a
// contact's data at desktop and phone widths, saves it, sends a test to
// themselves and finds it in the mailbox; a viewer gets the preview alone.
import { deflateSync } from 'node:zlib';
import { expect, test, type Request } from '@playwright/test';
import { waitForMail } from '../helpers/mailbox.ts';
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
		Buffer.alloc(width * 3).fill(Buffer.from([234, 88, 12]))
	]);
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		chunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: height }, () => row)))),
		chunk('IEND', Buffer.alloc(0))
	]);
}

test('build a template with an image and a merge tag, preview it and send a test', async ({
	page,
	browser
}) => {
	test.setTimeout(180_000);
	const member = await confirmedUser('Mia Member', 'tpl-member');
	const owner = await confirmedUser('Olive Owner', 'tpl-owner');
	const viewer = await confirmedUser('Vic Viewer', 'tpl-viewer');
	const { name, slug } = uniqueOrgName('Templates Co');
	const orgId = await seedOrg({
		owner,
		name,
		slug,
		members: [
			{ person: member, role: 'member' },
			{ person: viewer, role: 'viewer' }
		]
	});
	await withDb(async (db) => {
		await db.query(
			`insert into public.contact_fields (org_id, key, label, type) values ($1, 'shoe_size', 'Shoe size', 'text')`,
			[orgId]
		);
		await db.query(
			`insert into public.contacts (org_id, email, first_name, custom)
			 values ($1, 'ann@example.com', 'Ann', '{"shoe_size": "38"}')`,
			[orgId]
		);
	});

	await signInAs(page, member);
	await openApp(page, `/${slug}/templates`);
	await expect(page.getByRole('heading', { name: 'No templates yet' })).toBeVisible();

	await test.step('start from the plain letter', async () => {
		await page
			.getByRole('listitem')
			.filter({ hasText: 'Plain letter' })
			.getByRole('button', { name: 'Use this design' })
			.click();
		await expect(page).toHaveURL(/\/templates\/[0-9a-f-]{36}$/);
		await page.locator('#subject').fill('Hello from Templates Co');
		await page.locator('#block-footer').click();
		await page.getByLabel(/Postal address/).fill('1 Harbour Street, Portsmouth PO1 2AB');
	});

	const settings = page.getByRole('region', { name: 'Block settings' });

	await test.step('an unknown merge tag is refused at its block', async () => {
		await page.locator('#block-body').click();
		await settings.locator('#field-text').fill('Hi {{custom.favourite_colour}}');
		await page.getByRole('button', { name: /^Save/ }).click();
		await expect(page.getByTestId('block-issues')).toContainText(
			'There is no custom field "favourite_colour"'
		);
	});

	await test.step('a merge tag of a custom field, with a fallback', async () => {
		await settings.locator('#field-text').fill('Hi {{contact.first_name | there}}, your size: ');
		await settings.locator('#field-text-tag').selectOption('custom.shoe_size');
		await settings.locator('#field-text-fallback').fill('unknown');
		await settings.getByRole('button', { name: 'Insert' }).click();
		await expect(settings.locator('#field-text')).toHaveValue(
			'Hi {{contact.first_name | there}}, your size: {{custom.shoe_size | unknown}}'
		);
	});

	await test.step('an image uploaded through the file picker', async () => {
		await page.getByLabel('Add a block to this column').first().selectOption('image');
		await settings.getByRole('button', { name: 'Choose an image' }).click();
		await page
			.getByLabel('Choose a file to upload')
			.setInputFiles({ name: 'hero.png', mimeType: 'image/png', buffer: png(300, 150) });
		await expect(settings.getByLabel('Image address')).toHaveValue(
			/\/site-public\/.+\/hero\.png$/,
			{
				timeout: 30_000
			}
		);
		await settings.getByLabel(/^Description/).fill('Our new jacket');
	});

	await test.step('the preview shows a contact’s data, at desktop and phone width', async () => {
		// As on a loaded server: the preview asked for before the contact was picked
		// answers after the one with the contact, and must not replace it.
		const isPreview = (url: URL) => url.pathname.endsWith('/preview');
		const forContact = (request: Request) =>
			(request.postDataJSON() as { contactId: string | null }).contactId !== null;
		let answerLate!: () => void;
		const late = new Promise<void>((resolve) => (answerLate = resolve));
		await page.route(isPreview, async (route) => {
			if (forContact(route.request())) return route.continue();
			const response = await route.fetch();
			await late;
			await route.fulfill({ response });
		});
		const asked = page.waitForRequest((r) => isPreview(new URL(r.url())) && !forContact(r));
		await settings.getByLabel(/^Description/).fill('Our new jacket, in green');
		await asked;
		const answered = page.waitForResponse(
			(r) => isPreview(new URL(r.url())) && forContact(r.request())
		);
		await page.getByLabel('Preview as contact').selectOption({ label: 'Ann <ann@example.com>' });
		await answered;
		const lateAnswer = page.waitForResponse(
			(r) => isPreview(new URL(r.url())) && !forContact(r.request())
		);
		answerLate();
		await (await lateAnswer).finished();
		// Two frames: the page has had its turns to read that late answer.
		await page.evaluate(
			() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))
		);
		await page.unroute(isPreview);
		await expect(page.locator('iframe[title="Email preview"]')).toHaveAttribute(
			'srcdoc',
			/Hi Ann, your size: 38/
		);
		const frame = page.frameLocator('iframe[title="Email preview"]');
		await expect(frame.locator('body')).toContainText('Hi Ann, your size: 38', { timeout: 20_000 });
		await expect(frame.locator('img[alt="Our new jacket, in green"]')).toHaveAttribute(
			'src',
			/hero\.png$/
		);
		await expect(frame.locator('body')).toContainText('1 Harbour Street');
		await page.getByRole('button', { name: 'Phone' }).click();
		await expect(page.locator('iframe[title="Email preview"]')).toHaveCSS('width', '375px');
	});

	await test.step('save, then send a test and find it in the mailbox', async () => {
		await page.getByRole('button', { name: /^Save/ }).click();
		await expect(page.getByText('Saved.')).toBeVisible();
		await expect(page.getByTestId('block-issues')).toHaveCount(0);
		await page.getByRole('button', { name: 'Send a test to me' }).click();
		await expect(page.getByText(`Test sent to ${member.email}.`)).toBeVisible({ timeout: 30_000 });
		const mail = await waitForMail(stack().mailboxUrl, member.email, {
			subject: /\[Test\] Hello from Templates Co/,
			timeoutMs: 45_000
		});
		expect(mail.html).toContain('hero.png');
		expect(mail.html).toContain('Hi Ann, your size: 38');
		expect(mail.text).toContain('1 Harbour Street');
	});

	const editorUrl = page.url();
	await test.step('the library lists it', async () => {
		await openApp(page, `/${slug}/templates`);
		await expect(page.getByRole('link', { name: 'Plain letter' })).toBeVisible();
	});

	await test.step('a viewer sees the preview alone, and a forged save is refused', async () => {
		const context = await browser.newContext();
		const other = await context.newPage();
		await signInAs(other, viewer);
		await other.goto(editorUrl);
		const frame = other.frameLocator('iframe[title="Email preview"]');
		await expect(frame.locator('body')).toContainText('1 Harbour Street', { timeout: 20_000 });
		await expect(other.getByRole('button', { name: /^Save/ })).toHaveCount(0);
		await expect(other.getByRole('region', { name: 'Block settings' })).toHaveCount(0);
		// A save that would pass every check: only the viewer's rights stop it.
		const document = {
			version: 1,
			sections: [
				{
					type: 'section',
					id: 's',
					columns: [{ id: 'c', blocks: [{ type: 'footer', id: 'f', address: '1 Main St' }] }]
				}
			]
		};
		const forged = await other.request.post(`${editorUrl}?/save`, {
			form: { payload: JSON.stringify({ name: 'Forged by a viewer', subject: 'x', document }) },
			headers: { origin: new URL(editorUrl).origin, accept: 'application/json' }
		});
		// SvelteKit answers a form action called by fetch with its result as JSON.
		expect(await forged.json()).toMatchObject({ type: 'failure', status: 404 });
		const { rows } = await withDb((db) =>
			db.query(`select 1 from public.message_templates where name = 'Forged by a viewer'`)
		);
		expect(rows).toHaveLength(0);
		await context.close();
	});
});
