// The catalogue end to end: a product with an image uploaded through the
// Files picker, shown in the catalogue; a second product with a SKU already
// taken is refused on the SKU field with what was typed kept; an audience;
// both used in an influencer campaign's wizard (audience, brief, products
// with their totals) and a message campaign's (the audience's reach by
// email), submitted; the overviews show the totals, the brief's progress and
// the reach; the organization's home page shows the catalogue.
import { deflateSync } from 'node:zlib';
import { expect, test, type Page } from '@playwright/test';
import { confirmedUser } from './helpers.ts';
import { openApp, seedOrg, signInAs, uniqueOrgName, withDb } from './tenancy.ts';

/** A small real PNG (solid colour), so the browser can draw it. */
function png(width: number, height: number, rgb: [number, number, number]): Buffer {
	const crcTable = Array.from({ length: 256 }, (_, n) => {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		return c >>> 0;
	});
	const crc = (buf: Buffer) => {
		let c = 0xffffffff;
		for (const byte of buf) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
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
	const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3).fill(Buffer.from(rgb))]);
	const pixels = Buffer.concat(Array.from({ length: height }, () => row));
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		chunk('IDAT', deflateSync(pixels)),
		chunk('IEND', Buffer.alloc(0))
	]);
}

async function startCampaign(page: Page, slug: string, name: string, kind: string) {
	await openApp(page, `/${slug}/campaigns/new`);
	await expect(page.locator('[data-hydrated]')).toBeAttached();
	await page.getByRole('radio', { name: new RegExp(`^${kind}`) }).check();
	await page.getByLabel('Campaign name').fill(name);
	await page.getByLabel('Brand', { exact: true }).selectOption({ label: 'Trail Co' });
	await page.getByRole('button', { name: 'Start the wizard' }).click();
	await expect(page).toHaveURL(new RegExp(`/${slug}/campaigns/([0-9a-f-]{36})/edit/basics$`));
	const id = /campaigns\/([0-9a-f-]{36})\//.exec(page.url())![1]!;
	// Objective and budget as the other specs fill them (not what this one is about).
	await withDb(async (db) => {
		const fill = (section: string, data: object) =>
			db.query(
				`update public.campaign_sections set data = $3, revision = revision + 1
				  where campaign_id = $1 and section = $2`,
				[id, section, JSON.stringify(data)]
			);
		await fill('objective', {
			objective: 'Reach trail runners',
			kpis: [{ metric: 'reach', target: '1000' }]
		});
		await fill('budget', {
			amount: '5000',
			currency: 'EUR',
			time_zone: 'Europe/Berlin',
			starts_at: '2099-03-01T09:00',
			ends_at: '2099-04-30T18:00',
			lines: []
		});
	});
	return id;
}

test('the catalogue: a product with an image, a taken SKU refused, an audience', async ({
	page
}) => {
	const owner = await confirmedUser('Cara Catalogue', 'catalog');
	const { name, slug } = uniqueOrgName('Catalogue Co');
	await seedOrg({ owner, name, slug, brands: ['Trail Co'] });
	await signInAs(page, owner);

	await test.step('a product with an image uploaded through the Files picker', async () => {
		await openApp(page, `/${slug}/products/new`);
		await expect(page.locator('[data-hydrated]')).toBeAttached();
		await page.getByLabel('Name', { exact: true }).fill('Rain jacket');
		await page.getByLabel('SKU').fill('RJ-1');
		await page.getByLabel('Price').fill('120');
		await page.getByRole('button', { name: 'Choose an image' }).click();
		await page.getByLabel('Choose a file to upload').setInputFiles({
			name: 'jacket.png',
			mimeType: 'image/png',
			buffer: png(64, 48, [220, 38, 38])
		});
		await expect(page.getByTestId('product-image')).toBeVisible();
		await page.getByRole('button', { name: 'Add product' }).click();
		await expect(page.getByText('“Rain jacket” has been added to the catalogue.')).toBeVisible();
		await expect(page.getByTestId('product-thumbnail')).toBeVisible();
	});

	await test.step('a SKU already taken is refused on its field, what was typed kept', async () => {
		await openApp(page, `/${slug}/products/new`);
		await expect(page.locator('[data-hydrated]')).toBeAttached();
		await page.getByLabel('Name', { exact: true }).fill('Rain jacket, second run');
		await page.getByLabel('SKU').fill('rj-1');
		await page.getByLabel('Price').fill('99.50');
		await page.getByRole('button', { name: 'Add product' }).click();
		await expect(
			page.getByText('Another product of this organization already uses this SKU.')
		).toBeVisible();
		await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Rain jacket, second run');
		await expect(page.getByLabel('Price')).toHaveValue('99.50');
		await page.getByLabel('Name', { exact: true }).fill('Trail cap');
		await page.getByLabel('SKU').fill('TC-1');
		await page.getByLabel('Price').fill('20');
		await page.getByRole('button', { name: 'Add product' }).click();
		await expect(page.getByText('“Trail cap” has been added to the catalogue.')).toBeVisible();
	});

	await test.step('an audience', async () => {
		await openApp(page, `/${slug}/audiences/new`);
		await expect(page.locator('[data-hydrated]')).toBeAttached();
		await page.getByLabel('Name', { exact: true }).fill('Runners');
		await page.getByRole('button', { name: 'Save audience' }).click();
		await expect(page).not.toHaveURL(/\/audiences\/new$/);
		await openApp(page, `/${slug}/audiences`);
		await expect(page.getByRole('link', { name: 'Runners' })).toBeVisible();
	});

	await test.step('the home page shows the catalogue', async () => {
		await openApp(page, `/${slug}`);
		await expect(page.getByTestId('catalog-counts')).toContainText('2products');
		await expect(page.getByTestId('catalog-counts')).toContainText('1audience');
	});
});

test('products and an audience in the wizard, totals and reach on the overview', async ({
	page
}) => {
	const owner = await confirmedUser('Wes Wizard', 'catalog-wizard');
	const { name, slug } = uniqueOrgName('Catalogue Wizard');
	const orgId = await seedOrg({ owner, name, slug, brands: ['Trail Co'] });
	// The catalogue (made through its pages in the test above), and three
	// subscribed contacts, one of whom withdrew email consent.
	await withDb(async (db) => {
		await db.query(
			`insert into public.products (org_id, name, sku, price, currency) values
			   ($1, 'Rain jacket', 'RJ-1', 120, 'EUR'), ($1, 'Trail cap', 'TC-1', 20, 'EUR')`,
			[orgId]
		);
		await db.query(`insert into public.audiences (org_id, name) values ($1, 'Runners')`, [orgId]);
		const { rows } = await db.query<{ id: string }>(
			`insert into public.contacts (org_id, email, status)
			 select $1, 'reader' || i || '@example.test', 'subscribed' from generate_series(1, 3) i returning id`,
			[orgId]
		);
		await db.query(
			`insert into public.consent_records (org_id, contact_id, channel, status, source)
			 values ($1, $2, 'email', 'withdrawn', 'test')`,
			[orgId, rows[0]!.id]
		);
	});
	await signInAs(page, owner);

	await test.step('an influencer campaign: audience, brief and products, submitted', async () => {
		const id = await startCampaign(page, slug, 'Rainy season', 'Influencer');
		await openApp(page, `/${slug}/campaigns/${id}/edit/audience`);
		await expect(page.locator('[data-hydrated]')).toBeAttached();
		await page.getByRole('checkbox', { name: /Runners/ }).check();
		await page.getByRole('button', { name: 'Next' }).click();
		await expect(page).toHaveURL(/\/edit\/creative$/);
		await page.getByRole('button', { name: 'Add a requirement' }).click();
		await page.getByLabel('Deliverable').selectOption({ label: 'Reel' });
		await page.getByLabel('How many').fill('2');
		await page.getByLabel('Hashtags').fill('rainyseason');
		await page.getByRole('button', { name: 'Next' }).click();
		await expect(page).toHaveURL(/\/edit\/products$/);
		await page
			.getByLabel('Product 1', { exact: true })
			.selectOption({ label: 'Rain jacket (RJ-1)' });
		await page.getByLabel('Quantity of product 1').fill('2');
		await page.getByLabel('Discount on product 1').fill('150');
		await page.getByRole('button', { name: 'Review' }).click();
		await expect(page.getByText('A discount is at most 100%.')).toBeVisible();
		await page.getByLabel('Discount on product 1').fill('25');
		await page.getByLabel('Product 2', { exact: true }).selectOption({ label: 'Trail cap (TC-1)' });
		await page.getByLabel('Quantity of product 2').fill('5');
		await expect(page.getByText('Total: €280.00')).toBeVisible();
		await page.getByRole('button', { name: 'Review' }).click();
		await expect(page).toHaveURL(/\/edit\/review$/);
		await expect(page.getByText('Every step is complete.')).toBeVisible();
		await expect(page.getByText('Rain jacket × 2 (−25 %), Trail cap × 5')).toBeVisible();
		await page.getByRole('button', { name: 'Submit campaign' }).click();
		await expect(page).toHaveURL(new RegExp(`/campaigns/${id}\\?submitted=1$`));
		const total = page.getByTestId('campaign-products-total');
		await expect(total).toContainText('€280.00');
		await expect(total).toContainText('€340.00 list');
		await expect(page.getByText('0 of 2 deliverables approved')).toBeVisible();
		await expect(page.getByRole('link', { name: 'Runners' })).toBeVisible();
	});

	await test.step('an email campaign reaches the audience’s contacts with consent', async () => {
		const id = await startCampaign(page, slug, 'Rain newsletter', 'Email');
		await openApp(page, `/${slug}/campaigns/${id}/edit/audience`);
		await expect(page.locator('[data-hydrated]')).toBeAttached();
		// No creative brief or products for a message campaign.
		await expect(page.getByRole('link', { name: 'Creative brief' })).toHaveCount(0);
		await page.getByRole('button', { name: 'Review' }).click();
		await expect(
			page.getByText('Pick at least one audience: who receives this campaign.')
		).toBeVisible();
		await page.getByRole('checkbox', { name: /Runners/ }).check();
		await expect(page.getByTestId('wizard-reach')).toHaveText(/2\s+contacts reached by email/);
		await page.getByRole('button', { name: 'Review' }).click();
		await page.getByRole('button', { name: 'Submit campaign' }).click();
		await expect(page).toHaveURL(new RegExp(`/campaigns/${id}\\?submitted=1$`));
		await expect(page.getByTestId('campaign-reach')).toContainText('2 contacts reached by email');
	});
});
