// The campaign wizard end to end: half of it filled, the page reloaded, the
// rest finished on a second page load and submitted; two people editing one
// draft (the second is told and can keep theirs); a viewer sees no edit
// control and their forged posts are refused.
import { expect, test, type Page } from '@playwright/test';
import { confirmedUser } from './helpers.ts';
import { stack } from './stack.ts';
import { openApp, seedOrg, signInAs, uniqueOrgName, withDb } from './tenancy.ts';

async function startCampaign(page: Page, slug: string, name: string): Promise<string> {
	await openApp(page, `/${slug}/campaigns/new`);
	await page.getByLabel('Campaign name').fill(name);
	await page.getByLabel('Brand', { exact: true }).selectOption({ label: 'Trail Co' });
	await page.getByRole('button', { name: 'Start the wizard' }).click();
	await expect(page).toHaveURL(new RegExp(`/${slug}/campaigns/([0-9a-f-]{36})/edit/basics$`));
	return /campaigns\/([0-9a-f-]{36})\//.exec(page.url())![1]!;
}

/**
 * Holds the answer to the first post whose URL contains `part` until
 * `release()`: `held` resolves once the server has answered it (so what it
 * saved is saved) and the page is still waiting.
 */
async function holdFirstAnswer(page: Page, part: string) {
	let release!: () => void;
	const released = new Promise<void>((resolve) => (release = resolve));
	let answered!: () => void;
	const held = new Promise<void>((resolve) => (answered = resolve));
	let first = true;
	await page.route(
		(url) => url.href.includes(part),
		async (route) => {
			if (!first || route.request().method() !== 'POST') return route.continue();
			first = false;
			const response = await route.fetch();
			answered();
			await released;
			await route.fulfill({ response });
		}
	);
	return { held, release };
}

test('fill the wizard half-way, reload, finish on a second load and submit', async ({ page }) => {
	const owner = await confirmedUser('Wanda Wizard', 'wizard');
	const { name, slug } = uniqueOrgName('Trail Runners');
	await seedOrg({ owner, name, slug, brands: ['Trail Co'] });
	await signInAs(page, owner);

	const id = await startCampaign(page, slug, 'Spring trail launch');
	await expect(page.locator('[data-hydrated]')).toBeAttached();

	await test.step('basics and objective, saved as typed', async () => {
		await page.getByLabel('Description').fill('New trail shoes for spring');
		await expect(page.getByText('Saved', { exact: true })).toBeVisible();
		await page.getByRole('button', { name: 'Next' }).click();
		await expect(page).toHaveURL(new RegExp(`/edit/objective$`));
		// Next on an empty step names what is missing and stays. As on a slow connection,
		// its answer (it saved the empty step) arrives only once the autosave of what is
		// typed next is due: the autosave waits for it and posts the revision it saved.
		const slowNext = await holdFirstAnswer(page, '?/next');
		await page.getByRole('button', { name: 'Next' }).click();
		await expect(page.getByText('Say what this campaign should achieve.')).toBeVisible();
		await slowNext.held;
		await page.getByLabel('Objective').fill('Reach trail runners in Germany');
		await page.getByLabel('Metric 1').selectOption({ label: 'Reach' });
		await page.getByLabel('Target 1').fill('250000');
		await expect(page.getByText('Saving…')).toBeVisible();
		slowNext.release();
		await expect(page.getByText('Saved', { exact: true })).toBeVisible();
		await expect(page.getByRole('alert').filter({ hasText: 'saved this step' })).toHaveCount(0);
	});

	await test.step('a reload keeps what was typed; the wizard resumes at the first unfinished step', async () => {
		await page.reload();
		await expect(page.getByLabel('Objective')).toHaveValue('Reach trail runners in Germany');
		await openApp(page, `/${slug}/campaigns/${id}/edit`);
		await expect(page).toHaveURL(new RegExp(`/edit/budget$`));
	});

	await test.step('a second page load finishes it', async () => {
		await openApp(page, `/${slug}/campaigns/${id}/edit/budget`);
		await expect(page.locator('[data-hydrated]')).toBeAttached();
		await page.getByLabel('Budget', { exact: true }).fill('12000');
		await page.getByLabel('Currency').selectOption('EUR');
		await page.getByLabel('Starts').fill('2099-03-01T09:00');
		await page.getByLabel('Ends').fill('2099-02-01T09:00');
		// As on a slow connection: the first Next's answer arrives only after
		// the second Next is pressed (the error shows at once, from the page).
		// The second must wait for it and post the revision it saved.
		const slow = await holdFirstAnswer(page, '?/next');
		await page.getByRole('button', { name: 'Next' }).click();
		await expect(page.getByText('The end must come after the start.')).toBeVisible();
		await slow.held;
		await page.getByLabel('Ends').fill('2099-04-30T18:00');
		await page.getByLabel('Line 1', { exact: true }).fill('Creator fees');
		await page.getByLabel('Amount of line 1').fill('9000');
		await page.getByRole('button', { name: 'Next' }).click();
		slow.release();
		await expect(page).toHaveURL(new RegExp(`/edit/audience$`));
		// An influencer campaign's audience is optional; its brief is not.
		await page.getByRole('button', { name: 'Next' }).click();
		await expect(page).toHaveURL(new RegExp(`/edit/creative$`));
		await page.getByRole('button', { name: 'Next' }).click();
		await expect(
			page.getByText('Add at least one requirement: what creators should deliver.')
		).toBeVisible();
		await page.getByRole('button', { name: 'Add a requirement' }).click();
		await page.getByLabel('Format or aspect ratio').fill('9:16');
		await page.getByRole('button', { name: 'Next' }).click();
		await expect(page).toHaveURL(new RegExp(`/edit/products$`));
		await page.getByRole('button', { name: 'Review' }).click();
		await expect(page).toHaveURL(new RegExp(`/edit/review$`));
		await expect(page.getByText('Every step is complete.')).toBeVisible();
		await page.getByRole('button', { name: 'Submit campaign' }).click();
		await expect(page).toHaveURL(new RegExp(`/campaigns/${id}\\?submitted=1$`));
		await expect(page.getByText('Version 1 submitted.')).toBeVisible();
		await expect(page.getByText('12,000 EUR').first()).toBeVisible();
	});

	await test.step('it is in the list and can be started', async () => {
		await page.getByRole('button', { name: 'Start now' }).click();
		await expect(page.getByText('moved it from Draft to Running')).toBeVisible();
		await openApp(page, `/${slug}/campaigns?status=active`);
		await expect(page.getByRole('link', { name: 'Spring trail launch' })).toBeVisible();
	});
});

test('opening a step saves nothing until something is typed', async ({ page }) => {
	const owner = await confirmedUser('Sam Still', 'still');
	const { name, slug } = uniqueOrgName('Still Water');
	await seedOrg({ owner, name, slug, brands: ['Trail Co'] });
	await signInAs(page, owner);
	const id = await startCampaign(page, slug, 'Quiet draft');

	// The budget step starts in the organization's time zone. That default once reached the
	// form only after it was shown, as an edit, so merely opening the step saved a revision:
	// a page loaded meanwhile (or a second tab) then took the person's own save for someone
	// else's. The autosave's timer is run forward rather than waited for.
	await page.clock.install();
	const posts: string[] = [];
	page.on('request', (request) => {
		if (request.method() === 'POST') posts.push(request.url());
	});
	await openApp(page, `/${slug}/campaigns/${id}/edit/budget`);
	await expect(page.getByLabel('Time zone')).toHaveValue('UTC');
	await page.clock.runFor(5_000);
	expect(posts).toEqual([]);

	// What is typed is saved, time zone included.
	await page.getByLabel('Budget', { exact: true }).fill('500');
	await page.clock.runFor(1_000);
	await expect(page.getByText('Saved', { exact: true })).toBeVisible();
	expect(posts).toEqual([expect.stringContaining('/edit/budget/save')]);
	const stored = await withDb((db) =>
		db.query<{ data: Record<string, unknown> }>(
			`select data from public.campaign_sections where campaign_id = $1 and section = 'budget'`,
			[id]
		)
	);
	expect(stored.rows[0]?.data).toMatchObject({ time_zone: 'UTC' });

	// Someone else saves the step without a time zone; reloading theirs starts from the same
	// default, again without saving anything for it.
	await withDb((db) =>
		db.query(
			`update public.campaign_sections set data = '{"amount": "700"}', revision = revision + 1
			  where campaign_id = $1 and section = 'budget'`,
			[id]
		)
	);
	await page.getByLabel('Budget', { exact: true }).fill('600');
	await page.clock.runFor(1_000);
	await page.getByRole('link', { name: 'Reload theirs' }).click();
	await expect(page.getByLabel('Budget', { exact: true })).toHaveValue('700');
	await expect(page.getByLabel('Time zone')).toHaveValue('UTC');
	await page.clock.runFor(5_000);
	expect(posts).toHaveLength(2);
});

test('two people edit one draft: the second is told what changed and keeps theirs', async ({
	browser
}) => {
	const owner = await confirmedUser('Otto Owner', 'conflict-a');
	const member = await confirmedUser('Mia Member', 'conflict-b');
	const { name, slug } = uniqueOrgName('Two Editors');
	await seedOrg({
		owner,
		name,
		slug,
		brands: ['Trail Co'],
		members: [{ person: member, role: 'member' }]
	});
	const first = await browser.newPage();
	const second = await browser.newPage();
	await signInAs(first, owner);
	await signInAs(second, member);
	const id = await startCampaign(first, slug, 'Shared draft');
	const step = `/${slug}/campaigns/${id}/edit/basics`;
	await openApp(second, step);
	await expect(second.locator('[data-hydrated]')).toBeAttached();
	await openApp(first, step);
	await expect(first.locator('[data-hydrated]')).toBeAttached();

	await first.getByLabel('Description').fill('Owner’s words');
	await expect(first.getByText('Saved', { exact: true })).toBeVisible();

	await second.getByLabel('Description').fill('Member’s words');
	const banner = second.getByRole('alert').filter({ hasText: 'saved this step' });
	await expect(banner).toContainText('Otto Owner');
	await expect(banner).toContainText('Description');
	// As on a slow connection: "Keep mine" is answered only after the autosave that its
	// click makes due would have gone; that autosave waits for it (posted alongside it,
	// it carried the replaced revision and the banner came back).
	const slowKeep = await holdFirstAnswer(second, '/edit/basics/save');
	await banner.getByRole('button', { name: 'Keep mine' }).click();
	await slowKeep.held;
	const overtook = await second
		.waitForRequest((r) => r.url().endsWith('/edit/basics/save'), { timeout: 3_000 })
		.then(
			() => true,
			() => false
		);
	slowKeep.release();
	await expect(second.getByText('Saved', { exact: true })).toBeVisible();
	await expect(banner).toHaveCount(0);
	expect(overtook).toBe(false);

	const saved = await withDb(async (db) => {
		const { rows } = await db.query<{ data: { description: string } }>(
			`select data from public.campaign_sections where campaign_id = $1 and section = 'basics'`,
			[id]
		);
		return rows[0]!.data.description;
	});
	expect(saved).toBe('Member’s words');
	await first.close();
	await second.close();
});

test('a viewer sees no edit controls, and forged posts are refused', async ({ page }) => {
	const owner = await confirmedUser('Olive Owner', 'camp-owner');
	const viewer = await confirmedUser('Vic Viewer', 'camp-viewer');
	const { name, slug } = uniqueOrgName('Read Only Co');
	const orgId = await seedOrg({
		owner,
		name,
		slug,
		brands: ['Trail Co'],
		members: [{ person: viewer, role: 'viewer' }]
	});
	const id = await withDb(async (db) => {
		const { rows } = await db.query<{ id: string }>(
			`insert into public.campaigns (org_id, kind, brand_id, name)
			 select $1, 'email', id, 'Newsletter' from public.brands where org_id = $1 returning id`,
			[orgId]
		);
		return rows[0]!.id;
	});
	await signInAs(page, viewer);
	await openApp(page, `/${slug}/campaigns`);
	await expect(page.getByRole('link', { name: 'Newsletter' })).toBeVisible();
	await expect(page.getByRole('link', { name: 'New campaign' })).toHaveCount(0);
	await openApp(page, `/${slug}/campaigns/${id}`);
	await expect(page.getByRole('button', { name: 'Cancel campaign' })).toHaveCount(0);
	await expect(page.getByRole('link', { name: 'Continue the wizard' })).toHaveCount(0);
	await openApp(page, `/${slug}/campaigns/${id}/edit/basics`);
	await expect(page.getByLabel('Campaign name')).toBeDisabled();

	const forge = (path: string, form: Record<string, string>) =>
		page.request.post(path, {
			form,
			headers: { origin: stack().appUrl, accept: 'text/html' },
			maxRedirects: 0
		});
	const attempts: [string, Record<string, string>][] = [
		[`/${slug}/campaigns/${id}?/status`, { to: 'cancelled' }],
		[
			`/${slug}/campaigns/${id}/edit/basics?/next`,
			{ revision: '1', name: 'Hijacked', description: '', brand_id: '' }
		],
		[
			`/${slug}/campaigns/new`,
			{ kind: 'email', name: 'Forged', brandId: '00000000-0000-4000-8000-000000000000' }
		],
		[`/${slug}/campaigns?/createFolder`, { name: 'Forged folder' }]
	];
	for (const [path, form] of attempts) {
		const response = await forge(path, form);
		expect(response.status(), path).toBeGreaterThanOrEqual(400);
		expect(response.status(), path).toBeLessThan(500);
	}
	const autosave = await page.request.post(`/${slug}/campaigns/${id}/edit/basics/save`, {
		data: { revision: 1, data: { name: 'Hijacked' } },
		headers: { origin: stack().appUrl }
	});
	expect(autosave.status()).toBe(404);
	const state = await withDb(async (db) => {
		const { rows } = await db.query<{ name: string; status: string; folders: number }>(
			`select c.name, c.status, (select count(*)::int from public.campaign_folders f where f.org_id = c.org_id) as folders
			   from public.campaigns c where c.org_id = $1`,
			[orgId]
		);
		return rows;
	});
	expect(state).toEqual([{ name: 'Newsletter', status: 'draft', folders: 0 }]);
});
