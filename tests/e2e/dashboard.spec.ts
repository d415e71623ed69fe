// The organization's home in use: a new organization sees the getting-started
// checklist; one with contacts, segments, runs and an import sees its
// dashboard charts drawn from that data, with failures and imports linked.
import { expect, test } from '@playwright/test';
import { confirmedUser } from './helpers.ts';
import { openApp, seedOrg, signInAs, uniqueOrgName, withDb } from './tenancy.ts';

/** 120 contacts over 60 days, a segment of them all (the worker counts it), 30 runs (every 6th failed) and a finished import. */
async function seedActivity(orgId: string): Promise<void> {
	await withDb(async (db) => {
		await db.query(
			`insert into public.contacts (org_id, email, status, created_at)
			 select $1, 'd' || g || '@seed.test',
			        (case when g % 10 = 0 then 'unsubscribed' when g % 30 = 1 then 'bounced' else 'subscribed' end)::public.contact_status,
			        now() - (g / 2 || ' days')::interval
			   from generate_series(1, 120) g`,
			[orgId]
		);
		await db.query(
			`insert into public.segments (org_id, name, rules) values ($1, 'Regulars', '{"kind":"group","match":"all","rules":[]}')`,
			[orgId]
		);
		await db.query(
			`update public.segments set cached_count = 42, refreshed_at = now() where org_id = $1`,
			[orgId]
		);
		await db.query(
			`with a as (insert into public.automations (org_id, name) values ($1, 'Welcome series') returning id),
			      v as (insert into public.automation_versions (org_id, automation_id, version, definition)
			            select $1, a.id, 1, '{}' from a returning id, automation_id)
			 insert into public.automation_runs (org_id, automation_id, version_id, dedupe_key, status, error, started_at)
			 select $1, v.automation_id, v.id, 'r' || g,
			        (case when g % 6 = 0 then 'failed' else 'completed' end)::public.automation_run_status,
			        case when g % 6 = 0 then 'The mail server refused the message' end,
			        now() - (g / 2 || ' days')::interval
			   from v, generate_series(1, 30) g`,
			[orgId]
		);
		await db.query(
			`insert into public.contact_imports (org_id, file_name, status, inserted_rows, updated_rows)
			 values ($1, 'trade-show.csv', 'completed', 120, 0)`,
			[orgId]
		);
	});
}

test('a new organization gets the checklist; a busy one sees its charts', async ({ page }) => {
	test.setTimeout(90_000);
	const owner = await confirmedUser('Dana Dashboard', 'dash');
	const fresh = uniqueOrgName('Fresh start');
	await seedOrg({ owner, ...fresh });
	const busy = uniqueOrgName('Busy bees');
	await seedActivity(await seedOrg({ owner, ...busy }));
	await signInAs(page, owner);

	await test.step('an empty organization: the getting-started checklist', async () => {
		await openApp(page, `/${fresh.slug}`);
		const checklist = page.getByTestId('getting-started');
		await expect(checklist).toBeVisible();
		await expect(checklist.getByRole('link', { name: 'Add your contacts' })).toBeVisible();
		await expect(checklist.getByRole('link', { name: 'Build an automation' })).toBeVisible();
		await expect(page.getByTestId('contacts-total')).toHaveText('0');
	});

	await test.step('a busy organization: charts from its data, failures and imports linked', async () => {
		await openApp(page, `/${busy.slug}`);
		await expect(page.getByRole('heading', { name: busy.name })).toBeVisible();
		await expect(page.getByTestId('contacts-total')).toHaveText('120');
		await expect(page.getByTestId('contacts-chart').locator('svg path')).toHaveCount(2);
		await expect(page.getByTestId('status-chart')).toContainText('Subscribed');
		await expect(page.getByTestId('status-chart')).toContainText('Unsubscribed');
		await expect(page.getByTestId('runs-chart').locator('svg rect').first()).toBeVisible();
		await expect(page.getByTestId('runs-totals')).toContainText('Last 30 days');
		// Shown once the worker has counted it.
		await expect(async () => {
			await page.reload();
			await expect(page.getByTestId('segments-chart')).toContainText(/Regulars\s*120/, {
				timeout: 1000
			});
		}).toPass({ timeout: 30_000 });
		// Teammates are missing: the checklist stays, with three steps done.
		await expect(page.getByTestId('getting-started')).toBeVisible();
		await expect(page.getByText('3 of 4 done')).toBeVisible();
		await page.getByTestId('run-failures').getByRole('link').first().click();
		await expect(page).toHaveURL(new RegExp(`/${busy.slug}/automations/runs/[0-9a-f-]{36}$`));
		await expect(page.getByText('The mail server refused the message').first()).toBeVisible();
		await openApp(page, `/${busy.slug}`);
		await page.getByTestId('recent-imports').getByRole('link', { name: 'trade-show.csv' }).click();
		await expect(page).toHaveURL(new RegExp(`/${busy.slug}/imports/[0-9a-f-]{36}$`));
	});
});
