// A data run from the platform's data-provider stand-in updates a profile's
// followers on screen: the demo marketplace shows creator1 on Instagram; a
// "success" run played through the signed data-runs webhook refreshes it; the
// marketplace shows the new number and the runs page shows the run and what
// it changed. Three filters narrow the search on the way.
import { expect, test } from '@playwright/test';
import { confirmedUser } from './helpers.ts';
import { stack } from './stack.ts';
import { openApp, seedOrg, signInAs, uniqueOrgName } from './tenancy.ts';

test('a data run from the stand-in provider updates a profile on screen', async ({ page }) => {
	const owner = await confirmedUser('Mara Scout', 'scout');
	const org = uniqueOrgName('Scouts');
	await seedOrg({ owner, ...org });
	await signInAs(page, owner);

	const search = `/${org.slug}/influencers/marketplace?platform=instagram&country=FR&category=beauty`;
	const row = page.locator('tr[data-handle="creator1"][data-platform="instagram"]');
	let before = '';
	await test.step('the marketplace, narrowed by three filters', async () => {
		await openApp(page, search);
		await expect(page.getByRole('heading', { name: 'Find influencers' })).toBeVisible();
		await expect(row).toBeVisible();
		before = (await row.getByTestId('followers').textContent())!.trim();
	});

	let runId = '';
	let expected = 0;
	await test.step('the provider plays a successful run to the webhook', async () => {
		const res = await fetch(`${stack().dataProviderUrl}/api/runs`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ fixture: 'success' })
		});
		expect(res.status).toBe(200);
		const played = (await res.json()) as {
			runId: string;
			deliveries: Array<{ answer: number }>;
			items: Array<{ external_id: string; followers: number }>;
		};
		expect(played.deliveries.map((d) => d.answer)).toEqual([200, 200]);
		runId = played.runId;
		expected = played.items.find((i) => i.external_id === 'demo-instagram-1')!.followers;
	});

	await test.step('the profile shows its new followers', async () => {
		await openApp(page, search);
		const shown = new Intl.NumberFormat('en').format(expected);
		await expect(row.getByTestId('followers')).toHaveText(shown);
		expect(shown).not.toBe(before);
	});

	await test.step('the runs page shows the run and what it changed', async () => {
		await openApp(page, `/${org.slug}/influencers/runs`);
		const run = page.locator(`tr[data-run="${runId}"]`);
		await expect(run).toContainText('Finished');
		await run.getByRole('link').first().click();
		const detail = page.getByTestId('run-detail');
		await expect(detail).toContainText('24 updated');
		await expect(detail).toContainText('@creator1');
	});
});
