// A viewer reads and changes nothing: no edit control is shown to them, and a
// form post forged with their session (the fields a real form would send) is
// refused by the database and answered with a 403 and a message, never a 500.
import { expect, test } from '@playwright/test';
import { confirmedUser, uniqueEmail } from './helpers.ts';
import { stack } from './stack.ts';
import { openApp, seedOrg, signInAs, uniqueOrgName, withDb } from './tenancy.ts';

test('a viewer sees no edit controls, and forged form posts are refused with 403', async ({
	page
}) => {
	const owner = await confirmedUser('Olive Owner', 'owner');
	const viewer = await confirmedUser('Vic Viewer', 'viewer');
	const { name, slug } = uniqueOrgName('Lighthouse Co');
	const orgId = await seedOrg({
		owner,
		name,
		slug,
		members: [{ person: viewer, role: 'viewer' }],
		brands: ['Harbor Shop']
	});

	await test.step('the viewer lands in the organization, with read-only navigation', async () => {
		await signInAs(page, viewer);
		await expect(page).toHaveURL(`/${slug}`);
		await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
		await expect(page.getByRole('link', { name: 'Invite teammates' })).toHaveCount(0);
		const nav = page.getByRole('navigation', { name: 'Main' });
		for (const section of ['General', 'Branding', 'Brands', 'Members', 'Roles']) {
			await expect(nav.getByRole('link', { name: section })).toBeVisible();
		}
		await expect(nav.getByRole('link', { name: 'Invitations' })).toHaveCount(0);
		await expect(nav.getByRole('link', { name: 'Audit log' })).toHaveCount(0);
	});

	await test.step('settings pages show data without controls', async () => {
		await openApp(page, `/${slug}/settings`);
		await expect(page.getByLabel('Organization name')).toBeDisabled();
		await expect(page.getByLabel('Organization name')).toHaveValue(name);
		await expect(page.getByRole('button', { name: 'Save changes' })).toHaveCount(0);
		await expect(page.getByRole('button', { name: 'Delete organization' })).toHaveCount(0);

		await openApp(page, `/${slug}/settings/branding`);
		await expect(page.getByLabel('Primary colour', { exact: true })).toBeDisabled();
		await expect(page.getByRole('button', { name: 'Save branding' })).toHaveCount(0);

		await openApp(page, `/${slug}/settings/brands`);
		await expect(page.getByRole('rowheader', { name: 'Harbor Shop' })).toBeVisible();
		await expect(page.getByRole('link', { name: 'New brand' })).toHaveCount(0);
		await expect(page.getByRole('link', { name: /^Edit/ })).toHaveCount(0);

		await openApp(page, `/${slug}/settings/members`);
		await expect(page.getByTestId('member-row')).toHaveCount(2);
		await expect(page.getByRole('button', { name: /^Change the role/ })).toHaveCount(0);
		await expect(page.getByRole('button', { name: /^Remove/ })).toHaveCount(0);

		await openApp(page, `/${slug}/settings/invitations`);
		await expect(
			page.getByText('Only owners and admins can see and send invitations.')
		).toBeVisible();
		await expect(page.getByRole('button', { name: 'Send invitation' })).toHaveCount(0);

		await openApp(page, `/${slug}/settings/roles`);
		await expect(page.getByText('No custom roles yet')).toBeVisible();
		await expect(page.getByRole('link', { name: 'New role' })).toHaveCount(0);

		await openApp(page, `/${slug}/settings/audit`);
		await expect(page.getByText('Only owners and admins can read the audit log.')).toBeVisible();
	});

	await test.step('forged posts with the viewer’s cookies: 403 with a message, nothing written', async () => {
		const forge = async (path: string, form: Record<string, string>) => {
			const response = await page.request.post(path, {
				form,
				// As a browser posts a plain form: from the app's own origin (SvelteKit's CSRF
				// check passes, so the refusal is the database's), asking for the page back.
				headers: { origin: stack().appUrl, accept: 'text/html' },
				maxRedirects: 0
			});
			return { status: response.status(), body: await response.text() };
		};
		const attempts: [string, Record<string, string>, string][] = [
			[`/${slug}/settings/brands/new`, { name: 'Forged brand' }, 'You do not have permission'],
			[
				`/${slug}/settings?/update`,
				{ name: 'Hijacked', slug, timeZone: 'UTC' },
				'Only owners and admins can change these settings.'
			],
			[
				`/${slug}/settings/members?/role`,
				{ userId: viewer.id, role: 'admin', customRoleId: '' },
				'Only people who manage members can change roles.'
			],
			[
				`/${slug}/settings/members?/remove`,
				{ userId: owner.id },
				'Only people who manage members can remove them.'
			],
			[
				`/${slug}/settings/invitations?/invite`,
				{ email: uniqueEmail('forged'), role: 'admin', customRoleId: '' },
				'You cannot grant a role with permissions you do not have.'
			],
			[
				`/${slug}/settings/branding`,
				{ primaryColor: '#000000', accentColor: '#000000', fontFamily: 'Lato', logoUrl: '' },
				'Only owners and admins can change the branding.'
			],
			[
				`/${slug}/settings?/delete`,
				{ confirmName: name },
				'Only owners can delete the organization.'
			]
		];
		for (const [path, form, said] of attempts) {
			const { status, body } = await forge(path, form);
			expect(status, path).toBe(403);
			expect(body, path).toContain(said);
		}

		// The same refusal for an enhanced (JavaScript) submission: a failure result, status 403.
		const enhanced = await page.request.post(`/${slug}/settings/brands/new`, {
			form: { name: 'Forged brand' },
			headers: { origin: stack().appUrl, accept: 'application/json', 'x-sveltekit-action': 'true' }
		});
		expect(await enhanced.json()).toMatchObject({ type: 'failure', status: 403 });

		const state = await withDb(async (db) => {
			const org = await db.query<{ name: string }>('select name from organizations where id = $1', [
				orgId
			]);
			const brands = await db.query<{ name: string }>('select name from brands where org_id = $1', [
				orgId
			]);
			const members = await db.query<{ user_id: string; role: string }>(
				'select user_id, role from members where org_id = $1 order by role',
				[orgId]
			);
			const invitations = await db.query('select 1 from invitations where org_id = $1', [orgId]);
			const branding = await db.query<{ font_family: string }>(
				'select font_family from branding_settings where org_id = $1',
				[orgId]
			);
			return {
				org: org.rows.map((r) => r.name),
				brands: brands.rows.map((r) => r.name),
				members: members.rows.map((r) => [r.user_id, r.role]),
				invitations: invitations.rowCount,
				font: branding.rows[0]?.font_family
			};
		});
		expect(state).toEqual({
			org: [name],
			brands: ['Harbor Shop'],
			members: [
				[owner.id, 'owner'],
				[viewer.id, 'viewer']
			],
			invitations: 0,
			font: 'Inter'
		});
	});
});
