// What owners do in settings, through the browser: rename and move an
// organization, brand it, edit and delete brands, define a custom role, change
// and remove members (the last-owner rule shown), read the audit log, and finally
// delete the organization behind a typed confirmation.
import { expect, test } from '@playwright/test';
import { confirmedUser } from './helpers.ts';
import { openApp, seedOrg, signInAs, uniqueOrgName, withDb } from './tenancy.ts';

test('an owner renames, moves and brands the organization, edits brands, then deletes it', async ({
	page
}) => {
	const owner = await confirmedUser('Olive Owner', 'owner');
	const other = await confirmedUser('Tom Taken', 'taken');
	const { name, slug } = uniqueOrgName('Cove Works');
	const moved = uniqueOrgName('Cove Studio');
	const taken = uniqueOrgName('Taken Place');
	await seedOrg({ owner, name, slug, brands: ['Harbor Shop', 'Dock Cafe'] });
	await seedOrg({ owner: other, name: taken.name, slug: taken.slug });
	await signInAs(page, owner);
	await expect(page).toHaveURL(`/${slug}`);

	await test.step('general: a taken or reserved address is refused on the field', async () => {
		await page.getByRole('link', { name: 'General' }).click();
		await expect(page).toHaveURL(`/${slug}/settings`);
		await page.getByLabel('Address').fill('admin');
		await page.getByRole('button', { name: 'Save changes' }).click();
		await expect(page.getByText('That address is reserved; choose another.')).toBeVisible();
		await page.getByLabel('Address').fill(taken.slug);
		await page.getByRole('button', { name: 'Save changes' }).click();
		await expect(page.getByText('That address is taken; choose another.')).toBeVisible();
	});

	await test.step('general: a new name and address move the organization', async () => {
		await page.getByLabel('Organization name').fill(moved.name);
		await page.getByLabel('Address').fill(moved.slug);
		await page.getByRole('button', { name: 'Save changes' }).click();
		await expect(page).toHaveURL(`/${moved.slug}/settings?moved=1`);
		await expect(page.getByText('The organization now lives at')).toBeVisible();
		await expect(page.getByTestId('org-switcher')).toContainText(moved.name);
		await expect(page.getByLabel('Address')).toHaveValue(moved.slug);
		const old = await page.goto(`/${slug}`);
		expect(old?.status()).toBe(404);
	});

	await test.step('branding: palette, font and logo, checked and saved', async () => {
		await openApp(page, `/${moved.slug}/settings/branding`);
		await page.getByRole('button', { name: 'Emerald' }).click();
		await expect(page.getByLabel('Primary colour', { exact: true })).toHaveValue('#047857');
		await page.getByLabel('Font').selectOption('Lato');
		await page.getByLabel('Logo address').fill('ftp://example.com/logo.png');
		await page.getByRole('button', { name: 'Save branding' }).click();
		await expect(page.getByText('Use an address starting with https://.')).toBeVisible();
		await page.getByLabel('Logo address').fill('');
		await page.getByRole('button', { name: 'Save branding' }).click();
		await expect(page.getByText('The branding has been saved.')).toBeVisible();
		await page.reload();
		await expect(page.getByLabel('Primary colour', { exact: true })).toHaveValue('#047857');
		await expect(page.getByLabel('Font')).toHaveValue('Lato');
		// The workspace wears it: the brand colour and font, and the logo in the switcher.
		const applied = () =>
			page.evaluate(() => {
				const root = getComputedStyle(document.documentElement);
				return {
					brand: root.getPropertyValue('--color-brand-600').trim(),
					font: getComputedStyle(document.body).fontFamily
				};
			});
		expect(await applied()).toEqual({
			brand: '#047857',
			font: expect.stringMatching(/^"?Lato"?,/)
		});
		await page.getByLabel('Logo address').fill('https://example.com/logo.png');
		await page.getByRole('button', { name: 'Save branding' }).click();
		await expect(page.getByText('The branding has been saved.')).toBeVisible();
		await page.reload();
		await expect(page.getByTestId('org-logo').first()).toHaveAttribute(
			'src',
			'https://example.com/logo.png'
		);
	});

	await test.step('brands: field errors, a duplicate name, a save', async () => {
		await openApp(page, `/${moved.slug}/settings/brands`);
		await page.getByRole('link', { name: 'Edit Harbor Shop' }).click();
		await page.getByLabel('Email').fill('not-an-email');
		await page.getByRole('button', { name: 'Save brand' }).click();
		await expect(page.getByText('Enter a valid email address.')).toBeVisible();
		await page.getByLabel('Email').fill('shop@example.test');
		await page.getByLabel('Name').fill('Dock Cafe');
		await page.getByRole('button', { name: 'Save brand' }).click();
		await expect(page.getByText('There is already a brand with this name.')).toBeVisible();
		await page.getByLabel('Name').fill('Harbor Shop & Co');
		await page.getByRole('button', { name: 'Save brand' }).click();
		await expect(page.getByText('The brand has been saved.')).toBeVisible();
	});

	await test.step('brands: delete, after a confirmation', async () => {
		await page.getByRole('button', { name: 'Delete brand' }).click();
		const dialog = page.getByRole('alertdialog');
		await expect(dialog).toContainText('Delete Harbor Shop & Co?');
		await dialog.getByRole('button', { name: 'Cancel' }).click();
		await expect(dialog).toBeHidden();
		await page.getByRole('button', { name: 'Delete brand' }).click();
		await page.getByRole('alertdialog').getByRole('button', { name: 'Delete brand' }).click();
		await expect(page).toHaveURL(/\/settings\/brands\?deleted=/);
		await expect(page.getByText('The brand “Harbor Shop & Co” has been deleted.')).toBeVisible();
		await expect(page.getByRole('rowheader')).toHaveText(['Dock Cafe']);
	});

	await test.step('delete the organization: only once its name is typed', async () => {
		await openApp(page, `/${moved.slug}/settings`);
		await page.getByRole('button', { name: 'Delete organization' }).click();
		const dialog = page.getByRole('alertdialog');
		const confirm = dialog.getByRole('button', { name: 'Delete for good' });
		await expect(confirm).toBeDisabled();
		await dialog.getByLabel(`Type "${moved.name}" to confirm`).fill('Cove');
		await expect(confirm).toBeDisabled();
		await dialog.getByLabel(`Type "${moved.name}" to confirm`).fill(moved.name);
		await confirm.click();
		await expect(page).toHaveURL('/');
		await expect(page.getByText('Create your first organization')).toBeVisible();
		const gone = await withDb((db) =>
			db.query('select 1 from organizations where slug = $1', [moved.slug])
		);
		expect(gone.rowCount).toBe(0);
	});
});

test('an owner defines a custom role, changes and removes members, and reads the audit log', async ({
	page,
	browser
}) => {
	const owner = await confirmedUser('Olive Owner', 'owner');
	const milo = await confirmedUser('Milo Member', 'milo');
	const nina = await confirmedUser('Nina Newcomer', 'nina');
	const { name, slug } = uniqueOrgName('Pier Partners');
	const orgId = await seedOrg({
		owner,
		name,
		slug,
		members: [
			{ person: milo, role: 'member' },
			{ person: nina, role: 'viewer' }
		]
	});
	await signInAs(page, owner);

	await test.step('roles: an empty state, then a custom role with one permission', async () => {
		await openApp(page, `/${slug}/settings/roles`);
		await expect(page.getByText('No custom roles yet')).toBeVisible();
		await page.getByRole('link', { name: 'New role' }).click();
		await page.getByLabel('Role name').fill('Integrations lead');
		await page.getByLabel('Description').fill('Looks after the webhooks');
		await page.getByRole('group', { name: 'Webhooks' }).getByRole('checkbox').check();
		await page.getByRole('button', { name: 'Create role' }).click();
		await expect(page).toHaveURL(`/${slug}/settings/roles`);
		const row = page.getByRole('row', { name: /Integrations lead/ });
		await expect(row).toContainText('webhooks.manage');
	});

	const members = page.getByTestId('member-row');
	await test.step('members: change a role and add the custom role', async () => {
		await openApp(page, `/${slug}/settings/members`);
		await page.getByRole('button', { name: 'Change the role of Milo Member' }).click();
		const dialog = page.getByRole('alertdialog');
		await dialog.getByLabel('Role', { exact: true }).selectOption('admin');
		await dialog.getByLabel('Custom role').selectOption({ label: 'Integrations lead' });
		await dialog.getByRole('button', { name: 'Save role' }).click();
		await expect(dialog).toBeHidden();
		await expect(page.getByText('The role has been changed.')).toBeVisible();
		await expect(members.filter({ hasText: 'Milo Member' })).toContainText('Admin');
		await expect(members.filter({ hasText: 'Milo Member' })).toContainText('+ Integrations lead');
	});

	await test.step('the last owner cannot leave; the database says why', async () => {
		await page.getByRole('button', { name: 'Leave organization' }).click();
		const dialog = page.getByRole('alertdialog');
		await dialog.getByRole('button', { name: 'Leave organization' }).click();
		await expect(dialog.getByText('An organization must keep at least one owner.')).toBeVisible();
		await page.keyboard.press('Escape');
		await expect(dialog).toBeHidden();
	});

	await test.step('members: remove someone, after a confirmation', async () => {
		await page.getByRole('button', { name: 'Remove Nina Newcomer' }).click();
		const dialog = page.getByRole('alertdialog');
		await expect(dialog).toContainText('They lose access');
		await dialog.getByRole('button', { name: 'Remove member' }).click();
		await expect(page.getByText('The member has been removed.')).toBeVisible();
		await expect(members).toHaveCount(2);
		await expect(members.filter({ hasText: 'Nina Newcomer' })).toHaveCount(0);
	});

	await test.step('an admin cannot grant what they lack: those permissions are greyed out', async () => {
		const admin = await browser.newPage();
		await signInAs(admin, milo);
		await openApp(admin, `/${slug}/settings/roles/new`);
		await expect(admin.getByRole('checkbox', { name: /Delete the organization/ })).toBeDisabled();
		await expect(admin.getByRole('checkbox', { name: /Manage outgoing webhooks/ })).toBeEnabled();
		await admin.close();
	});

	await test.step('the audit log tells who did what, filtered by kind and by person', async () => {
		await openApp(page, `/${slug}/settings/audit`);
		const rows = page.getByTestId('audit-row');
		const roleChange = rows.filter({ hasText: "Changed a member's role" });
		await expect(roleChange).toContainText('Olive Owner');
		await expect(roleChange).toContainText('Milo Member');
		await expect(roleChange).toContainText(/Role: Member →.*Admin/);
		await expect(roleChange).toContainText('Integrations lead');
		// Her profile is no longer visible to the team (RLS): the entry kept her name.
		await expect(rows.filter({ hasText: 'Removed a member' })).toContainText(
			/Nina Newcomer.*Role: Viewer/
		);
		await expect(rows.filter({ hasText: 'Created a custom role' })).toHaveCount(1);

		await page.getByLabel('Kind of change').selectOption('members');
		await expect(page).toHaveURL(/kind=members/);
		await expect(rows.filter({ hasText: 'Created a custom role' })).toHaveCount(0);
		await expect(rows.filter({ hasText: "Changed a member's role" })).toHaveCount(1);

		await page.getByLabel('Kind of change').selectOption('');
		await page.getByLabel('Changed by').selectOption({ label: 'Milo Member' });
		await expect(page.getByText('No change matches these filters.')).toBeVisible();
	});

	await test.step('"Load older" pages back through a long log', async () => {
		await withDb((db) =>
			db.query(
				`insert into audit_log (org_id, actor_id, action, target_type, target_id, before, after, at)
				 select $1::uuid, $2::uuid, 'organizations.update', 'organizations', $1::text,
				        jsonb_build_object('name', 'Old ' || n), jsonb_build_object('name', 'New ' || n),
				        now() - interval '1 day' - n * interval '1 minute'
				   from generate_series(1, 60) n`,
				[orgId, owner.id]
			)
		);
		await openApp(page, `/${slug}/settings/audit?kind=organizations`);
		const rows = page.getByTestId('audit-row');
		await expect(rows).toHaveCount(50);
		await page.getByRole('link', { name: 'Load older' }).click();
		await expect(rows).toHaveCount(61);
		await expect(page.getByRole('link', { name: 'Load older' })).toHaveCount(0);
		await expect(page).toHaveURL(`/${slug}/settings/audit?kind=organizations`);
	});
});
