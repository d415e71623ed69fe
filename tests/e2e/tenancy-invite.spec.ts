// The way into a team: an owner creates an organization and invites a teammate by
// email; the teammate follows the link from the mailbox, signs up (confirming
// through the mailbox), comes back to the invitation, accepts and is in.
import { expect, test } from '@playwright/test';
import { linksIn, waitForMail } from '../helpers/mailbox.ts';
import { codeIn, confirmedUser, fillSignup, uniqueEmail } from './helpers.ts';
import { stack } from './stack.ts';
import { createOrgInUi, openApp, signInAs, uniqueOrgName } from './tenancy.ts';

test('owner invites a teammate, who signs up from the email, accepts and sees the organization', async ({
	page,
	browser
}) => {
	const owner = await confirmedUser('Grace Hopper', 'owner');
	const { name, slug } = uniqueOrgName('Harbor Labs');
	const teammate = {
		fullName: 'Katherine Johnson',
		email: uniqueEmail('invitee'),
		password: 'teammate-pass-1'
	};

	await test.step('the owner creates the organization from the first-run dashboard', async () => {
		await signInAs(page, owner);
		await expect(page).toHaveURL('/');
		await page.getByRole('link', { name: 'Create organization' }).first().click();
		await expect(page).toHaveURL('/new');
		await createOrgInUi(page, name, slug);
	});

	let since = '';
	await test.step('the owner invites the teammate as a member', async () => {
		await page.getByRole('link', { name: 'Invitations' }).click();
		await expect(page).toHaveURL(`/${slug}/settings/invitations`);
		await expect(page.getByText('No pending invitations')).toBeVisible();
		await page.getByLabel('Email').fill(teammate.email);
		await page.getByLabel('Role', { exact: true }).selectOption('member');
		since = new Date().toISOString();
		await page.getByRole('button', { name: 'Send invitation' }).click();
		await expect(page.getByText(`Invitation sent to ${teammate.email}.`)).toBeVisible();
		const row = page.getByTestId('invitation-row').filter({ hasText: teammate.email });
		await expect(row).toContainText('Member');
		await expect(row).toContainText('Grace Hopper');
	});

	const invitee = await browser.newPage();
	let acceptUrl = '';
	await test.step('the teammate receives the email and opens the invitation, signed out', async () => {
		const mail = await waitForMail(stack().mailboxUrl, teammate.email, {
			subject: `Join ${name}`,
			after: since,
			timeoutMs: 15_000
		});
		expect(mail.text).toContain('Grace Hopper invited you');
		acceptUrl = linksIn(mail).find((href) => href.includes('/invitations/')) ?? '';
		expect(acceptUrl).toMatch(new RegExp(`^${stack().appUrl}/invitations/[\\w-]{43}$`));

		await invitee.goto(acceptUrl);
		await expect(invitee.getByRole('heading', { name: `Join ${name}` })).toBeVisible();
		await expect(invitee.getByTestId('invitation-status')).toHaveText('Pending');
		await expect(invitee.getByText('Grace Hopper', { exact: true }).first()).toBeVisible();
		await expect(invitee.getByRole('button', { name: 'Accept invitation' })).toHaveCount(0);
	});

	await test.step('signs up from there (address filled in), confirms with the emailed code and comes back', async () => {
		await invitee.getByRole('link', { name: 'Create an account' }).click();
		await expect(invitee).toHaveURL(/\/signup\?redirectTo=%2Finvitations%2F/);
		await expect(invitee.getByLabel('Email')).toHaveValue(teammate.email);
		await fillSignup(invitee, teammate);
		const signedUpAt = new Date().toISOString();
		await invitee.getByRole('button', { name: 'Create account' }).click();
		await expect(invitee.getByRole('heading', { name: 'Check your email' })).toBeVisible();
		const mail = await waitForMail(stack().mailboxUrl, teammate.email, {
			subject: /confirm/i,
			after: signedUpAt,
			timeoutMs: 15_000
		});
		expect(mail.from).toContain('Growthdesk');
		await invitee.getByRole('link', { name: 'Enter the code from the email' }).click();
		await expect(invitee.getByLabel('Email')).toHaveValue(teammate.email);
		await invitee.getByLabel('Code').fill(codeIn(mail.text));
		await invitee.getByRole('button', { name: 'Continue' }).click();
		await expect(invitee).toHaveURL(acceptUrl.replace(stack().appUrl, ''));
	});

	await test.step('accepts and lands in the organization, as a member', async () => {
		await invitee.getByRole('button', { name: 'Accept invitation' }).click();
		await expect(invitee).toHaveURL(`/${slug}`);
		await expect(invitee.getByRole('heading', { level: 1, name })).toBeVisible();
		await expect(invitee.getByTestId('org-switcher')).toContainText(name);
		// Members do not manage the team: no invitations in their navigation.
		await expect(invitee.getByRole('link', { name: 'Members' })).toBeVisible();
		await expect(invitee.getByRole('link', { name: 'Invitations' })).toHaveCount(0);
	});

	await test.step('the link is used up; the owner sees the new member and no pending invitation', async () => {
		await invitee.goto(acceptUrl);
		await expect(invitee.getByTestId('invitation-status')).toHaveText('Accepted');
		await expect(invitee.getByRole('link', { name: `Open ${name}` })).toBeVisible();

		await page.reload();
		await expect(page.getByText('No pending invitations')).toBeVisible();
		await page.getByRole('link', { name: 'Members' }).click();
		const row = page.getByTestId('member-row').filter({ hasText: teammate.email });
		await expect(row).toContainText('Katherine Johnson');
		await expect(row).toContainText('Member');
	});
	await invitee.close();
});

test('resend, a wrong account, revoke: each link says where it stands', async ({
	page,
	browser
}) => {
	const owner = await confirmedUser('Ada Owner', 'owner');
	const stranger = await confirmedUser('Sam Stranger', 'stranger');
	const { name, slug } = uniqueOrgName('Quay Studio');
	const invited = uniqueEmail('intended');
	const inviteLink = async (after: string) => {
		const mail = await waitForMail(stack().mailboxUrl, invited, { subject: 'Join', after });
		return linksIn(mail).find((href) => href.includes('/invitations/')) ?? '';
	};

	await signInAs(page, owner);
	await createOrgInUi(page, name, slug);
	await openApp(page, `/${slug}/settings/invitations`);
	await page.getByLabel('Email').fill(invited);
	let since = new Date().toISOString();
	await page.getByRole('button', { name: 'Send invitation' }).click();
	await expect(page.getByText(`Invitation sent to ${invited}.`)).toBeVisible();
	const firstLink = await inviteLink(since);

	await test.step('the same address twice is refused on the field', async () => {
		await page.getByLabel('Email').fill(invited);
		await page.getByRole('button', { name: 'Send invitation' }).click();
		await expect(page.getByText('This address already has a pending invitation')).toBeVisible();
	});

	let link = '';
	await test.step('resending mails a new link; the old one stops working', async () => {
		await page.getByRole('button', { name: `Resend the invitation to ${invited}` }).click();
		since = new Date().toISOString();
		await page.getByRole('alertdialog').getByRole('button', { name: 'Send a new link' }).click();
		await expect(page.getByText('A new link has been sent.')).toBeVisible();
		link = await inviteLink(since);
		expect(link).not.toBe(firstLink);
		const visitor = await browser.newPage();
		await visitor.goto(firstLink);
		await expect(
			visitor.getByRole('heading', { name: 'This invitation link is not valid' })
		).toBeVisible();
		await visitor.close();
	});

	await test.step('another account cannot accept it, and is told what to do', async () => {
		const other = await browser.newPage();
		await signInAs(other, stranger);
		await other.goto(link);
		await expect(other.getByText(`You are signed in as ${stranger.email}.`)).toBeVisible();
		await other.getByRole('button', { name: 'Accept invitation' }).click();
		await expect(
			other.getByText(
				'This invitation was sent to another email address. Sign out, then open this link'
			)
		).toBeVisible();
		// Nothing was joined: the organization is still not theirs.
		const response = await other.goto(`/${slug}`);
		expect(response?.status()).toBe(404);
		await other.close();
	});

	await test.step('revoked: gone from the list, and the link says so', async () => {
		await page.getByRole('button', { name: `Revoke the invitation to ${invited}` }).click();
		await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke invitation' }).click();
		await expect(page.getByText('The invitation has been revoked.')).toBeVisible();
		await expect(page.getByText('No pending invitations')).toBeVisible();
		await page.context().clearCookies();
		await page.goto(link);
		await expect(page.getByTestId('invitation-status')).toHaveText('Revoked');
		await expect(page.getByText('This invitation was revoked.')).toBeVisible();
		await expect(page.getByRole('link', { name: 'Create an account' })).toHaveCount(0);
	});
});
