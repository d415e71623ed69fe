// The automation builder end to end: build "when a contact gets tag VIP → wait →
// send email" in the browser, see validation name the step at fault, activate
// it, tag a contact on the contact page, watch the run finish on its timeline
// and find the email in the dev mailbox (sent by the stack's job worker).
import { randomBytes } from 'node:crypto';
import { expect, test, type Request } from '@playwright/test';
import { waitForMail } from '../helpers/mailbox.ts';
import { confirmedUser, uniqueEmail } from './helpers.ts';
import { stack } from './stack.ts';
import { openApp, seedOrg, signInAs, uniqueOrgName, withDb } from './tenancy.ts';

test('tag VIP → wait → send email: built, activated, run and delivered', async ({ page }) => {
	test.setTimeout(90_000);
	const owner = await confirmedUser('Ada Automator', 'auto');
	const { name, slug } = uniqueOrgName('Flow Works');
	const orgId = await seedOrg({ owner, name, slug });
	// Setup only: a contact to tag and the tag (the behaviour under test is what tagging sets off).
	const contactEmail = uniqueEmail('vip');
	await withDb((db) =>
		db.query(`insert into public.tags (org_id, name) values ($1, 'VIP')`, [orgId])
	);
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

	await test.step('trigger: tag added, only for the tag VIP (picked by name)', async () => {
		const trigger = page.getByTestId('trigger-settings');
		await trigger.getByLabel('Start runs').selectOption('event');
		const event = trigger.getByLabel('Event', { exact: true });
		await event.selectOption({ label: 'Tag added' });
		// Labels grouped by module, never the event's key.
		await expect(event.locator('optgroup[label="Contacts"] option').first()).toBeAttached();
		for (const text of await event.locator('option').allTextContents()) {
			expect(text).not.toMatch(/\w\.\w/);
		}
		await trigger.getByLabel('Which tag').selectOption({ label: 'VIP' });
		await expect(trigger).not.toContainText('tag_id');
		await expect(trigger).not.toContainText('tag.added');
		await expect(page.getByTestId('step-list')).toContainText('Tag added: VIP');
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
		// Nothing typed yet: no complaint, no internal id, no template picker saying "Invalid UUID".
		await expect(settings).not.toContainText('Add a subject');
		await expect(settings).not.toContainText('send_email_1');
		await expect(settings).not.toContainText('id:');
		await expect(settings.getByLabel('Content')).toHaveCount(0);
		await expect(settings.getByLabel('Template')).toHaveCount(0);
		await expect(page.getByText('Invalid UUID')).toHaveCount(0);
		const steps = page.getByTestId('step-list');
		await expect(steps.getByRole('button')).toHaveCount(3);
		await expect(page.getByTestId('canvas').locator('.svelte-flow__node')).toHaveCount(3);
	});

	await test.step('validation names the step at fault', async () => {
		await page.getByRole('button', { name: 'Validate' }).click();
		const settings = page.getByTestId('step-settings');
		await expect(settings.getByRole('alert')).toContainText(
			'Step "Send email 1": Add a subject for this email.'
		);
		// After Validate the field says what to do, too.
		await expect(settings.getByText('Add a subject for this email.')).toHaveCount(2);
		const list = page.getByTestId('step-list');
		await expect(list).toContainText('1 problem');
		await expect(list).not.toContainText('(s)');
		await expect(list).not.toContainText('send_email_1');
		await expect(page.getByTestId('canvas')).toContainText('1 problem');
	});

	await test.step('the zoom controls cover no step', async () => {
		const controls = await page.locator('.svelte-flow__controls').boundingBox();
		expect(controls).not.toBeNull();
		for (const node of await page.locator('.svelte-flow__node').all()) {
			const box = (await node.boundingBox())!;
			const apart =
				box.x + box.width <= controls!.x ||
				controls!.x + controls!.width <= box.x ||
				box.y + box.height <= controls!.y ||
				controls!.y + controls!.height <= box.y;
			expect(apart).toBe(true);
		}
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

test("a schedule is set in words, in the organization's time zone", async ({ page }) => {
	test.setTimeout(60_000);
	const owner = await confirmedUser('Sam Schedule', 'sched');
	const { name, slug } = uniqueOrgName('Clock Works');
	await seedOrg({ owner, name, slug });
	await signInAs(page, owner);

	await test.step('the organization chooses its time zone', async () => {
		await openApp(page, `/${slug}/settings`);
		await expect(page.locator('[data-hydrated]')).toBeAttached();
		await page.getByLabel('Time zone').selectOption('Europe/Berlin');
		await page.getByRole('button', { name: 'Save changes' }).click();
		await expect(page.getByText('The organization has been saved.')).toBeVisible();
	});

	await test.step('every weekday at 08:30, Berlin time, without cron', async () => {
		await openApp(page, `/${slug}/automations`);
		await page.getByRole('button', { name: 'New automation' }).click();
		await page.getByLabel('Name').fill('Morning digest');
		await page.getByRole('button', { name: 'Create and edit' }).click();
		await expect(page.locator('[data-hydrated]')).toBeAttached();
		const trigger = page.getByTestId('trigger-settings');
		await trigger.getByLabel('Start runs').selectOption('schedule');
		await expect(trigger).not.toContainText('Cron');
		await expect(trigger).not.toContainText('UTC');
		await expect(trigger).toContainText('Time in Europe/Berlin.');
		for (const day of ['Tue', 'Wed', 'Thu', 'Fri']) await trigger.getByLabel(day).check();
		await trigger.getByLabel('At', { exact: true }).fill('08:30');
		await expect(page.getByTestId('step-list')).toContainText('Every weekday at 08:30');
		await trigger.getByLabel('Repeat').selectOption('custom');
		await expect(trigger.getByLabel('Cron expression')).toHaveValue('30 8 * * 1-5');
	});
});

test("the builder's pickers say fields, dates and checks in words, stored as the engine's values", async ({
	page
}) => {
	test.setTimeout(90_000);
	const owner = await confirmedUser('Wren Words', 'words');
	const { name, slug } = uniqueOrgName('Word Works');
	const orgId = await seedOrg({ owner, name, slug });
	// Setup: the organization's zone and a custom field (the behaviour under test is the builder).
	await withDb(async (db) => {
		await db.query(`update public.organizations set time_zone = 'America/New_York' where id = $1`, [
			orgId
		]);
		await db.query(
			`insert into public.contact_fields (org_id, key, label, type) values ($1, 'plan', 'Plan', 'text')`,
			[orgId]
		);
	});
	await signInAs(page, owner);
	await openApp(page, `/${slug}/automations`);
	await page.getByRole('button', { name: 'New automation' }).click();
	await page.getByLabel('Name').fill('Plan follow-up');
	await page.getByRole('button', { name: 'Create and edit' }).click();
	await expect(page.locator('[data-hydrated]')).toBeAttached();
	await expect(page).toHaveURL(new RegExp(`/${slug}/automations/[0-9a-f-]{36}$`));
	const automationId = page.url().split('/').at(-1)!;
	const trigger = page.getByTestId('trigger-settings');
	const settings = page.getByTestId('step-settings');
	const list = page.getByTestId('step-list');

	await test.step('Contact updated: the changed field is picked from the contact’s fields', async () => {
		await trigger.getByLabel('Start runs').selectOption('event');
		await trigger.getByLabel('Event', { exact: true }).selectOption({ label: 'Contact updated' });
		const field = trigger.getByLabel('Which field changed');
		await expect(field.locator('option')).toContainText(['Any field', 'Email', 'Company', 'Plan']);
		await field.selectOption({ label: 'Plan' });
		await expect(list).toContainText('Contact updated: Plan');
		await expect(trigger).not.toContainText('custom.plan');
		await expect(trigger.getByRole('textbox')).toHaveCount(0);
	});

	await test.step('Wait until: a date and time in the organization’s zone, shown back in it', async () => {
		await page.getByLabel('Add a step').selectOption('wait');
		await page.getByRole('button', { name: 'Add step' }).click();
		await settings.getByLabel('Wait', { exact: true }).selectOption('until');
		await expect(settings).toContainText('Date and time in America/New_York.');
		await settings.getByLabel('Until', { exact: true }).fill('2031-01-31T09:00');
		await expect(list).toContainText('until Fri, Jan 31, 2031, 9:00 AM');
		await expect(page.locator('body')).not.toContainText('2031-01-31T');
	});

	await test.step("a data check on the contact's tags, picked and summarised in words", async () => {
		await page.getByLabel('Add a step').selectOption('condition');
		await page.getByRole('button', { name: 'Add step' }).click();
		const what = settings.getByLabel('Check 1: what to check');
		await expect(what.locator('optgroup[label="Event"] option').first()).toHaveText('Event type');
		await expect(what.locator('optgroup[label="Contact"]')).toContainText("Contact's tags");
		for (const text of await what.locator('option').allTextContents()) {
			expect(text).not.toMatch(/\w[._]\w/);
		}
		await what.selectOption({ label: "Contact's tags" });
		const how = settings.getByLabel('Check 1: how');
		await expect(how.locator('option')).toHaveText(['includes', 'is filled in']);
		await how.selectOption({ label: 'includes' });
		await settings.getByLabel('Check 1: value').fill('VIP');
		await expect(list).toContainText('Contact\'s tags includes "VIP"');
		await expect(settings).not.toContainText('contact.tags');
	});

	await test.step('saved as the engine reads it, and shown the same after a reload', async () => {
		await page.getByRole('button', { name: 'Save', exact: true }).click();
		await expect(page.getByTestId('version')).toContainText('Draft saved.');
		const draft = await withDb(async (db) => {
			const { rows } = await db.query<{ draft: { trigger: unknown; steps: unknown[] } }>(
				`select draft from public.automations where id = $1`,
				[automationId]
			);
			return rows[0]!.draft;
		});
		expect(draft.trigger).toMatchObject({
			event: 'contact.updated',
			match: { changed: 'custom.plan' }
		});
		expect(draft.steps).toContainEqual(
			expect.objectContaining({ wait: { kind: 'until', at: '2031-01-31T14:00:00.000Z' } })
		);
		expect(draft.steps).toContainEqual(
			expect.objectContaining({
				condition: {
					kind: 'data',
					match: 'all',
					checks: [{ path: 'contact.tags', op: 'contains', value: 'VIP' }]
				}
			})
		);
		await page.reload();
		await expect(page.locator('[data-hydrated]')).toBeAttached();
		await list.getByRole('button', { name: /Wait 1/ }).click();
		await expect(settings.getByLabel('Until', { exact: true })).toHaveValue('2031-01-31T09:00');
	});
});

test('an API key is saved as a secret, picked in an HTTP step header and never shown again', async ({
	page,
	browser
}) => {
	test.setTimeout(120_000);
	const owner = await confirmedUser('Kai Keys', 'keys');
	const viewer = await confirmedUser('Val Viewer', 'keysviewer');
	const { name, slug } = uniqueOrgName('Key Works');
	const orgId = await seedOrg({ owner, name, slug, members: [{ person: viewer, role: 'viewer' }] });
	const value = `sk_live_${randomBytes(8).toString('hex')}`;
	const replaced = `sk_live_${randomBytes(8).toString('hex')}`;
	await signInAs(page, owner);

	await test.step('saved on Settings → Automation secrets; the value is not shown back', async () => {
		await openApp(page, `/${slug}/settings/secrets`);
		await expect(page.locator('[data-hydrated]')).toBeAttached();
		await expect(page.getByText('No secrets yet')).toBeVisible();
		await page.getByLabel('Name', { exact: true }).fill('crm_key');
		await page.getByLabel('Value', { exact: true }).fill(value);
		await page.getByRole('button', { name: 'Save secret' }).click();
		await expect(page.getByText('The secret “crm_key” is saved.')).toBeVisible();
		const table = page.getByTestId('secrets');
		await expect(table.getByRole('row', { name: /crm_key/ })).toContainText('No automation');
		await expect(page.getByLabel('Value', { exact: true })).toHaveValue('');
		expect(await page.content()).not.toContain(value);
		await page.reload();
		expect(await page.content()).not.toContain(value);
	});

	await test.step('replaced in a dialog, still never shown', async () => {
		await page.getByRole('button', { name: 'Replace the value of crm_key' }).click();
		await page.getByRole('alertdialog').getByLabel('New value').fill(replaced);
		await page.getByRole('button', { name: 'Save new value' }).click();
		await expect(page.getByText('The new value is saved.')).toBeVisible();
		expect(await page.content()).not.toContain(replaced);
	});

	await test.step('an HTTP step picks it for its Authorization header', async () => {
		await openApp(page, `/${slug}/automations`);
		await page.getByRole('button', { name: 'New automation' }).click();
		await page.getByLabel('Name').fill('Tell the CRM');
		await page.getByRole('button', { name: 'Create and edit' }).click();
		await expect(page.locator('[data-hydrated]')).toBeAttached();
		await page.getByLabel('Add a step').selectOption('http_request');
		await page.getByRole('button', { name: 'Add step' }).click();
		const settings = page.getByTestId('step-settings');
		await settings.getByLabel('URL').fill('https://crm.example.test/hook');
		await settings.getByRole('button', { name: 'Add header' }).click();
		await expect(settings.getByLabel('Header 1 name')).toHaveValue('Authorization');
		await settings.getByLabel('Header 1: use a saved secret').selectOption('crm_key');
		await expect(settings.getByLabel('Header 1 value')).toHaveValue('Bearer {{secret:crm_key}}');
		await expect(settings).toContainText('Sends the saved secret “crm_key”');
		await page.getByRole('button', { name: 'Validate' }).click();
		await expect(page.getByText('The automation is valid and ready to activate.')).toBeVisible();
		const draft = await withDb(async (db) => {
			const { rows } = await db.query<{ draft: string }>(
				`select draft::text from public.automations where org_id = $1`,
				[orgId]
			);
			return rows[0]!.draft;
		});
		expect(draft).toContain('Bearer {{secret:crm_key}}');
		expect(draft).not.toContain(replaced);
	});

	await test.step('the secrets page says which automation uses it', async () => {
		await openApp(page, `/${slug}/settings/secrets`);
		await expect(page.getByTestId('secrets').getByRole('row', { name: /crm_key/ })).toContainText(
			'Tell the CRM'
		);
	});

	await test.step('a viewer has no secrets page and no link to it', async () => {
		const context = await browser.newContext();
		const other = await context.newPage();
		await signInAs(other, viewer);
		await openApp(other, `/${slug}/settings`);
		await expect(other.getByRole('link', { name: 'Custom fields' })).toBeVisible();
		await expect(other.getByRole('link', { name: 'Automation secrets' })).toHaveCount(0);
		const response = await other.goto(`/${slug}/settings/secrets`);
		expect(response?.status()).toBe(403);
		await expect(
			other.getByText('Only people who edit automations can manage their secrets.')
		).toBeVisible();
		expect(await other.content()).not.toContain('crm_key');
		await context.close();
	});
});

test('a Validate pressed while the autosave is on its way waits for it, and the newer draft is the one kept', async ({
	page
}) => {
	test.setTimeout(90_000);
	const owner = await confirmedUser('Aria Autosave', 'autosave');
	const { name, slug } = uniqueOrgName('Save Works');
	const orgId = await seedOrg({ owner, name, slug });
	const automationId = await withDb(async (db) => {
		const { rows } = await db.query<{ id: string }>(
			`insert into public.automations (org_id, name) values ($1, 'Slow line') returning id`,
			[orgId]
		);
		return rows[0]!.id;
	});
	await signInAs(page, owner);
	await openApp(page, `/${slug}/automations/${automationId}`);

	// As on a slow connection: the autosave's post reaches the server only when let go.
	const isPost = (request: Request, action: string) =>
		request.method() === 'POST' && new URL(request.url()).search === `?/${action}`;
	let letGo!: () => void;
	const released = new Promise<void>((resolve) => (letGo = resolve));
	let autosaving!: () => void;
	const autosaveHeld = new Promise<void>((resolve) => (autosaving = resolve));
	await page.route(
		(url) => url.search === '?/save',
		async (route) => {
			autosaving();
			await released;
			await route.continue();
		}
	);

	await page.getByTestId('trigger-settings').getByLabel('Start runs').selectOption('event');
	await page
		.getByTestId('trigger-settings')
		.getByLabel('Event', { exact: true })
		.selectOption('contact.created');
	// The autosave goes a couple of seconds after the last change.
	await autosaveHeld;
	await page.getByLabel('Add a step').selectOption('wait');
	await page.getByRole('button', { name: 'Add step' }).click();
	await expect(page.getByTestId('step-list').getByRole('button', { name: /Wait 1/ })).toBeVisible();

	const validated = page.waitForResponse((r) => isPost(r.request(), 'validate'));
	await page.getByRole('button', { name: 'Validate' }).click();
	// Validate must not overtake the save still on its way. (Had it been sent, let it
	// finish first, so that the older save lands last, as it can on a slow connection.)
	const overtook = await page
		.waitForRequest((r) => isPost(r, 'validate'), { timeout: 3_000 })
		.then(
			() => true,
			() => false
		);
	if (overtook) await validated;
	letGo();
	await validated;
	await expect(page.getByTestId('version')).toContainText('Draft saved.');

	const draft = await withDb(async (db) => {
		const { rows } = await db.query<{ draft: { steps: { type: string }[] } }>(
			`select draft from public.automations where id = $1`,
			[automationId]
		);
		return rows[0]!.draft;
	});
	expect(draft.steps.map((s) => s.type)).toContain('wait');
	expect(overtook).toBe(false);
	await page.reload();
	await expect(page.locator('[data-hydrated]')).toBeAttached();
	await expect(page.getByTestId('step-list').getByRole('button', { name: /Wait 1/ })).toBeVisible();
});
