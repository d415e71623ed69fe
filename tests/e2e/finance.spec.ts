// Finance end to end: a member records a purchase order on a campaign with a
// file uploaded through the Files picker, an admin (a second member) approves
// it and marks it paid, and the campaign's spend chart shows the payment.
// The requester is offered no approval control on their own document.
import { expect, test } from '@playwright/test';
import { confirmedUser } from './helpers.ts';
import { openApp, seedOrg, signInAs, uniqueOrgName, withDb } from './tenancy.ts';

const PDF = Buffer.from(
	'%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n'
);

test('a member records a PO with a file, an admin approves it and marks it paid, the spend chart moves', async ({
	page,
	browser
}) => {
	const owner = await confirmedUser('Olga Owner', 'finance-owner');
	const member = await confirmedUser('Mia Member', 'finance-member');
	const admin = await confirmedUser('Adam Admin', 'finance-admin');
	const { name, slug } = uniqueOrgName('Finance Co');
	const orgId = await seedOrg({
		owner,
		name,
		slug,
		members: [
			{ person: member, role: 'member' },
			{ person: admin, role: 'admin' }
		],
		brands: ['Trail Co']
	});
	const campaignId = await withDb(async (db) => {
		const { rows } = await db.query<{ id: string }>(
			`insert into public.campaigns (org_id, kind, brand_id, name, budget_amount, currency)
			 select $1, 'influencer', b.id, 'Autumn trail team', 5000, 'EUR' from public.brands b where b.org_id = $1
			 returning id`,
			[orgId]
		);
		return rows[0]!.id;
	});
	const financeTab = `/${slug}/campaigns/${campaignId}/finance`;
	const paidBar = page.getByTestId('finance-spend-chart').locator('[data-bar="paid"]');

	await test.step('the member opens the campaign finance tab: nothing paid yet', async () => {
		await signInAs(page, member);
		await openApp(page, `/${slug}/campaigns/${campaignId}`);
		await page.getByRole('main').getByRole('link', { name: 'Finance', exact: true }).click();
		await expect(page).toHaveURL(new RegExp(`${financeTab}$`));
		await expect(paidBar).toHaveAttribute('data-value', '0');
	});

	let documentUrl = '';
	await test.step('the member records a purchase order with a file', async () => {
		await page.getByRole('link', { name: 'New document' }).click();
		await expect(page.locator('[data-hydrated]')).toBeAttached();
		await expect(page.getByLabel('Campaign')).toHaveValue(campaignId);
		await page.getByLabel('Amount').fill('1200');
		await page.getByLabel('Due date').fill('2099-01-31');
		await page.getByLabel('Description').fill('Fees of the autumn creators');
		await page.getByRole('button', { name: 'Attach a file' }).click();
		const dialog = page.getByRole('dialog');
		await expect(dialog).toBeVisible();
		await dialog.getByLabel('Choose a file to upload').setInputFiles({
			name: 'po-autumn.pdf',
			mimeType: 'application/pdf',
			buffer: PDF
		});
		await expect(dialog).toBeHidden();
		await expect(page.getByTestId('finance-file')).toContainText('po-autumn.pdf');
		await page.getByRole('button', { name: 'Save document' }).click();
		await expect(page.getByText(/Saved as PO-\d{4}-0001/)).toBeVisible();
		await expect(page.getByTestId('finance-status')).toContainText('Waiting for approval');
		await expect(page.getByTestId('finance-file')).toContainText('po-autumn.pdf');
		// The requester is not offered to approve their own document.
		await expect(page.getByRole('button', { name: 'Approve', exact: true })).toHaveCount(0);
		documentUrl = new URL(page.url()).pathname;
	});

	const approver = await browser.newPage();
	await test.step('the admin approves it, then marks it paid', async () => {
		await signInAs(approver, admin);
		await openApp(approver, documentUrl);
		await expect(approver.locator('[data-hydrated]')).toBeAttached();
		await approver.getByLabel('Comment').fill('Within the plan.');
		await approver.getByRole('button', { name: 'Approve', exact: true }).click();
		await expect(approver.getByTestId('finance-status')).toContainText('Approved');
		await expect(approver.getByTestId('finance-decisions')).toContainText('Adam Admin approved');
		await approver.getByRole('button', { name: 'Mark paid' }).click();
		await expect(approver.getByTestId('finance-status')).toContainText('Paid');
	});

	await test.step("the campaign's spend chart shows the payment", async () => {
		await openApp(page, financeTab);
		await expect(paidBar).toHaveAttribute('data-value', '1200');
		await expect(
			page.getByTestId('finance-spend-chart').locator('[data-bar="committed"]')
		).toHaveAttribute('data-value', '1200');
		await expect(page.getByTestId('finance-budget-left')).toContainText('€3,800.00');
	});
	await approver.close();
});
