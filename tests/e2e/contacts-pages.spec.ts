// The contacts table and the contact page in use: keyset pages forward and
// back, tagging a selection, exporting the filtered view, then one contact's
// tags, consent, data export and erasure (typed confirmation). A viewer of the
// same organization reads it all without a single write control.
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { confirmedUser } from './helpers.ts';
import { openApp, seedOrg, signInAs, uniqueOrgName, withDb } from './tenancy.ts';

/** 55 contacts, "Person 01" … "Person 55" (p01@seed.test …), straight into the database. */
async function seedContacts(orgId: string): Promise<void> {
	await withDb((db) =>
		db.query(
			`insert into public.contacts (org_id, email, first_name, last_name, source)
			 select $1, 'p' || lpad(g::text, 2, '0') || '@seed.test', 'Person', lpad(g::text, 2, '0'), 'manual'
			   from generate_series(1, 55) g`,
			[orgId]
		)
	);
}

async function downloaded(page: Page, click: () => Promise<void>): Promise<string> {
	const download = page.waitForEvent('download');
	await click();
	return readFile(await (await download).path(), 'utf8');
}

test('pages, bulk tags and exports the table; changes, exports and erases one contact', async ({
	page
}) => {
	test.setTimeout(120_000);
	const owner = await confirmedUser('Tara Table', 'table');
	const { name, slug } = uniqueOrgName('Seedbank');
	await seedContacts(await seedOrg({ owner, name, slug }));
	const rows = page.getByTestId('contact-row');

	await test.step('keyset pages go forward and back', async () => {
		await signInAs(page, owner);
		await openApp(page, `/${slug}/contacts?sort=name`);
		await expect(rows).toHaveCount(50);
		await expect(rows.first()).toContainText('Person 01');
		await page.getByRole('link', { name: 'Next →' }).click();
		await expect(rows).toHaveCount(5);
		await expect(rows.first()).toContainText('Person 51');
		await expect(page.getByRole('link', { name: 'Next →' })).toHaveCount(0);
		await page.getByRole('link', { name: '← Previous' }).click();
		await expect(rows).toHaveCount(50);
		await expect(rows.first()).toContainText('Person 01');
	});

	await test.step('a selection is tagged, and the tag filters the table', async () => {
		await page.getByLabel('Select Person 02').check();
		await page.getByLabel('Select Person 03').check();
		await page.getByLabel('Select Person 04').check();
		await expect(page.getByText('3 contacts selected')).toBeVisible();
		await page.getByLabel('Tag to add or remove').fill('Press');
		await page.getByRole('button', { name: 'Add tag' }).click();
		await expect(page.getByText('Tagged 3 contacts “Press”.')).toBeVisible();
		await page.getByLabel('Tag', { exact: true }).selectOption({ label: 'Press' });
		await expect(page).toHaveURL(/[?&]tag=[0-9a-f-]{36}/);
		await expect(rows).toHaveCount(3);
	});

	await test.step('the filtered view exports as CSV', async () => {
		const csv = await downloaded(page, () =>
			page.getByRole('link', { name: 'Export CSV' }).click()
		);
		const lines = csv.trim().split('\n');
		expect(lines[0]).toMatch(/^Email,Phone,First name,Last name,/);
		expect(
			lines
				.slice(1)
				.map((l) => l.split(',')[0])
				.sort()
		).toEqual(['p02@seed.test', 'p03@seed.test', 'p04@seed.test']);
	});

	await test.step('on the contact page: a tag removed, email consent withdrawn', async () => {
		await rows.filter({ hasText: 'Person 03' }).getByRole('link').click();
		await expect(page.getByRole('heading', { level: 1 })).toContainText('Person 03');
		await page.getByRole('button', { name: 'Remove the tag Press' }).click();
		await expect(page.getByText('The tag has been removed.')).toBeVisible();
		await expect(page.getByRole('list', { name: /^Tags of/ })).toHaveCount(0);

		await page.getByRole('button', { name: 'Record Email consent' }).click();
		await page.getByRole('alertdialog').getByRole('button', { name: 'Record consent' }).click();
		await expect(page.getByText('Consent granted for email.')).toBeVisible();
		await page.getByRole('button', { name: 'Withdraw Email consent' }).click();
		await page.getByRole('alertdialog').getByRole('button', { name: 'Withdraw consent' }).click();
		await expect(page.getByText('Consent withdrawn for email.')).toBeVisible();
		// Withdrawing email consent unsubscribes: nothing may be sent any more.
		await expect(page.getByRole('heading', { level: 1 })).toContainText('Unsubscribed');
		await expect(page.getByTestId('consent-row').first()).toContainText('cannot be messaged');
		await expect(
			page.getByTestId('timeline-event').filter({ hasText: 'Consent changed — email: withdrawn' })
		).toHaveCount(1);
	});

	await test.step('the data export has everything held, then erasure removes it', async () => {
		const json = JSON.parse(
			await downloaded(page, () => page.getByRole('link', { name: 'Export data (JSON)' }).click())
		) as { contact: { email: string }; consent: unknown[]; tags: string[] };
		expect(json.contact.email).toBe('p03@seed.test');
		expect(json.consent).toHaveLength(2);
		expect(json.tags).toEqual([]);

		await page.getByRole('button', { name: 'Erase contact' }).click();
		const dialog = page.getByRole('alertdialog');
		const confirm = dialog.getByRole('button', { name: 'Erase for good' });
		await expect(confirm).toBeDisabled();
		await dialog.getByLabel('Type "p03@seed.test" to confirm').fill('p03@seed.test');
		await confirm.click();
		await expect(page.getByText('This contact was erased')).toBeVisible();
		await expect(page.getByRole('heading', { level: 1 })).toContainText('Erased contact');
		await expect(page.getByRole('button', { name: 'Erase contact' })).toHaveCount(0);
		await expect(page.getByText('p03@seed.test')).toHaveCount(0);
	});
});

test('a viewer reads contacts, segments and imports without write controls', async ({ page }) => {
	const owner = await confirmedUser('Oona Owner', 'owner');
	const viewer = await confirmedUser('Vera Viewer', 'viewer');
	const { name, slug } = uniqueOrgName('Readonly');
	const orgId = await seedOrg({ owner, name, slug, members: [{ person: viewer, role: 'viewer' }] });
	await seedContacts(orgId);
	await signInAs(page, viewer);

	await openApp(page, `/${slug}/contacts`);
	await expect(page.getByTestId('contact-row')).toHaveCount(50);
	await expect(page.getByRole('checkbox')).toHaveCount(0);
	for (const control of ['Add contact', 'Import contacts', 'Export CSV'])
		await expect(page.getByRole('link', { name: control })).toHaveCount(0);

	await page.getByTestId('contact-row').first().getByRole('link').click();
	await expect(page.getByLabel('Email', { exact: true })).toBeDisabled();
	for (const control of ['Save contact', 'Erase contact', 'Add'])
		await expect(page.getByRole('button', { name: control, exact: true })).toHaveCount(0);
	await expect(page.getByRole('link', { name: 'Export data (JSON)' })).toHaveCount(0);

	await openApp(page, `/${slug}/segments/new`);
	await expect(page.getByText('You can try conditions and see the count')).toBeVisible();
	await expect(page.getByTestId('live-count-value')).toHaveText('55');
	await expect(page.getByRole('button', { name: 'Save segment' })).toHaveCount(0);

	await openApp(page, `/${slug}/imports`);
	await expect(page.getByText('Members who can edit contacts can import them.')).toBeVisible();
	await expect(page.getByTestId('drop-zone')).toHaveCount(0);

	await openApp(page, `/${slug}/settings/fields`);
	await expect(page.getByRole('button', { name: 'Add field' })).toHaveCount(0);
});
