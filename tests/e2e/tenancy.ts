// Steps the tenancy specs share: signing in as someone, creating an organization
// through the UI, and fixtures written straight to the database (as superuser)
// when the spec is about something else than how they came to be.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { expect, type Page } from '@playwright/test';
import { signIn, type Person } from './helpers.ts';
import { stack } from './stack.ts';

/** A name whose slug no other test or run uses: "Acme 3f9a1c" → "acme-3f9a1c". */
export function uniqueOrgName(label: string): { name: string; slug: string } {
	const suffix = randomBytes(3).toString('hex');
	return {
		name: `${label} ${suffix}`,
		slug: `${label.toLowerCase().replace(/\W+/g, '-')}-${suffix}`
	};
}

/** Opens a page of the app and waits until it is interactive (the shell marks itself hydrated). */
export async function openApp(page: Page, path: string): Promise<void> {
	await page.goto(path);
	await expect(page.locator('[data-hydrated]')).toBeAttached();
}

/** Signs in through the form; a person with organizations lands in one of them. */
export async function signInAs(page: Page, person: Person): Promise<void> {
	await page.goto('/login');
	await signIn(page, person.email, person.password);
	await expect(page).not.toHaveURL(/\/login/);
}

/** Creates an organization from /new, taking the suggested address; ends on its home page. */
export async function createOrgInUi(page: Page, name: string, slug: string): Promise<void> {
	await openApp(page, '/new');
	await page.getByLabel('Organization name').fill(name);
	await expect(page.getByLabel('Address')).toHaveValue(slug);
	await expect(page.getByTestId('address-preview')).toContainText(`/${slug}`);
	await page.getByRole('button', { name: 'Create organization' }).click();
	await expect(page).toHaveURL(`/${slug}`);
	await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

/** Runs queries as the database superuser: fixtures and after-the-fact checks only. */
export async function withDb<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({ connectionString: stack().DATABASE_URL });
	await client.connect();
	try {
		return await fn(client);
	} finally {
		await client.end();
	}
}

type Role = 'owner' | 'admin' | 'member' | 'viewer';

/**
 * An organization owned by `owner`, with more members and brands, as the
 * database triggers would leave it after the UI's create, accept and save.
 */
export async function seedOrg(options: {
	owner: Person;
	name: string;
	slug: string;
	members?: { person: Person; role: Role }[];
	brands?: string[];
}): Promise<string> {
	return withDb(async (db) => {
		const { rows } = await db.query<{ id: string }>(
			'insert into public.organizations (name, slug, created_by) values ($1, $2, $3) returning id',
			[options.name, options.slug, options.owner.id]
		);
		const orgId = rows[0]!.id;
		for (const { person, role } of options.members ?? []) {
			await db.query('insert into public.members (org_id, user_id, role) values ($1, $2, $3)', [
				orgId,
				person.id,
				role
			]);
		}
		for (const brand of options.brands ?? []) {
			await db.query('insert into public.brands (org_id, name) values ($1, $2)', [orgId, brand]);
		}
		return orgId;
	});
}
