// The whole life of an account through the browser: sign up, confirm from the mailbox,
// edit the profile, sign out, come back through the protected redirect, forget the
// password, reset it from the mailbox, sign in with the new one.
import { expect, test } from '@playwright/test';
import { emailLink, signIn, signOutFromUserMenu, signUpConfirmed, uniqueEmail } from './helpers.ts';

test('sign up → confirm → edit profile → sign out → protected redirect → reset password', async ({
	page
}) => {
	const email = uniqueEmail('lifecycle');
	const password = 'first-password-1';
	const newPassword = 'second-password-2';

	await test.step('sign up and confirm from the mailbox: signed in on the home page', async () => {
		await signUpConfirmed(page, { fullName: 'Ada Lovelace', email, password });
		await expect(page.getByRole('heading', { name: 'Welcome, Ada' })).toBeVisible();
		await expect(page.getByText('Create your first organization')).toBeVisible();
	});

	await test.step('edit the profile name; it persists after a reload', async () => {
		// The menu needs the page running (the confirmation link's redirect just loaded it).
		await expect(page.locator('[data-hydrated]')).toBeAttached();
		await page.getByRole('button', { name: /open the user menu/i }).click();
		await page.getByRole('menuitem', { name: 'Account' }).click();
		await expect(page).toHaveURL('/account');
		await expect(page.getByTestId('email')).toHaveText(email);
		await expect(page.getByLabel('Full name')).toHaveValue('Ada Lovelace');

		await page.getByLabel('Full name').fill('Ada King');
		await page.getByRole('button', { name: 'Save name' }).click();
		await expect(page.getByText('Your name has been saved.')).toBeVisible();
		await expect(page.getByTestId('user-menu-name')).toHaveText('Ada King');

		await page.reload();
		await expect(page.getByLabel('Full name')).toHaveValue('Ada King');
	});

	await test.step('sign out from the user menu', async () => {
		await signOutFromUserMenu(page);
	});

	await test.step('/account sends a signed-out visitor to sign in, and back after', async () => {
		await page.goto('/account');
		await expect(page).toHaveURL('/login?redirectTo=%2Faccount');
		await signIn(page, email, password);
		await expect(page).toHaveURL('/account');
		await expect(page.getByLabel('Full name')).toHaveValue('Ada King');
	});

	await test.step('forgot password: the same answer, and a link in the mailbox', async () => {
		await page.getByRole('button', { name: 'Sign out' }).click();
		await expect(page).toHaveURL('/login?notice=signed-out');
		await page.getByRole('link', { name: 'Forgot your password?' }).click();
		await expect(page).toHaveURL('/forgot-password');

		await page.getByLabel('Email').fill(email);
		const since = new Date().toISOString();
		await page.getByRole('button', { name: 'Send reset link' }).click();
		await expect(
			page.getByText(`If an account exists for ${email}, we sent it a link`)
		).toBeVisible();

		await page.goto(await emailLink(email, /reset/i, since));
		await expect(page).toHaveURL('/reset-password');
	});

	await test.step('set a new password', async () => {
		await page.getByLabel('New password', { exact: true }).fill(newPassword);
		await page.getByLabel('Confirm new password').fill(newPassword);
		await page.getByRole('button', { name: 'Set new password' }).click();
		await expect(page.getByText('Your password has been changed.')).toBeVisible();
		await page.getByRole('link', { name: 'Continue to Growthdesk' }).click();
		await expect(page).toHaveURL('/');
		await signOutFromUserMenu(page);
	});

	await test.step('the old password no longer works; the new one does', async () => {
		// An off-site destination is ignored: sign-in lands in the app, never elsewhere.
		await page.goto('/login?redirectTo=%2F%2Fevil.example%2Fphish');
		await signIn(page, email, password);
		await expect(page.getByText('Email or password is incorrect.')).toBeVisible();
		await signIn(page, email, newPassword);
		await expect(page).toHaveURL('/');
		await expect(page.getByRole('heading', { name: 'Welcome, Ada' })).toBeVisible();
	});
});
