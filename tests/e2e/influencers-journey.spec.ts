// The influencer journey of issue 16, end to end: an owner finds creators in
// the marketplace with three filters (platform, followers from, topic), adds
// two of them to the organization's list, moves one across the board by mouse
// (drag and drop) and the other by keyboard; then invites one to an
// influencer campaign with a rate and the brief's deliverable, records the
// acceptance, adds the influencer's photo for the deliverable and approves it
// through the creative review, sends a product and follows it to delivered
// (the tracking number asked for when it ships). The influencer's record then
// shows the collaboration, and links to their marketplace profile.
//
// The marketplace is global (shared by every spec of the run): the creators
// seeded here carry a topic of their own, so the search shows only them.
import { randomBytes } from 'node:crypto';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { confirmedUser } from './helpers.ts';
import { png } from './images.ts';
import { openApp, seedOrg, signInAs, uniqueOrgName, withDb } from './tenancy.ts';

async function pickFile(
	page: Page,
	form: ReturnType<Page['locator']>,
	button: string,
	file: { name: string; mimeType: string; buffer: Buffer }
) {
	await form.getByRole('button', { name: button }).click();
	const dialog = page.getByRole('dialog');
	await expect(dialog).toBeVisible();
	await dialog.getByLabel('Choose a file to upload').setInputFiles(file);
	await expect(dialog).toBeHidden();
}

/** Seeds creators into the global marketplace (as verified ingestion would), each on TikTok with a follower history. */
async function seedMarketplace(
	topic: string,
	creators: Array<{ name: string; handle: string; followers: number; platform?: string }>
): Promise<Map<string, string>> {
	return withDb(async (db) => {
		// Two earlier runs measured them (one measurement per profile and run): the profile's chart.
		const runs = await db.query<{ id: string }>(
			`insert into public.data_runs (provider, run_id)
			 values ('e2e', $1 || '-1'), ('e2e', $1 || '-2') returning id`,
			[`journey-${topic}`]
		);
		const [first, second] = runs.rows.map((r) => r.id);
		const ids = new Map<string, string>();
		for (const c of creators) {
			const person = await db.query<{ id: string }>(
				`insert into public.marketplace_influencers (key, display_name, country, language, categories)
				 values ($1, $2, 'PT', 'pt', array[$3]) returning id`,
				[`e2e:${c.handle}`, c.name, topic]
			);
			const id = person.rows[0]!.id;
			ids.set(c.name, id);
			const profile = await db.query<{ id: string }>(
				`insert into public.marketplace_profiles
				   (influencer_id, platform, external_id, handle, profile_url, display_name, followers,
				    engagement_rate, avg_views, country, language, categories,
				    audience_ages, audience_genders, audience_countries)
				 values ($1, $2::public.social_platform, $3, $3, 'https://www.tiktok.com/@' || $3, $4, $5,
				         0.042, 31000, 'PT', 'pt', array[$6],
				         '{"18-24": 0.45, "25-34": 0.35}', '{"female": 0.62, "male": 0.36}', '{"PT": 0.55, "BR": 0.3}')
				 returning id`,
				[id, c.platform ?? 'tiktok', c.handle, c.name, c.followers, topic]
			);
			await db.query(
				`insert into public.marketplace_profile_metrics (profile_id, run_id, measured_at, followers, engagement_rate)
				 values ($1, $2, now() - interval '60 days', $4, 0.04), ($1, $3, now() - interval '30 days', $5, 0.041)`,
				[
					profile.rows[0]!.id,
					first,
					second,
					Math.round(c.followers * 0.8),
					Math.round(c.followers * 0.9)
				]
			);
		}
		return ids;
	});
}

/** The board's column (Cold, Active, Final) as a list of cards. */
const column = (page: Page, status: string): Locator => page.locator(`ol[data-column="${status}"]`);

test('creators found in the marketplace join the list, move across the board, and one is invited to a campaign, accepts, has their content approved and their product delivered', async ({
	page
}) => {
	test.setTimeout(240_000);
	const owner = await confirmedUser('Olga Owner', 'influencers-owner');
	const { name, slug } = uniqueOrgName('Trail Collabs');
	const orgId = await seedOrg({ owner, name, slug, brands: ['Trail Co'] });
	const topic = `trailrunning${randomBytes(3).toString('hex')}`;
	const tag = randomBytes(2).toString('hex');
	const marketplace = await seedMarketplace(topic, [
		{ name: 'Ana Lima', handle: `ana.lima.${tag}`, followers: 182_000 },
		{ name: 'Ben Okafor', handle: `ben.okafor.${tag}`, followers: 96_500 },
		// Left out by the followers filter.
		{ name: 'Cy Small', handle: `cy.small.${tag}`, followers: 4_200 },
		// Left out by the platform filter.
		{ name: 'Dee Tube', handle: `deetube${tag}`, followers: 250_000, platform: 'youtube' }
	]);
	const campaignId = await withDb(async (db) => {
		const { rows } = await db.query<{ id: string }>(
			`insert into public.campaigns (org_id, kind, brand_id, name)
			 select $1, 'influencer', b.id, 'Ultra ambassadors' from public.brands b where b.org_id = $1
			 returning id`,
			[orgId]
		);
		const id = rows[0]!.id;
		await db.query(
			`insert into public.creative_requirements (org_id, campaign_id, deliverable, platform, format, count, accepted_kinds)
			 values ($1, $2, 'photo', 'instagram', '1:1', 1, '{image}')`,
			[orgId, id]
		);
		await db.query(
			`insert into public.products (org_id, name, sku, price, currency)
			 values ($1, 'Trail shoe', 'TRL-1', 139.95, 'EUR')`,
			[orgId]
		);
		return id;
	});
	const line = 'Photo on Instagram, 1:1';
	const collab = page.getByRole('region', { name: 'Collaboration with Ana Lima' });
	const results = page.getByTestId('marketplace').locator('tbody tr');
	const resultFor = (person: string) => results.filter({ hasText: person });

	await test.step('the marketplace, narrowed by three filters', async () => {
		await signInAs(page, owner);
		await openApp(page, `/${slug}`);
		await page.getByRole('link', { name: 'Find influencers in the marketplace' }).click();
		await expect(page.getByRole('heading', { name: 'Find influencers' })).toBeVisible();
		await expect(page.locator('[data-hydrated]')).toBeAttached();
		const filters = page.getByTestId('marketplace-filters');
		await filters.getByLabel('Platform').selectOption({ label: 'TikTok' });
		await filters.getByLabel('Followers from').fill('50000');
		await filters.getByLabel('Topic').fill(topic);
		await filters.getByRole('button', { name: 'Search' }).click();
		await expect(page).toHaveURL(/platform=tiktok/);
		await expect(page).toHaveURL(new RegExp(`category=${topic}`));
		await expect(results).toHaveCount(2);
		await expect(results.nth(0)).toContainText('Ana Lima');
		await expect(results.nth(1)).toContainText('Ben Okafor');
	});

	await test.step('a creator’s marketplace profile shows their audience and follower history', async () => {
		await resultFor('Ben Okafor').getByRole('link', { name: 'Ben Okafor' }).click();
		await expect(page).toHaveURL(
			new RegExp(`/${slug}/influencers/marketplace/${marketplace.get('Ben Okafor')}$`)
		);
		const profile = page.getByRole('region', { name: 'TikTok profile' });
		await expect(profile.getByTestId('followers')).toHaveText('96,500');
		await expect(profile.getByRole('list', { name: 'Gender' })).toContainText('Women');
		await expect(profile.getByTestId('followers-chart')).toBeVisible();
		await page.goBack();
		await expect(results).toHaveCount(2);
	});

	const records = new Map<string, string>();
	await test.step('two creators are added to the list, from the search', async () => {
		for (const person of ['Ana Lima', 'Ben Okafor']) {
			await resultFor(person).getByRole('button', { name: 'Add to list' }).click();
			const listed = resultFor(person).getByRole('link', { name: 'In your list' });
			await expect(listed).toBeVisible();
			records.set(person, (await listed.getAttribute('href'))!.split('/').at(-1)!);
		}
		await expect(page).toHaveURL(/\/influencers\/marketplace\?/);
		await expect(results.getByRole('button', { name: 'Add to list' })).toHaveCount(0);
	});

	await test.step('Ana moves from Cold to Active by mouse (drag and drop)', async () => {
		await openApp(page, `/${slug}/influencers`);
		const card = page.locator(`[data-card="${records.get('Ana Lima')}"]`);
		await expect(column(page, 'cold').locator('[data-card]')).toHaveCount(2);
		await card.dragTo(column(page, 'active'));
		await expect(
			column(page, 'active').locator(`[data-card="${records.get('Ana Lima')}"]`)
		).toBeVisible();
		await expect(page.getByTestId('board-announcer')).toContainText('Dropped Ana Lima');
		// Saved (a reload before the answer would abort the move's request): the board after a
		// reload shows it there too.
		await expect(page.getByTestId('board-save-status')).toHaveText('All moves saved.');
		await openApp(page, `/${slug}/influencers`);
		await expect(column(page, 'active').locator('[data-card]')).toHaveCount(1);
		await expect(column(page, 'active')).toContainText('Ana Lima');
	});

	await test.step('Ben moves from Cold to Active by keyboard', async () => {
		const handle = page.getByRole('button', { name: 'Move Ben Okafor' });
		await handle.focus();
		await page.keyboard.press('Space');
		await expect(page.getByTestId('board-announcer')).toContainText('Picked up Ben Okafor');
		await page.keyboard.press('ArrowRight');
		await expect(page.getByTestId('board-announcer')).toContainText('Active, position 1 of 2');
		await page.keyboard.press('Enter');
		await expect(page.getByTestId('board-announcer')).toContainText('Dropped Ben Okafor');
		await expect(column(page, 'active').locator('[data-card]')).toHaveCount(2);
		await expect(handle).toBeFocused();
		await expect(page.getByTestId('board-save-status')).toHaveText('All moves saved.');
		await openApp(page, `/${slug}/influencers`);
		await expect(column(page, 'active').locator('[data-card]').first()).toContainText('Ben Okafor');
		await expect(column(page, 'cold').locator('[data-card]')).toHaveCount(0);
	});

	await test.step('the owner opens the campaign’s Influencers tab', async () => {
		await openApp(page, `/${slug}/campaigns/${campaignId}`);
		await page.locator('#main').getByRole('link', { name: 'Influencers' }).click();
		await expect(page).toHaveURL(new RegExp(`/${slug}/campaigns/${campaignId}/influencers$`));
		await expect(page.locator('[data-hydrated]')).toBeAttached();
		await expect(page.getByText('No influencers on this campaign yet')).toBeVisible();
	});

	await test.step('a rate that is not an amount is refused at its field; then Ana is invited', async () => {
		await page.getByLabel('Influencer').selectOption({ label: 'Ana Lima' });
		await page.getByRole('textbox', { name: 'Rate' }).fill('lots');
		await page.getByRole('button', { name: 'Invite' }).click();
		await expect(page.getByRole('alert')).toContainText('Enter the rate as an amount');
		await page.getByRole('textbox', { name: 'Rate' }).fill('450');
		await page.getByLabel(`How many: ${line}`).fill('1');
		await page.getByRole('button', { name: 'Invite' }).click();
		await expect(collab).toBeVisible();
		await expect(collab).toContainText('Invited');
		await expect(collab).toContainText('€450.00');
	});

	await test.step('Ana accepts', async () => {
		await collab.getByRole('button', { name: 'Accepted' }).click();
		await expect(collab.getByText('Accepted', { exact: true })).toBeVisible();
		await expect(collab.getByRole('button', { name: 'Mark completed' })).toBeVisible();
	});

	await test.step('her photo is added and approved through the creative review', async () => {
		await collab.getByText('Add content from Ana Lima').click();
		const form = page.getByRole('form', { name: `Content from Ana Lima for ${line}` });
		await form.getByLabel('Title').fill('Summit shot');
		await pickFile(page, form, 'Choose a file', {
			name: 'summit.png',
			mimeType: 'image/png',
			buffer: png(100, 100, [37, 99, 235])
		});
		await form.getByRole('button', { name: 'Submit for review' }).click();
		const asset = collab.getByRole('article', { name: 'Deliverable Summit shot' });
		await expect(asset).toBeVisible();
		await asset
			.getByRole('form', { name: 'Review version 1' })
			.getByRole('button', { name: 'Approve' })
			.click();
		await expect(asset.getByTestId('locked')).toBeVisible();
		await expect(collab.getByTestId('deliverable')).toContainText('1 of 1 approved');
	});

	await test.step('a product is sent and followed to delivered', async () => {
		await collab
			.getByLabel('Product to send to Ana Lima')
			.selectOption({ label: 'Trail shoe (TRL-1)' });
		await collab.getByRole('button', { name: 'Send a product' }).click();
		const row = collab.getByTestId('seeded-product');
		await expect(row).toContainText('Chosen');
		await row.getByRole('button', { name: 'Mark ordered' }).click();
		await expect(row).toContainText('Ordered');
		// Shipping without a tracking number is refused with the reason.
		await row.getByRole('button', { name: 'Mark shipped' }).click();
		await expect(row.getByRole('alert')).toContainText('tracking number');
		await row.getByLabel('Tracking number for Trail shoe').fill('1Z999AA10123456784');
		await row.getByLabel('Carrier for Trail shoe').fill('UPS');
		await row.getByRole('button', { name: 'Mark shipped' }).click();
		await expect(row).toContainText('UPS · 1Z999AA10123456784');
		await row.getByRole('button', { name: 'Mark delivered' }).click();
		await expect(row).toContainText('Delivered');
		await expect(row.getByRole('button')).toHaveCount(0);
	});

	await test.step('Ana’s record shows the campaign, and links to her marketplace profile', async () => {
		await openApp(page, `/${slug}/influencers/${records.get('Ana Lima')}`);
		const row = page
			.getByTestId('record-collaborations')
			.locator('tr', { hasText: 'Ultra ambassadors' });
		await expect(row).toContainText('Accepted');
		await expect(row).toContainText('€450.00');
		await expect(row).toContainText('1 of 1');
		await expect(row).toContainText('1 sent, 1 delivered');
		await row.getByRole('link', { name: 'Ultra ambassadors' }).click();
		await expect(page).toHaveURL(new RegExp(`/${slug}/campaigns/${campaignId}/influencers$`));
		await page.goBack();
		await page.getByRole('link', { name: 'Marketplace profile' }).click();
		await expect(page).toHaveURL(
			new RegExp(`/${slug}/influencers/marketplace/${marketplace.get('Ana Lima')}$`)
		);
		await expect(page.getByRole('link', { name: 'In your list: open the record' })).toBeVisible();
	});
});
