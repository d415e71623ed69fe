// The other shapes an email link can take, besides `?code=` (covered by the lifecycle spec):
// Supabase's SSR template link `/auth/confirm?token_hash=…&type=…`, and implicit-flow tokens
// in the URL fragment. The links are minted with the Auth admin API, as a test fixture.
import { createClient } from '@supabase/supabase-js';
import { expect, test } from '@playwright/test';
import { authAdmin as admin, confirmedUser } from './helpers.ts';
import { stack } from './stack.ts';

test('a token-hash recovery link (/auth/confirm) opens the new-password page', async ({ page }) => {
	const { email } = await confirmedUser('Dorothy Vaughan', 'link');
	const { data, error } = await admin().generateLink({ type: 'recovery', email });
	if (error) throw error;

	await page.goto(`/auth/confirm?token_hash=${data.properties.hashed_token}&type=recovery`);
	await expect(page).toHaveURL('/reset-password');
	await expect(page.getByText(`For ${email}.`)).toBeVisible();

	// Used once: the same link again is refused with an explanation.
	await page.context().clearCookies();
	await page.goto(`/auth/confirm?token_hash=${data.properties.hashed_token}&type=recovery`);
	await expect(page).toHaveURL(/\/auth\/error\?error_code=/);
	await expect(page.getByRole('link', { name: 'Go to sign in' })).toBeVisible();
});

test('a malformed /auth/confirm link is explained, not a crash', async ({ page }) => {
	await page.goto('/auth/confirm?token_hash=abc&type=nonsense');
	await expect(page).toHaveURL('/auth/error?error_code=invalid_link');
	await expect(
		page.getByRole('heading', { name: 'We could not sign you in with this link' })
	).toBeVisible();
});

test('implicit-flow tokens in the fragment become a session, then /login sends to the app', async ({
	page
}) => {
	const { email, password } = await confirmedUser('Annie Easley', 'link');
	const client = createClient(stack().apiUrl, stack().PUBLIC_SUPABASE_ANON_KEY, {
		auth: { persistSession: false, autoRefreshToken: false }
	});
	const { data, error } = await client.auth.signInWithPassword({ email, password });
	if (error) throw error;
	const { access_token, refresh_token, expires_in } = data.session;

	await page.goto(
		`/auth/callback?next=%2Faccount#access_token=${access_token}&refresh_token=${refresh_token}&expires_in=${expires_in}&token_type=bearer&type=magiclink`
	);
	await expect(page).toHaveURL('/account');
	await expect(page.getByLabel('Full name')).toHaveValue('Annie Easley');

	await page.goto('/login');
	await expect(page).toHaveURL('/');
	await page.goto('/signup?redirectTo=%2Faccount');
	await expect(page).toHaveURL('/account');
});

test('forged fragment tokens are refused', async ({ page }) => {
	await page.goto('/auth/callback#access_token=not.a.jwt&refresh_token=nope&token_type=bearer');
	await expect(page).toHaveURL(/\/auth\/error\?error_code=/);
	await page.goto('/account');
	await expect(page).toHaveURL('/login?redirectTo=%2Faccount');
});
