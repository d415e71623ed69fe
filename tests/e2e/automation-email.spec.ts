// An automation email as a contact receives it: sent as the organization (its
// name in From, replies to the reply-to address its owner set on the branding
// page), with an unsubscribe link that works without signing in. Opening the
// link only asks; confirming unsubscribes, and the contact page then shows
// email consent withdrawn, and in its timeline the email sent and the
// unsubscribe. A mail client's one-click POST (no cookies, no Origin of ours)
// unsubscribes directly; a changed token is a 400.
import { randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { linksIn, waitForMail } from '../helpers/mailbox.ts';
import { confirmedUser, uniqueEmail } from './helpers.ts';
import { stack } from './stack.ts';
import { openApp, seedOrg, signInAs, uniqueOrgName, withDb } from './tenancy.ts';

test('an automation email arrives from the organization with its unsubscribe link', async ({
	page,
	browser,
	playwright
}) => {
	test.setTimeout(120_000);
	const owner = await confirmedUser('Una Sender', 'unsub');
	const { name, slug } = uniqueOrgName('Harbor Goods');
	const orgId = await seedOrg({ owner, name, slug });
	const replyTo = uniqueEmail('replies');
	const subject = `News from us ${randomBytes(3).toString('hex')}`;

	await test.step('the owner sets where replies go, on the branding page', async () => {
		await signInAs(page, owner);
		await openApp(page, `/${slug}/settings/branding`);
		await page.getByLabel('Reply-to address').fill('not an address');
		await page.getByRole('button', { name: 'Save branding' }).click();
		await expect(page.getByText('Enter a valid email address.')).toBeVisible();
		await page.getByLabel('Reply-to address').fill(replyTo);
		await page.getByRole('button', { name: 'Save branding' }).click();
		await expect(page.getByText('The branding has been saved.')).toBeVisible();
	});

	// Setup only (the builder has its own spec): a live automation, new contact → email.
	await withDb(async (db) => {
		const { rows } = await db.query<{ id: string }>(
			`insert into public.automations (org_id, name) values ($1, 'Welcome') returning id`,
			[orgId]
		);
		await db.query('begin');
		await db.query(`select set_config('request.jwt.claims', $1, true)`, [
			JSON.stringify({ sub: owner.id, role: 'authenticated' })
		]);
		await db.query('select public.publish_automation($1, $2::jsonb)', [
			rows[0]!.id,
			JSON.stringify({
				trigger: { type: 'event', event: 'contact.created' },
				reentry: { mode: 'once' },
				start: 'mail',
				steps: [
					{
						id: 'mail',
						name: 'Welcome',
						type: 'send_email',
						email: { kind: 'inline', subject, text: 'Hello {{contact.first_name}}, welcome!' },
						next: null
					}
				]
			})
		]);
		await db.query('commit');
	});

	const newContact = (label: string) =>
		withDb(async (db) => {
			const email = uniqueEmail(label);
			const { rows } = await db.query<{ id: string }>(
				`insert into public.contacts (org_id, email, first_name) values ($1, $2, 'Rosa') returning id`,
				[orgId, email]
			);
			return { id: rows[0]!.id, email };
		});
	const emailConsent = (contactId: string) =>
		withDb(async (db) => {
			const { rows } = await db.query<{ status: string }>(
				`select status::text from public.consent_records
				  where contact_id = $1 and channel = 'email' order by id desc limit 1`,
				[contactId]
			);
			return rows[0]?.status ?? null;
		});

	const contact = await newContact('rosa');
	const mail = await waitForMail(stack().mailboxUrl, contact.email, { subject, timeoutMs: 45_000 });
	const link = linksIn(mail).find((l) => l.includes('/u/'));

	await test.step('it comes from the organization, with an unsubscribe link', () => {
		expect(mail.from).toMatch(new RegExp(`^"?${name}"? <[^>]+>$`));
		expect(mail.text).toContain('Hello Rosa, welcome!');
		expect(link).toMatch(/\/u\/[A-Za-z0-9._-]+$/);
	});

	await test.step('the link asks first (a GET alone unsubscribes nobody); a changed one is a 400', async () => {
		const anonymous = await playwright.request.newContext();
		const get = await anonymous.get(link!);
		expect(get.status()).toBe(200);
		expect(await get.text()).toContain(`Unsubscribe from ${name} emails?`);
		expect(await emailConsent(contact.id)).toBeNull();
		const tampered = link!.slice(0, -2) + (link!.endsWith('AA') ? 'BB' : 'AA');
		expect((await anonymous.get(tampered)).status()).toBe(400);
		await anonymous.dispose();
	});

	await test.step('confirming, signed out, unsubscribes', async () => {
		const visitor = await browser.newContext();
		const tab = await visitor.newPage();
		await tab.goto(link!);
		await expect(
			tab.getByRole('heading', { name: `Unsubscribe from ${name} emails?` })
		).toBeVisible();
		await tab.getByRole('button', { name: 'Unsubscribe' }).click();
		await expect(
			tab.getByRole('heading', { name: `You're unsubscribed from ${name} emails` })
		).toBeVisible();
		await visitor.close();
	});

	await test.step('the contact page shows email consent withdrawn', async () => {
		await openApp(page, `/${slug}/contacts/${contact.id}`);
		const emailRow = page.getByTestId('consent-row').filter({ hasText: 'Email' });
		await expect(emailRow).toContainText('Withdrawn');
		await expect(emailRow).toContainText('cannot be messaged');
		// The timeline shows the email the automation sent (linked to it) and the unsubscribe.
		const timeline = page.getByRole('list', { name: 'Timeline' });
		const sent = timeline.getByTestId('timeline-event').filter({ hasText: 'Email sent' });
		// The worker records the step as done just after the mail server took the email, so
		// the mailbox can have it first: look again until the timeline shows it.
		await expect(async () => {
			await page.reload();
			await expect(sent).toContainText(subject, { timeout: 1_000 });
		}).toPass({ timeout: 20_000 });
		await expect(sent.getByRole('link', { name: 'Welcome' })).toHaveAttribute(
			'href',
			new RegExp(`/${slug}/automations/[0-9a-f-]{36}$`)
		);
		await expect(timeline).toContainText('email: withdrawn, with the unsubscribe link in an email');
	});

	await test.step("a mail client's one-click POST (no cookies, no Origin) unsubscribes", async () => {
		const other = await newContact('oneclick');
		const otherMail = await waitForMail(stack().mailboxUrl, other.email, {
			subject,
			timeoutMs: 45_000
		});
		const otherLink = linksIn(otherMail).find((l) => l.includes('/u/'))!;
		const client = await playwright.request.newContext();
		const post = await client.post(otherLink, {
			form: { 'List-Unsubscribe': 'One-Click' },
			maxRedirects: 0
		});
		expect(post.status()).toBeLessThan(400);
		expect(await emailConsent(other.id)).toBe('withdrawn');
		// Other pages still refuse form posts from elsewhere, even with the owner's
		// session cookies on them (what a forging page would ride on).
		const forged = await page.request.post(`/${slug}/settings/branding`, {
			form: { replyToEmail: 'evil@example.test' },
			headers: { origin: 'https://evil.example' },
			maxRedirects: 0
		});
		expect(forged.status()).toBe(403);
		expect(await forged.text()).toBe('Cross-site POST form submissions are forbidden');
		// Nor does leaving the Origin out (as the one-click POST above did) open them.
		const noOrigin = await client.post(`/${slug}/contacts/${other.id}?/consent`, {
			form: { channel: 'email', status: 'granted' },
			maxRedirects: 0
		});
		expect(noOrigin.status()).toBe(403);
		expect(await noOrigin.text()).toBe('Cross-site POST form submissions are forbidden');
		expect(await emailConsent(other.id)).toBe('withdrawn');
		await client.dispose();
	});
});
