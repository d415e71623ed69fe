// What the sign-in and sign-up forms tell people when something is wrong, and what
// they keep of what was typed.
import { expect, test } from '@playwright/test';
import { emailLink, fillSignup, signIn, uniqueEmail } from './helpers.ts';

test('a wrong password says "Email or password is incorrect" and keeps the email', async ({
	page
}) => {
	const email = uniqueEmail('nobody');
	await page.goto('/login');
	await signIn(page, email, 'not-the-password');
	await expect(page.getByRole('alert')).toContainText('Email or password is incorrect.');
	await expect(page.getByLabel('Email')).toHaveValue(email);
	await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
	await expect(page).toHaveURL('/login');
});

test('the signup form keeps the email (never the passwords) after a server-side error', async ({
	browser
}) => {
	// Without JavaScript the browser posts the form and the server's answer is all there is.
	const context = await browser.newContext({ javaScriptEnabled: false });
	const page = await context.newPage();
	const email = uniqueEmail('mismatch');
	await page.goto('/signup');
	await fillSignup(page, {
		fullName: 'Grace Hopper',
		email,
		password: 'a-good-password-1',
		confirm: 'a-different-password-2'
	});
	await page.getByRole('button', { name: 'Create account' }).click();

	const confirm = page.getByLabel('Confirm password');
	await expect(confirm).toHaveAttribute('aria-invalid', 'true');
	await expect(page.getByText('The passwords do not match.')).toBeVisible();
	await expect(page.getByLabel('Email')).toHaveValue(email);
	await expect(page.getByLabel('Full name')).toHaveValue('Grace Hopper');
	await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
	await expect(confirm).toHaveValue('');
	await context.close();
});

test('signing up with a short password shows the reason on the field, before any request', async ({
	page
}) => {
	await page.goto('/signup');
	const email = uniqueEmail('short');
	await fillSignup(page, { fullName: 'Katherine Johnson', email, password: 'short' });
	await page.getByRole('button', { name: 'Create account' }).click();
	const password = page.getByLabel('Password', { exact: true });
	await expect(password).toHaveAttribute('aria-invalid', 'true');
	await expect(page.getByText('Use at least 8 characters.')).toBeVisible();
	await expect(page.getByLabel('Email')).toHaveValue(email);
});

test('signed-out visitors see the landing page; the app needs signing in', async ({ page }) => {
	await page.goto('/');
	await expect(
		page.getByRole('heading', { level: 1, name: /Growthdesk — campaigns, contacts, automations/ })
	).toBeVisible();
	await page.getByRole('link', { name: 'Sign up' }).first().click();
	await expect(page).toHaveURL('/signup');
	await page.goto('/account?tab=password');
	await expect(page).toHaveURL('/login?redirectTo=%2Faccount%3Ftab%3Dpassword');
});

test('a broken email link explains itself without echoing the URL', async ({ page }) => {
	await page.goto(
		'/auth/callback?error=access_denied&error_code=otp_expired&error_description=Evil+text'
	);
	await expect(page).toHaveURL('/auth/error?error_code=otp_expired');
	await expect(page.getByRole('heading', { name: 'This link has expired' })).toBeVisible();
	await expect(page.getByText('Evil text')).toHaveCount(0);

	await page.goto(
		'/auth/callback#error=access_denied&error_code=otp_expired&error_description=Evil'
	);
	await expect(page).toHaveURL('/auth/error?error_code=otp_expired');
});

test('an unconfirmed account is asked to confirm, and can get a new link that works', async ({
	page
}) => {
	const email = uniqueEmail('unconfirmed');
	const password = 'unconfirmed-pass-1';
	await page.goto('/signup');
	await fillSignup(page, { fullName: 'Mary Jackson', email, password });
	await page.getByRole('button', { name: 'Create account' }).click();
	await expect(page.getByText(`We sent a confirmation link to ${email}`)).toBeVisible();

	await page.goto('/login');
	await signIn(page, email, password);
	await expect(page.getByRole('alert')).toContainText('Confirm your email address first');
	// The Auth server spaces emails to one address (max_frequency): ask again until it sends,
	// as a person told "ask again in a second" would.
	const since = new Date().toISOString();
	await expect(async () => {
		await page.getByRole('button', { name: 'Send a new confirmation link' }).click();
		await expect(page.getByText(`We sent a new confirmation link to ${email}.`)).toBeVisible({
			timeout: 3_000
		});
	}).toPass({ timeout: 30_000 });

	await page.goto(await emailLink(email, /confirm/i, since));
	await expect(page).toHaveURL('/');
	await expect(page.getByRole('heading', { name: 'Welcome, Mary' })).toBeVisible();
});
