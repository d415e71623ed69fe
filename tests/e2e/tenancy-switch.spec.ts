// One person, two organizations: the switcher moves between them (by keyboard
// too), each shows only its own data, "/" returns to the last one opened, and
// someone outside sees a plain 404, the same as for an address that does not exist.
import { expect, test, type Page } from '@playwright/test';
import { confirmedUser } from './helpers.ts';
import { createOrgInUi, openApp, signInAs, uniqueOrgName } from './tenancy.ts';

async function addBrand(page: Page, slug: string, name: string, city: string) {
	await openApp(page, `/${slug}/settings/brands`);
	await page.getByRole('link', { name: 'New brand' }).first().click();
	await expect(page).toHaveURL(`/${slug}/settings/brands/new`);
	await page.getByLabel('Name').fill(name);
	await page.getByLabel('City').fill(city);
	await page.getByRole('button', { name: 'Add brand' }).click();
	await expect(page).toHaveURL(`/${slug}/settings/brands`);
	await expect(page.getByRole('rowheader', { name })).toBeVisible();
}

test('switching organizations shows only each one’s brands; outsiders get a 404', async ({
	page
}) => {
	const person = await confirmedUser('Hedy Lamarr', 'switcher');
	const north = uniqueOrgName('North Star');
	const south = uniqueOrgName('South Pole');

	await test.step('create two organizations and a brand in each', async () => {
		await signInAs(page, person);
		await createOrgInUi(page, north.name, north.slug);
		await createOrgInUi(page, south.name, south.slug);
		await openApp(page, `/${north.slug}/settings/brands`);
		await expect(page.getByText('No brands yet')).toBeVisible();
		await addBrand(page, north.slug, 'Northern Goods', 'Oslo');
		await addBrand(page, south.slug, 'Southern Supply', 'Hobart');
	});

	await test.step('the switcher, by keyboard: same section, the other organization’s data', async () => {
		const switcher = page.getByTestId('org-switcher');
		await expect(switcher).toContainText(south.name);
		await switcher.focus();
		await page.keyboard.press('Enter');
		const target = page.getByRole('menuitem', { name: new RegExp(north.name) });
		await expect(target).toBeVisible();
		await expect(target).toContainText('Owner');
		await expect(page.getByRole('menuitem', { name: 'Create organization' })).toBeVisible();
		// Focus starts on the first item (the organizations are listed by name).
		await expect(target).toBeFocused();
		await page.keyboard.press('Enter');
		await expect(page).toHaveURL(`/${north.slug}/settings/brands`);
		await expect(switcher).toContainText(north.name);
		await expect(page.getByRole('rowheader', { name: 'Northern Goods' })).toBeVisible();
		await expect(page.getByText('Southern Supply')).toHaveCount(0);
	});

	await test.step('and back with the mouse', async () => {
		await page.getByTestId('org-switcher').click();
		await page.getByRole('menuitem', { name: new RegExp(south.name) }).click();
		await expect(page).toHaveURL(`/${south.slug}/settings/brands`);
		await expect(page.getByRole('rowheader', { name: 'Southern Supply' })).toBeVisible();
		await expect(page.getByText('Northern Goods')).toHaveCount(0);
		// The home page is the organization's dashboard now: its heading names the organization.
		await openApp(page, `/${south.slug}`);
		await expect(page.getByRole('heading', { level: 1, name: south.name })).toBeVisible();
		await expect(page.getByText('Northern Goods')).toHaveCount(0);
	});

	await test.step('"/" opens the organization opened last', async () => {
		await openApp(page, `/${north.slug}`);
		await page.goto('/');
		await expect(page).toHaveURL(`/${north.slug}`);
	});

	await test.step('someone else: a 404, as for an address that does not exist', async () => {
		await page.context().clearCookies();
		const outsider = await confirmedUser('Otto Outsider', 'outsider');
		await signInAs(page, outsider);
		for (const path of [
			`/${north.slug}`,
			`/${north.slug}/settings/brands`,
			`/${north.slug}-nope`,
			'/Not_A_Slug/settings'
		]) {
			const response = await page.goto(path);
			expect(response?.status(), path).toBe(404);
			await expect(
				page.getByRole('heading', { name: 'We could not find that page' })
			).toBeVisible();
			await expect(page.getByText('Northern Goods')).toHaveCount(0);
		}
	});
});
