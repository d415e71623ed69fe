// Steps the specs share: unique people, the mailbox, signing in and out through the UI.
import { randomBytes } from 'node:crypto';
import { createClient } from '@supabase/supabase-js';
import { expect, type Page } from '@playwright/test';
import { linksIn, waitForMail } from '../helpers/mailbox.ts';
import { stack } from './stack.ts';

/** A fresh address per test, so runs and parallel workers never share an account. */
export function uniqueEmail(label: string): string {
	return `${label}-${randomBytes(5).toString('hex')}@example.test`;
}

/** The Auth admin API (service role): test fixtures only, never what a spec asserts on. */
export function authAdmin() {
	return createClient(stack().apiUrl, stack().SUPABASE_SERVICE_ROLE_KEY, {
		auth: { persistSession: false, autoRefreshToken: false }
	}).auth.admin;
}

export type Person = { id: string; fullName: string; email: string; password: string };

/** A confirmed account made with the admin API, for specs whose subject is not sign-up. */
export async function confirmedUser(fullName: string, label = 'user'): Promise<Person> {
	const email = uniqueEmail(label);
	const password = `${label}-pass-${randomBytes(4).toString('hex')}`;
	const { data, error } = await authAdmin().createUser({
		email,
		password,
		email_confirm: true,
		user_metadata: { full_name: fullName }
	});
	if (error) throw error;
	return { id: data.user.id, fullName, email, password };
}

/** The Auth API link (…/auth/v1/verify?…) in the newest matching email to `to`. */
export async function emailLink(to: string, subject: RegExp, after: string): Promise<string> {
	const mail = await waitForMail(stack().mailboxUrl, to, { subject, after, timeoutMs: 15_000 });
	const link = linksIn(mail).find((href) => href.includes('/verify'));
	if (!link) throw new Error(`no verify link in "${mail.subject}": ${linksIn(mail).join(', ')}`);
	return link;
}

/** The one-time code the Auth emails print after their link ("… code: 123456"). */
export function codeIn(text: string): string {
	const code = /code: (\d{6,10})/.exec(text)?.[1];
	if (!code) throw new Error(`no code in: ${text}`);
	return code;
}

export async function fillSignup(
	page: Page,
	person: { fullName: string; email: string; password: string; confirm?: string }
): Promise<void> {
	await page.getByLabel('Full name').fill(person.fullName);
	await page.getByLabel('Email').fill(person.email);
	await page.getByLabel('Password', { exact: true }).fill(person.password);
	await page.getByLabel('Confirm password').fill(person.confirm ?? person.password);
}

/** Signs up through the form and follows the confirmation email: signed in on the home page. */
export async function signUpConfirmed(
	page: Page,
	person: { fullName: string; email: string; password: string }
): Promise<void> {
	await page.goto('/signup');
	await fillSignup(page, person);
	const since = new Date().toISOString();
	await page.getByRole('button', { name: 'Create account' }).click();
	await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
	await page.goto(await emailLink(person.email, /confirm/i, since));
	await expect(page).toHaveURL('/');
	await expect(page.getByRole('heading', { level: 1, name: /^Welcome/ })).toBeVisible();
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password', { exact: true }).fill(password);
	await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Signs out from the shell's user menu, with the keyboard. */
export async function signOutFromUserMenu(page: Page): Promise<void> {
	// The menu opens only once the page runs: an Enter pressed on the server-rendered
	// button before hydration (a page just loaded on a slow machine) opens nothing.
	await expect(page.locator('[data-hydrated]')).toBeAttached();
	const trigger = page.getByRole('button', { name: /open the user menu/i });
	await trigger.focus();
	await page.keyboard.press('Enter');
	const signOut = page.getByRole('menuitem', { name: 'Sign out' });
	await expect(signOut).toBeVisible();
	// bits-ui moves focus into the menu a frame after it is shown; an End pressed before
	// that lands on the trigger and does nothing (a clean-clone CI caught it), so press
	// End again until the last item has focus.
	await expect(async () => {
		await page.keyboard.press('End');
		await expect(signOut).toBeFocused({ timeout: 1_000 });
	}).toPass({ timeout: 20_000 });
	await page.keyboard.press('Enter');
	await expect(page).toHaveURL('/login?notice=signed-out');
	await expect(page.getByText('You have signed out.')).toBeVisible();
}
