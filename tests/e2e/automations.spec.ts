// The automation builder end to end: build "when a contact gets tag VIP → wait →
// send email" in the browser, see validation name the step at fault, activate
// it, tag a contact on the contact page, watch the run finish on its timeline
// and find the email in the dev mailbox (sent by the stack's job worker).
import { randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { waitForMail } from '../helpers/mailbox.ts';
import { confirmedUser, uniqueEmail } from './helpers.ts';
import { stack } from './stack.ts';
import { openApp, seedOrg, signInAs, uniqueOrgName, withDb } from './tenancy.ts';

test('tag VIP → wait → send email: built, activated, run and delivered', async ({ page }) => {
	test.setTimeout(90_000);
	const owner = await confirmedUser('Ada Automator', 'auto');
	const { name, slug } = uniqueOrgName('Flow Works');
	const orgId = await seedOrg({ owner, name, slug });
	// Setup only: a contact to tag (the behaviour under test is what tagging sets off).
	const contactEmail = uniqueEmail('vip');
	const contactId = await withDb(async (db) => {
		const { rows } = await db.query<{ id: string }>(
			`insert into public.contacts (org_id, email, first_name, last_name)
			 values ($1, $2, 'Vera', 'Important') returning id`,
			[orgId, contactEmail]
		);
		return rows[0]!.id;
	});
	const subject = `Welcome to the VIP club ${randomBytes(3).toString('hex')}`;
	await signInAs(page, owner);

	await test.step('create an automation from the list', async () => {
		await openApp(page, `/${slug}/automations`);
		await expect(page.getByRole('heading', { name: 'No automations yet' })).toBeVisible();
		await page.getByRole('button', { name: 'New automation' }).click();
		await page.getByLabel('Name').fill('VIP welcome');
		await page.getByRole('button', { name: 'Create and edit' }).click();
		await expect(page).toHaveURL(new RegExp(`/${slug}/automations/[0-9a-f-]{36}$`));
		await expect(page.getByRole('heading', { level: 1, name: /VIP welcome/ })).toBeVisible();
		await expect(page.locator('[data-hydrated]')).toBeAttached();
	});

	await test.step('trigger: tag added, only for the tag VIP', async () => {
		const trigger = page.getByTestId('trigger-settings');
		await trigger.getByLabel('Start runs').selectOption('event');
		await trigger.getByLabel('Event', { exact: true }).selectOption('tag.added');
		await trigger.getByLabel('Match field').selectOption('tag');
		await trigger.getByLabel('Match value').fill('VIP');
		await trigger.getByRole('button', { name: 'Add', exact: true }).click();
		await expect(trigger.getByLabel('Value of tag')).toHaveValue('VIP');
	});

	await test.step('steps: wait 1 second, then send an email (added with the keyboard palette)', async () => {
		await page.getByLabel('Add a step').selectOption('wait');
		await page.getByRole('button', { name: 'Add step' }).click();
		const settings = page.getByTestId('step-settings');
		await settings.getByLabel('Amount').fill('1');
		await settings.getByLabel('Unit').selectOption('seconds');

		await page.getByLabel('Add a step').selectOption('send_email');
		await page.getByRole('button', { name: 'Add step' }).click();
		await expect(settings.getByLabel('Subject')).toBeVisible();
		const steps = page.getByTestId('step-list');
		await expect(steps.getByRole('button')).toHaveCount(3);
		await expect(page.getByTestId('canvas').locator('.svelte-flow__node')).toHaveCount(3);
	});

	await test.step('validation names the step at fault', async () => {
		await page.getByRole('button', { name: 'Validate' }).click();
		await expect(page.getByTestId('step-settings').getByRole('alert')).toContainText(
			'Step "Send email 1"'
		);
		await expect(page.getByTestId('step-list')).toContainText('problem');
	});

	await test.step('fill the email and activate', async () => {
		const settings = page.getByTestId('step-settings');
		await settings.getByLabel('Subject').fill(subject);
		await settings.getByLabel('Body').fill('Hi {{contact.first_name}}, you are a VIP now.');
		await page.getByRole('button', { name: 'Activate' }).click();
		await expect(page.getByText('Version 1 is active.')).toBeVisible();
		await expect(page.getByTestId('version')).toContainText('Version 1 published');
	});

	const since = new Date().toISOString();
	await test.step('tag the contact VIP on its page', async () => {
		await openApp(page, `/${slug}/contacts/${contactId}`);
		await page.getByLabel('Add a tag').fill('VIP');
		await page.getByRole('button', { name: 'Add', exact: true }).click();
		await expect(page.getByRole('list', { name: /Tags of/ })).toContainText('VIP');
	});

	await test.step('the run finishes: its timeline shows the wait and the email', async () => {
		await openApp(page, `/${slug}/automations/runs`);
		await expect(async () => {
			await page.reload();
			await expect(page.getByTestId('runs').getByRole('row')).toHaveCount(2, { timeout: 1000 });
		}).toPass({ timeout: 20_000 });
		await page.getByTestId('runs').getByRole('link').first().click();
		await expect(page.getByTestId('run-status')).toHaveText('Completed', { timeout: 20_000 });
		const timeline = page.getByTestId('timeline');
		await expect(timeline).toContainText('Wait 1');
		await expect(timeline).toContainText('Send email 1');
		await expect(timeline.getByText('Succeeded')).toHaveCount(2);
	});

	await test.step('the email is in the mailbox, merged', async () => {
		const mail = await waitForMail(stack().mailboxUrl, contactEmail, {
			subject,
			after: since,
			timeoutMs: 15_000
		});
		expect(mail.text).toContain('Hi Vera, you are a VIP now.');
	});
});

test('a condition step checks the contact with the segment builder, not JSON', async ({ page }) => {
	test.setTimeout(60_000);
	const owner = await confirmedUser('Cora Condition', 'cond');
	const { name, slug } = uniqueOrgName('Branch Works');
	const orgId = await seedOrg({ owner, name, slug });
	await withDb((db) =>
		db.query(`insert into public.tags (org_id, name) values ($1, 'Gold')`, [orgId])
	);
	await signInAs(page, owner);
	await openApp(page, `/${slug}/automations`);
	await page.getByRole('button', { name: 'New automation' }).click();
	await page.getByLabel('Name').fill('Gold branch');
	await page.getByRole('button', { name: 'Create and edit' }).click();
	await expect(page.locator('[data-hydrated]')).toBeAttached();
	await page.getByTestId('trigger-settings').getByLabel('Start runs').selectOption('event');
	await page
		.getByTestId('trigger-settings')
		.getByLabel('Event', { exact: true })
		.selectOption('contact.created');

	const settings = page.getByTestId('step-settings');
	const condition = settings.getByRole('group', { name: 'Condition 1' });
	await test.step('the builder starts with one condition to fill in', async () => {
		await page.getByLabel('Add a step').selectOption('condition');
		await page.getByRole('button', { name: 'Add step' }).click();
		await settings.getByLabel('Check', { exact: true }).selectOption('contact');
		await expect(settings.getByRole('textbox', { name: /JSON/ })).toHaveCount(0);
		await expect(condition).toContainText('Enter a value.');
	});

	await test.step('a tag condition, valid, saved and shown again after a reload', async () => {
		await condition.getByLabel('Kind of condition').selectOption('tag');
		await condition.getByLabel('Tag', { exact: true }).selectOption({ label: 'Gold' });
		await expect(condition).not.toContainText('Enter a value.');
		await page.getByRole('button', { name: 'Validate' }).click();
		await expect(page.getByText('The automation is valid and ready to activate.')).toBeVisible();
		await page.getByRole('button', { name: 'Save', exact: true }).click();
		// The status line under the heading (the server's alert says it too).
		await expect(page.getByTestId('version')).toContainText('Draft saved.');
		await page.reload();
		await expect(page.locator('[data-hydrated]')).toBeAttached();
		await page
			.getByTestId('step-list')
			.getByRole('button', { name: /Condition 1/ })
			.click();
		await expect(condition.getByLabel('Tag', { exact: true }).locator('option:checked')).toHaveText(
			'Gold'
		);
	});
});
