// Campaign creatives end to end, against the platform's Storage: a member
// submits a deliverable with the Files picker (a file of the wrong kind is
// refused with its reason before it is uploaded), a reviewer asks for changes with a comment, the
// member answers and uploads a new version, the reviewer approves it, and the
// approved version shows as locked with no review control; a viewer sees the
// work but no control to submit or review.
import { expect, test, type Page } from '@playwright/test';
import { confirmedUser } from './helpers.ts';
import { png } from './images.ts';
import { openApp, seedOrg, signInAs, uniqueOrgName, withDb } from './tenancy.ts';

/** Uploads a file through the form's Files picker; the picker closes on the stored file. */
async function pickFile(
	page: Page,
	form: ReturnType<Page['locator']>,
	button: string,
	file: { name: string; mimeType: string; buffer: Buffer }
) {
	await form.getByRole('button', { name: button }).click();
	const dialog = page.getByRole('dialog');
	await expect(dialog).toBeVisible();
	await dialog.getByLabel('Choose a file to upload').setInputFiles(file);
	await expect(dialog).toBeHidden();
}

test('a member submits a creative, a reviewer sends it back, then approves the new version', async ({
	page,
	browser
}) => {
	// Three people sign in, upload four files and review twice: over two minutes on a loaded 2-core machine.
	test.setTimeout(240_000);
	const owner = await confirmedUser('Rita Reviewer', 'creatives-owner');
	const member = await confirmedUser('Mia Maker', 'creatives-member');
	const viewer = await confirmedUser('Vic Viewer', 'creatives-viewer');
	const { name, slug } = uniqueOrgName('Creatives Co');
	const orgId = await seedOrg({
		owner,
		name,
		slug,
		members: [
			{ person: member, role: 'member' },
			{ person: viewer, role: 'viewer' }
		],
		brands: ['Trail Co']
	});
	// A campaign whose brief (as a submission applies it) asks for two photos.
	const campaignId = await withDb(async (db) => {
		const { rows } = await db.query<{ id: string }>(
			`insert into public.campaigns (org_id, kind, brand_id, name)
			 select $1, 'influencer', b.id, 'Spring trail launch' from public.brands b where b.org_id = $1
			 returning id`,
			[orgId]
		);
		await db.query(
			`insert into public.creative_requirements (org_id, campaign_id, deliverable, platform, format, count, due_on, guidelines, hashtags, accepted_kinds)
			 values ($1, $2, 'photo', 'instagram', '1:1', 2, '2099-03-15', 'Shoes on a wet trail.', '{#springtrail}', '{image}')`,
			[orgId, rows[0]!.id]
		);
		return rows[0]!.id;
	});
	const creativesPath = `/${slug}/campaigns/${campaignId}/creatives`;
	const line = 'Photo on Instagram, 1:1';

	await test.step('the member finds the page from the campaign and sees what is missing', async () => {
		await signInAs(page, member);
		await openApp(page, `/${slug}/campaigns/${campaignId}`);
		await page.getByRole('link', { name: 'Creatives' }).click();
		await expect(page).toHaveURL(new RegExp(`${creativesPath}$`));
		await expect(page.locator('[data-hydrated]')).toBeAttached();
		const brief = page.getByRole('region', { name: line });
		await expect(brief.getByRole('heading', { name: line })).toBeVisible();
		await expect(brief).toContainText('due 15 Mar 2099');
		await expect(brief.getByTestId('progress')).toContainText('2 still missing');
	});

	const newForm = page.getByRole('form', { name: `New deliverable for ${line}` });
	await test.step('a file of the wrong kind is refused before upload, with the reason', async () => {
		await page.getByText('Submit a new deliverable').click();
		await newForm.getByLabel('Title').fill('Trail hero shot');
		await newForm.getByRole('button', { name: 'Choose a file' }).click();
		const dialog = page.getByRole('dialog');
		await dialog.getByLabel('Choose a file to upload').setInputFiles({
			name: 'notes.txt',
			mimeType: 'text/plain',
			buffer: Buffer.from('not a photo')
		});
		await expect(dialog.getByRole('alert')).toContainText(
			'This deliverable takes images; “notes.txt” is a text/plain file.'
		);
		await page.keyboard.press('Escape');
		await expect(dialog).toBeHidden();
		await expect(newForm.getByRole('button', { name: 'Submit for review' })).toBeDisabled();
		// Nothing was stored for a file the line cannot take.
		const stored = await withDb((db) =>
			db.query<{ n: number }>(`select count(*)::int as n from storage.objects where name like $1`, [
				`${orgId}/${campaignId}/%`
			])
		);
		expect(stored.rows[0]?.n).toBe(0);
	});

	await test.step('the member uploads a photo and submits it', async () => {
		await pickFile(page, newForm, 'Choose a file', {
			name: 'hero-v1.png',
			mimeType: 'image/png',
			buffer: png(120, 120, [220, 38, 38])
		});
		await expect(newForm.getByTestId('picked-file')).toContainText('hero-v1.png');
		await newForm.getByLabel('Note for the reviewer (optional)').fill('First pick from the shoot');
		await newForm.getByRole('button', { name: 'Submit for review' }).click();
		const asset = page.getByRole('article', { name: 'Deliverable Trail hero shot' });
		await expect(asset).toBeVisible();
		await expect(asset.getByTestId('version')).toHaveAttribute('data-version', '1');
		await expect(asset.getByText('Waiting for review').first()).toBeVisible();
		const image = asset.getByTestId('preview-image');
		await expect
			.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
			.toBe(120);
		// A member does not review.
		await expect(asset.getByRole('button', { name: 'Approve' })).toHaveCount(0);
	});

	const reviewer = await browser.newPage();
	await test.step('the reviewer asks for changes with a comment', async () => {
		await signInAs(reviewer, owner);
		await openApp(reviewer, creativesPath);
		await expect(reviewer.locator('[data-hydrated]')).toBeAttached();
		const asset = reviewer.getByRole('article', { name: 'Deliverable Trail hero shot' });
		const review = asset.getByRole('form', { name: 'Review version 1' });
		await review.getByLabel('Comment (optional)').fill('The shoes are too small in the frame.');
		await review.getByRole('button', { name: 'Ask for changes' }).click();
		await expect(asset.getByText('Changes requested').first()).toBeVisible();
		await expect(asset.getByTestId('comment')).toContainText(
			'The shoes are too small in the frame.'
		);
		await expect(asset.getByRole('form', { name: 'Review version 1' })).toHaveCount(0);
	});

	await test.step('the member replies and uploads a new version', async () => {
		await page.reload();
		await expect(page.locator('[data-hydrated]')).toBeAttached();
		const asset = page.getByRole('article', { name: 'Deliverable Trail hero shot' });
		await expect(asset.getByTestId('comment')).toContainText('too small in the frame');
		await asset.getByRole('button', { name: 'Reply' }).click();
		await asset.getByLabel('Your reply').fill('Closer crop in version 2.');
		await asset.getByRole('button', { name: 'Post reply' }).click();
		await expect(asset.getByTestId('comment')).toHaveCount(2);

		await asset.getByRole('button', { name: 'Upload a new version' }).click();
		const versionForm = page.getByRole('form', { name: 'New version of Trail hero shot' });
		await pickFile(page, versionForm, 'Choose the new version', {
			name: 'hero-v2.png',
			mimeType: 'image/png',
			buffer: png(160, 160, [22, 163, 74])
		});
		await versionForm.getByRole('button', { name: 'Submit for review' }).click();
		await expect(asset.getByTestId('version')).toHaveAttribute('data-version', '2');
		await expect(asset.getByRole('group', { name: 'Versions' })).toContainText('Version 1');
	});

	await test.step('the reviewer approves version 2, which then shows as locked', async () => {
		await reviewer.reload();
		await expect(reviewer.locator('[data-hydrated]')).toBeAttached();
		const asset = reviewer.getByRole('article', { name: 'Deliverable Trail hero shot' });
		await expect(asset.getByTestId('version')).toHaveAttribute('data-version', '2');
		await asset
			.getByRole('form', { name: 'Review version 2' })
			.getByRole('button', { name: 'Approve' })
			.click();
		await expect(asset.getByTestId('locked')).toBeVisible();
		await expect(asset.getByRole('button', { name: 'Approve' })).toHaveCount(0);
		await expect(asset.getByRole('button', { name: 'Ask for changes' })).toHaveCount(0);
		const brief = reviewer.getByRole('region', { name: line });
		await expect(brief.getByTestId('progress')).toContainText('1 still missing');
		await expect(brief.getByRole('progressbar', { name: 'Approved deliverables' })).toHaveAttribute(
			'aria-valuenow',
			'1'
		);
	});

	await test.step('a viewer sees the creatives but no control to submit or review', async () => {
		const viewerPage = await browser.newPage();
		await signInAs(viewerPage, viewer);
		await openApp(viewerPage, creativesPath);
		const asset = viewerPage.getByRole('article', { name: 'Deliverable Trail hero shot' });
		await expect(asset.getByTestId('locked')).toBeVisible();
		await expect(viewerPage.getByText('Submit a new deliverable')).toHaveCount(0);
		await expect(viewerPage.getByRole('button', { name: 'Upload a new version' })).toHaveCount(0);
		await expect(viewerPage.getByRole('button', { name: 'Reply' })).toHaveCount(0);
		await expect(viewerPage.getByRole('button', { name: /Approve|Ask for changes/ })).toHaveCount(
			0
		);
	});

	await test.step('the database holds two versions, the second approved, with their events', async () => {
		const { rows } = await withDb((db) =>
			db.query<{ version: number; status: string }>(
				`select v.version, v.status from public.creative_asset_versions v
				  where v.org_id = $1 order by v.version`,
				[orgId]
			)
		);
		expect(rows).toEqual([
			{ version: 1, status: 'changes_requested' },
			{ version: 2, status: 'approved' }
		]);
		const events = await withDb((db) =>
			db.query<{ type: string }>(
				`select type from public.events where org_id = $1 and type like 'creative.%' order by id`,
				[orgId]
			)
		);
		expect(events.rows.map((e) => e.type)).toEqual([
			'creative.submitted',
			'creative.changes_requested',
			'creative.submitted',
			'creative.approved'
		]);
	});
});
