// Brand lift end to end: the owner sets up a study on an email campaign
// (holdout, a question with its positive answer, the power calculator), submits
// it, approves it and launches it; then ten people answer the public survey on
// a phone-sized page, each through their own link with no sign-in (a second
// answer on the same link is thanked, not counted); the owner sees the report
// with both groups' answers and "not enough data" below 250 per group.
import { expect, test } from '@playwright/test';
import { confirmedUser } from './helpers.ts';
import { openApp, seedOrg, signInAs, uniqueOrgName, withDb } from './tenancy.ts';

test('a study is set up, approved and launched; ten people answer on a phone; the report shows them', async ({
	page,
	browser
}) => {
	// Setup, review, launch and ten phone sessions: over two minutes on a loaded 2-core machine.
	test.setTimeout(300_000);
	const owner = await confirmedUser('Olga Owner', 'lift-owner');
	const { name, slug } = uniqueOrgName('Lift Co');
	const orgId = await seedOrg({ owner, name, slug, brands: ['Trail Co'] });
	// An email campaign whose audience is everyone, and 40 contacts.
	const campaignId = await withDb(async (db) => {
		await db.query(
			`insert into public.contacts (org_id, email, first_name)
			 select $1, 'runner' || g || '@example.test', 'Runner ' || g from generate_series(1, 40) g`,
			[orgId]
		);
		const { rows } = await db.query<{ id: string }>(
			`insert into public.campaigns (org_id, kind, brand_id, name)
			 select $1, 'email', b.id, 'Spring newsletter' from public.brands b where b.org_id = $1 returning id`,
			[orgId]
		);
		const audience = await db.query<{ id: string }>(
			`insert into public.audiences (org_id, name) values ($1, 'Everyone') returning id`,
			[orgId]
		);
		await db.query(
			`insert into public.campaign_audiences (org_id, campaign_id, audience_id) values ($1, $2, $3)`,
			[orgId, rows[0]!.id, audience.rows[0]!.id]
		);
		return rows[0]!.id;
	});

	await signInAs(page, owner);
	await openApp(page, `/${slug}/campaigns/${campaignId}/brand-lift`);
	await page.getByRole('button', { name: 'Set up a brand lift study' }).click();
	await expect(page.getByTestId('study-status')).toHaveText('Draft');

	// The design: half held out (so both groups answer), and the live power check.
	await page.getByLabel('Held out (% of the audience)').fill('50');
	await page.getByLabel('Answers planned per group').fill('2000');
	await expect(page.getByTestId('power')).toContainText('you need 3,763 answers per group');
	await page.getByLabel('Answers planned per group').fill('4000');
	await expect(page.getByTestId('power')).toContainText('Enough');
	await page.getByRole('button', { name: 'Save the design' }).click();
	// Wait for the save to answer (the fields show the typed values before it does).
	await expect(page.getByTestId('design-saved')).toBeVisible();
	await expect(page.getByLabel('Held out (% of the audience)')).toHaveValue('50');

	await page.getByLabel('Question', { exact: true }).fill('Have you heard of Trail Co?');
	await page.getByLabel('Answers, one per line; start positive ones with +').fill('+Yes\nNo');
	await page.getByRole('button', { name: 'Add the question' }).click();
	await expect(page.getByTestId('study-questions')).toContainText('Have you heard of Trail Co?');

	await page.getByRole('button', { name: 'Submit for review' }).click();
	await expect(page.getByTestId('study-status')).toHaveText('In review');
	await page.getByLabel('Comment').fill('Looks right to me.');
	await page.getByRole('button', { name: 'Comment', exact: true }).click();
	await expect(page.getByTestId('study-comments')).toContainText('Looks right to me.');
	await page.getByRole('button', { name: 'Approve' }).click();
	await expect(page.getByTestId('study-status')).toHaveText('Approved');
	await page.getByRole('button', { name: 'Launch the study' }).click();
	await expect(page.getByTestId('study-status')).toHaveText('Live');

	// Ten people, five of each group, each with their own link.
	const links = await withDb(async (db) => {
		const { rows } = await db.query<{ token: string; group: string }>(
			`select r.token, r."group"::text as group from public.brand_lift_respondents r
			   join public.brand_lift_studies s on s.id = r.study_id
			  where s.campaign_id = $1 order by r.token`,
			[campaignId]
		);
		return [
			...rows.filter((r) => r.group === 'exposed').slice(0, 5),
			...rows.filter((r) => r.group === 'control').slice(0, 5)
		];
	});
	expect(links).toHaveLength(10);

	const phone = await browser.newContext({
		viewport: { width: 390, height: 844 },
		isMobile: true,
		hasTouch: true,
		locale: 'en-US'
	});
	try {
		for (const [i, link] of links.entries()) {
			const p = await phone.newPage();
			await p.goto(`/s/${link.token}`);
			await expect(p.getByRole('heading', { name: 'A few quick questions' })).toBeVisible();
			// Nothing wider than the phone's screen.
			expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
			await p.getByLabel(i % 2 === 0 ? 'Yes' : 'No').check();
			await p.getByRole('button', { name: 'Send my answers' }).click();
			await expect(p.getByTestId('survey-thanks')).toBeVisible();
			if (i === 0) {
				// The same link again: thanked, nothing more to answer.
				await p.goto(`/s/${link.token}`);
				await expect(p.getByTestId('survey-thanks')).toBeVisible();
			}
			await p.close();
		}
	} finally {
		await phone.close();
	}

	await openApp(page, `/${slug}/campaigns/${campaignId}/brand-lift`);
	const counts = page.getByTestId('study-counts');
	await expect(counts).toContainText(/saw it\s*5/);
	await expect(counts).toContainText(/held out\s*5/);
	const question = page.getByTestId('lift-question');
	await expect(question).toContainText('Not enough data');
	await expect(question).toContainText('Have you heard of Trail Co?');
	// Exposed 3 of 5 said yes (people 1, 3, 5), control 2 of 5.
	await expect(question).toContainText('60.0%');
	await expect(question).toContainText('40.0%');
	const csv = await page.request.get(`/${slug}/campaigns/${campaignId}/brand-lift/report.csv`);
	expect(csv.status()).toBe(200);
	expect(await csv.text()).toContain(
		'Have you heard of Trail Co?,awareness,5,60.00,5,40.00,not enough data'
	);
});
