// The export → import round trip as a user makes it: export an organization's
// contacts from the Contacts page, create a new organization, import the file
// through the wizard without touching the mapping it suggests, watch it
// finish, and find the same people with the same tags, names, companies,
// statuses and custom values (the new organization's export is the same file,
// but for where the contacts came from and when).
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { confirmedUser } from './helpers.ts';
import { createOrgInUi, openApp, seedOrg, signInAs, uniqueOrgName, withDb } from './tenancy.ts';

/** [email, phone, first, last, company, status, score, tags] */
const PEOPLE = [
	[
		'ada@roundtrip.test',
		'+44 20 7946 0958',
		'Ada',
		'Lovelace',
		'Analytical Engines',
		'subscribed',
		92,
		['VIP', 'Speaker']
	],
	['grace@roundtrip.test', null, 'Grace', 'Hopper', 'US Navy, Inc.', 'subscribed', 75, ['Speaker']],
	[
		'ludwig@roundtrip.test',
		'+49 228 981 750',
		'Ludwig',
		'van Beethoven',
		null,
		'unsubscribed',
		-3,
		['Friends, family']
	],
	['zoe@roundtrip.test', null, 'Zoë', 'Ørsted', '株式会社テスト', 'bounced', null, []],
	['alan@roundtrip.test', null, 'Alan', 'Turing', 'Bletchley Park', 'subscribed', 40, ['VIP']]
] as const;

/** An organization with a number field "Score", five contacts and their tags, straight into the database. */
async function seedContacts(orgId: string): Promise<void> {
	await withDb(async (db) => {
		await db.query(
			`insert into public.contact_fields (org_id, key, label, type) values ($1, 'score', 'Score', 'number')`,
			[orgId]
		);
		for (const [email, phone, first, last, company, status, score, tags] of PEOPLE) {
			const { rows } = await db.query<{ id: string }>(
				`insert into public.contacts (org_id, email, phone, first_name, last_name, company, status, custom)
				 values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
				[orgId, email, phone, first, last, company, status, score === null ? {} : { score }]
			);
			for (const tag of tags) {
				await db.query(
					`insert into public.tags (org_id, name) values ($1, $2) on conflict do nothing`,
					[orgId, tag]
				);
				await db.query(
					`insert into public.contact_tags (org_id, contact_id, tag_id)
					 select $1, $2, id from public.tags where org_id = $1 and name = $3`,
					[orgId, rows[0]!.id, tag]
				);
			}
		}
	});
}

async function exportContacts(page: Page, slug: string): Promise<string> {
	await openApp(page, `/${slug}/contacts`);
	const download = page.waitForEvent('download');
	await page.getByRole('link', { name: 'Export CSV' }).click();
	return readFile(await (await download).path(), 'utf8');
}

/** The export's lines without Source and Created at (columns 7 and 8), sorted by email. */
function comparable(csv: string): string[] {
	const [header, ...rows] = csv.trim().split('\n');
	const drop = (line: string) =>
		line
			.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)
			.filter((_, i) => i !== 6 && i !== 7)
			.join(',');
	return [drop(header!), ...rows.map(drop).sort()];
}

test('export one organization, import the file into a new one, nothing lost', async ({ page }) => {
	test.setTimeout(180_000);
	const owner = await confirmedUser('Rita Roundtrip', 'roundtrip');
	const from = uniqueOrgName('Old Shop');
	const to = uniqueOrgName('New Shop');
	await seedContacts(await seedOrg({ owner, name: from.name, slug: from.slug }));
	let exported = '';

	await test.step('the contacts are exported from the Contacts page', async () => {
		await signInAs(page, owner);
		exported = await exportContacts(page, from.slug);
		expect(exported.split('\n')[0]).toBe(
			'Email,Phone,First name,Last name,Company,Status,Source,Created at,Score,Tags'
		);
		expect(exported.trim().split('\n')).toHaveLength(PEOPLE.length + 1);
	});

	await test.step('a new organization, with the same custom field', async () => {
		await createOrgInUi(page, to.name, to.slug);
		await openApp(page, `/${to.slug}/settings/fields`);
		await page.getByLabel('Label').fill('Score');
		await expect(page.getByLabel('Key')).toHaveValue('score');
		await page.getByLabel('Type').selectOption('number');
		await page.getByRole('button', { name: 'Add field' }).click();
		await expect(page.getByText('The field “Score” has been added.')).toBeVisible();
	});

	await test.step('the exported file maps itself in the import wizard', async () => {
		await openApp(page, `/${to.slug}/imports`);
		await page.getByLabel('Choose a CSV or TSV file').setInputFiles({
			name: 'contacts-export.csv',
			mimeType: 'text/csv',
			buffer: Buffer.from(exported)
		});
		await expect(page).toHaveURL(new RegExp(`/${to.slug}/imports/[0-9a-f-]{36}$`));
		const suggested = {
			Email: 'email',
			Phone: 'phone',
			'First name': 'first_name',
			'Last name': 'last_name',
			Company: 'company',
			Status: 'status',
			Source: '',
			'Created at': '',
			Score: 'custom.score',
			Tags: 'tags'
		};
		for (const [column, target] of Object.entries(suggested))
			await expect(page.getByLabel(`Field for column “${column}”`)).toHaveValue(target);
		await expect(page.getByTestId('mapping-problems')).toHaveCount(0);
		await expect(page.getByText('No problem in these rows.')).toBeVisible();
		await expect(page.getByLabel('Tags in the Tags column are separated by')).toHaveValue(';');
		await page.getByRole('button', { name: 'Start the import' }).click();
	});

	await test.step('the import finishes with every row new', async () => {
		await expect(page.getByRole('heading', { name: 'Import complete' })).toBeVisible({
			timeout: 60_000
		});
		await expect(page.getByTestId('count-total')).toHaveText(String(PEOPLE.length));
		await expect(page.getByTestId('count-inserted')).toHaveText(String(PEOPLE.length));
		await expect(page.getByTestId('count-failed')).toHaveText('0');
	});

	await test.step('the same contacts are in the new organization, with their tags', async () => {
		await page.getByRole('link', { name: 'See the contacts' }).click();
		const rows = page.getByTestId('contact-row');
		await expect(rows).toHaveCount(PEOPLE.length);
		for (const [email, , first, last] of PEOPLE)
			await expect(rows.filter({ hasText: email })).toContainText(`${first} ${last}`);
		for (const tag of ['VIP', 'Speaker', 'Friends, family']) {
			await page.getByLabel('Tag', { exact: true }).selectOption({ label: tag });
			await expect(page).toHaveURL(/[?&]tag=[0-9a-f-]{36}/);
			const tagged = PEOPLE.filter((p) => (p[7] as readonly string[]).includes(tag));
			await expect(rows).toHaveCount(tagged.length);
			for (const [email] of tagged) await expect(rows.filter({ hasText: email })).toHaveCount(1);
		}
	});

	await test.step("the new organization's export is the same file", async () => {
		const again = await exportContacts(page, to.slug);
		expect(comparable(again)).toEqual(comparable(exported));
	});
});
