// Signing in without a password: "Email me a sign-in link" sends a link and a code;
// the code typed on the "Enter your code" page signs in (a wrong one is refused).
import { expect, test } from '@playwright/test';
import { waitForMail } from '../helpers/mailbox.ts';
import { codeIn, confirmedUser } from './helpers.ts';
import { stack } from './stack.ts';
import { openApp } from './tenancy.ts';

test('a sign-in code from the email signs in; a wrong code is refused', async ({ page }) => {
	const person = await confirmedUser('Lin Passwordless', 'codes');
	// The link form sends the address typed above from a field the running page fills in:
	// pressed before hydration (a loaded machine), it would post no address at all.
	await openApp(page, '/login');
	await page.getByLabel('Email').fill(person.email);
	const since = new Date().toISOString();
	await page.getByRole('button', { name: 'Email me a sign-in link instead' }).click();

	await expect(page.getByRole('heading', { name: 'Enter your code' })).toBeVisible();
	await expect(page.getByText(`we sent it a sign-in link and a code`)).toBeVisible();
	await expect(page.getByLabel('Email')).toHaveValue(person.email);
	const mail = await waitForMail(stack().mailboxUrl, person.email, {
		subject: /sign-in link/,
		after: since,
		timeoutMs: 15_000
	});
	expect(mail.from).toContain('Growthdesk');

	const code = codeIn(mail.text);
	const wrong = code === '000000' ? '111111' : '000000';
	await page.getByLabel('Code').fill(wrong);
	await page.getByRole('button', { name: 'Continue' }).click();
	await expect(page.getByText('That code is wrong or has expired.')).toBeVisible();

	await page.getByLabel('Code').fill(code);
	await page.getByRole('button', { name: 'Continue' }).click();
	await expect(page).toHaveURL('/');
	await expect(page.getByRole('heading', { level: 1, name: /^Welcome/ })).toBeVisible();
});
