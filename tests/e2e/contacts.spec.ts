// Contacts end to end, as a new customer meets them: define a custom field,
// import a spreadsheet that has a bad row and a column the wizard cannot guess,
// fix the mapping, watch the import finish (the worker runs it), find someone
// in the table, and build a segment whose live count is the number expected.
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { signUpConfirmed, uniqueEmail } from './helpers.ts';
import { createOrgInUi, openApp, uniqueOrgName } from './tenancy.ts';

/** Five people; row 4 (spreadsheet numbering) has a broken email; "Points" is the Score field. */
const CSV = [
	'Email,First name,Last name,Company,Points',
	'ada@example.test,Ada,Lovelace,Analytical Engines,92',
	'grace@example.test,Grace,Hopper,US Navy,75',
	'not-an-email,Broken,Row,Nowhere,88',
	'alan@example.test,Alan,Turing,Bletchley Park,40',
	'katherine@example.test,Katherine,Johnson,NASA,64'
].join('\n');

const condition = (page: Page, n: string) => page.getByRole('group', { name: `Condition ${n}` });

test('import a CSV with errors, fix the mapping, see it finish, then segment the contacts', async ({
	page
}) => {
	test.setTimeout(120_000);
	const person = {
		fullName: 'Cora Contacts',
		email: uniqueEmail('contacts'),
		password: 'contacts-pass-1'
	};
	const { name, slug } = uniqueOrgName('Fairground');

	await test.step('a new customer signs up and creates an organization', async () => {
		await signUpConfirmed(page, person);
		await createOrgInUi(page, name, slug);
		await page
			.getByRole('navigation', { name: 'Main' })
			.getByRole('link', { name: 'Contacts' })
			.click();
		await expect(page.getByRole('heading', { name: 'No contacts yet' })).toBeVisible();
	});

	await test.step('a required number field, Score', async () => {
		await openApp(page, `/${slug}/settings/fields`);
		await page.getByLabel('Label').fill('Score');
		await expect(page.getByLabel('Key')).toHaveValue('score');
		await page.getByLabel('Type').selectOption('number');
		await page.getByRole('checkbox', { name: /^Required/ }).check();
		await page.getByRole('button', { name: 'Add field' }).click();
		await expect(page.getByText('The field “Score” has been added.')).toBeVisible();
		await expect(page.getByTestId('field-row')).toContainText(['Score']);
	});

	await test.step('the upload shows what is wrong before anything is imported', async () => {
		await openApp(page, `/${slug}/imports`);
		await page.getByLabel('Choose a CSV or TSV file').setInputFiles({
			name: 'spring-fair.csv',
			mimeType: 'text/csv',
			buffer: Buffer.from(CSV)
		});
		await expect(page).toHaveURL(new RegExp(`/${slug}/imports/[0-9a-f-]{36}$`));
		await expect(page.getByRole('heading', { level: 1 })).toContainText('spring-fair.csv');
		// Email, names and company are recognised; "Points" is not, and Score is required.
		await expect(page.getByLabel('Field for column “Email”')).toHaveValue('email');
		await expect(page.getByLabel('Field for column “Company”')).toHaveValue('company');
		await expect(page.getByLabel('Field for column “Points”')).toHaveValue('');
		await expect(page.getByTestId('mapping-problems')).toContainText(
			'The required field “Score” is not mapped to a column.'
		);
		await expect(page.getByRole('button', { name: 'Start the import' })).toBeDisabled();
		await expect(page.getByTestId('row-problems')).toContainText(
			'Row 4, Email: “not-an-email” is not a valid email address'
		);
	});

	await test.step('fixing the mapping, with a tag for the batch, starts the import', async () => {
		await page.getByLabel('Field for column “Points”').selectOption('custom.score');
		await expect(page.getByTestId('mapping-problems')).toHaveCount(0);
		await page.getByLabel('Tag every imported contact with').fill('Spring fair');
		await expect(
			page.getByRole('radio', { name: /^Skip them and import the other rows/ })
		).toBeChecked();
		await page.getByRole('button', { name: 'Start the import' }).click();
	});

	await test.step('the progress bar reaches 100% with the counts', async () => {
		await expect(page.getByRole('heading', { name: 'Import complete' })).toBeVisible({
			timeout: 30_000
		});
		const bar = page.getByRole('progressbar', { name: 'Done' });
		await expect(bar).toHaveAttribute('aria-valuenow', '100');
		await expect(page.getByTestId('count-total')).toHaveText('5');
		await expect(page.getByTestId('count-inserted')).toHaveText('4');
		await expect(page.getByTestId('count-failed')).toHaveText('1');
		const download = page.waitForEvent('download');
		await page.getByRole('link', { name: 'Download the error report' }).click();
		const report = await readFile(await (await download).path(), 'utf8');
		expect(report).toContain('row,column,reason,value');
		expect(report).toContain('4,Email,is not a valid email address,not-an-email');
	});

	await test.step('the contacts are in the table, and search finds one', async () => {
		await page.getByRole('link', { name: 'See the contacts' }).click();
		await expect(page.getByTestId('contact-row')).toHaveCount(4);
		await page.getByLabel('Search', { exact: true }).fill('hopper');
		await expect(page).toHaveURL(/[?&]q=hopper/);
		await expect(page.getByTestId('contact-row')).toHaveCount(1);
		await expect(page.getByTestId('contact-row')).toContainText('Grace Hopper');
		await expect(page.getByTestId('contact-row')).toContainText('grace@example.test');
	});

	await test.step('a segment of tagged contacts with a high score counts 3, live', async () => {
		await openApp(page, `/${slug}/segments/new`);
		await page.getByLabel('Name').fill('Fair fans');
		await page.getByRole('button', { name: 'Add condition' }).click();
		await condition(page, '1').getByLabel('Kind of condition').selectOption('tag');
		await condition(page, '1')
			.getByLabel('Tag', { exact: true })
			.selectOption({ label: 'Spring fair' });
		await expect(page.getByTestId('live-count-value')).toHaveText('4');

		await page.getByRole('button', { name: 'Add condition' }).click();
		await condition(page, '2').getByLabel('Field', { exact: true }).selectOption('custom.score');
		await condition(page, '2').getByLabel('Operator').selectOption('greater_than');
		await expect(condition(page, '2')).toContainText('Enter a value.');
		await condition(page, '2').getByLabel('Value', { exact: true }).fill('60');
		// Ada (92), Grace (75) and Katherine (64); not Alan (40).
		await expect(page.getByTestId('live-count-value')).toHaveText('3');
	});

	await test.step('saved, the segment lists the same three contacts', async () => {
		await page.getByRole('button', { name: 'Save segment' }).click();
		await expect(page).toHaveURL(new RegExp(`/${slug}/segments/[0-9a-f-]{36}\\?saved=1$`));
		await expect(page.getByRole('heading', { level: 1, name: 'Fair fans' })).toBeVisible();
		await expect(page.getByTestId('segment-members')).toHaveText(/3 members/, { timeout: 20_000 });
		await page.getByRole('link', { name: 'View contacts' }).click();
		await expect(page.getByTestId('contact-row')).toHaveCount(3);
		await expect(page.getByTestId('contact-row').filter({ hasText: 'Alan Turing' })).toHaveCount(0);
	});
});
