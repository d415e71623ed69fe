// The asset manager end to end, against the platform's Storage: a member
// uploads three files (each with its progress bar), makes a folder, moves a
// file into it, previews an image and deletes a file; a viewer of the same
// organization sees the files but no upload control.
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { expect, test } from '@playwright/test';
import { confirmedUser } from './helpers.ts';
import { openApp, seedOrg, signInAs, uniqueOrgName, withDb } from './tenancy.ts';

/** A small real PNG (solid colour), so the browser can draw and measure it. */
function png(width: number, height: number, rgb: [number, number, number]): Buffer {
	const crcTable = Array.from({ length: 256 }, (_, n) => {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		return c >>> 0;
	});
	const crc = (buf: Buffer) => {
		let c = 0xffffffff;
		for (const byte of buf) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
		return (c ^ 0xffffffff) >>> 0;
	};
	const chunk = (type: string, data: Buffer) => {
		const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
		const out = Buffer.alloc(12 + data.length);
		out.writeUInt32BE(data.length, 0);
		body.copy(out, 4);
		out.writeUInt32BE(crc(body), 8 + data.length);
		return out;
	};
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header[8] = 8; // bit depth
	header[9] = 2; // truecolour
	const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3).fill(Buffer.from(rgb))]);
	const pixels = Buffer.concat(Array.from({ length: height }, () => row));
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		chunk('IDAT', deflateSync(pixels)),
		chunk('IEND', Buffer.alloc(0))
	]);
}

test('upload, organize, preview and delete files; a viewer cannot upload', async ({
	page,
	browser
}) => {
	const member = await confirmedUser('Mia Member', 'files-member');
	const viewer = await confirmedUser('Vic Viewer', 'files-viewer');
	const owner = await confirmedUser('Olive Owner', 'files-owner');
	const { name, slug } = uniqueOrgName('Files Co');
	const orgId = await seedOrg({
		owner,
		name,
		slug,
		members: [
			{ person: member, role: 'member' },
			{ person: viewer, role: 'viewer' }
		]
	});

	await signInAs(page, member);
	await openApp(page, `/${slug}/files`);
	await expect(page.getByRole('heading', { name: 'No files yet' })).toBeVisible();

	await test.step('three files upload, each with its progress', async () => {
		await page.getByTestId('file-input').setInputFiles([
			{ name: 'hero.png', mimeType: 'image/png', buffer: png(960, 600, [37, 99, 235]) },
			{ name: 'brief.txt', mimeType: 'text/plain', buffer: Buffer.from('Spring launch brief\n') },
			{
				name: 'prices.csv',
				mimeType: 'text/csv',
				buffer: Buffer.from('product,price\nJacket,189\n'.repeat(2000))
			}
		]);
		const uploads = page.getByTestId('upload-row');
		await expect(uploads).toHaveCount(3);
		for (const file of ['hero.png', 'brief.txt', 'prices.csv']) {
			await expect(page.getByRole('progressbar', { name: `Upload of ${file}` })).toBeVisible();
		}
		await expect(page.locator('[data-testid="upload-row"][data-status="done"]')).toHaveCount(3);
		for (const file of ['hero.png', 'brief.txt', 'prices.csv']) {
			await expect(page.getByRole('progressbar', { name: `Upload of ${file}` })).toHaveAttribute(
				'aria-valuenow',
				'100'
			);
		}
		await expect(page.getByTestId('file-card')).toHaveCount(3);
		await expect(page.getByTestId('files-usage')).not.toContainText('0 bytes used');
	});

	await test.step('a folder is made, and a file moved into it', async () => {
		await page.getByRole('button', { name: 'New folder' }).click();
		await page.getByLabel('Folder name').fill('Spring launch');
		await page.getByRole('button', { name: 'Create folder' }).click();
		await expect(page.getByText('Folder “Spring launch” created.')).toBeVisible();
		await expect(page.getByTestId('folder-card')).toHaveCount(1);

		await page.getByRole('button', { name: 'Move brief.txt' }).click();
		await page.getByLabel('Move to').selectOption('Spring launch');
		await page.getByRole('dialog').getByRole('button', { name: 'Move', exact: true }).click();
		await expect(page.getByText('Moved to “Spring launch”.')).toBeVisible();
		await expect(page.getByTestId('file-card')).toHaveCount(2);

		await page.getByRole('link', { name: 'Spring launch' }).click();
		await expect(page.getByRole('navigation', { name: 'Folders' })).toContainText('Spring launch');
		await expect(page.getByTestId('file-card')).toHaveCount(1);
		await expect(page.getByTestId('file-card')).toContainText('brief.txt');
		await page.getByRole('link', { name: 'All files' }).click();
	});

	await test.step('an image previews', async () => {
		// The grid shows a small rendering from Storage's image transformations, signed.
		const thumbnail = page.getByTestId('file-thumbnail');
		await expect(thumbnail).toHaveCount(1);
		// (The signed token carries the rendering's size, so the link cannot be widened.)
		await expect(thumbnail).toHaveAttribute(
			'src',
			/\/storage\/v1\/render\/image\/sign\/org-files\//
		);
		await expect
			.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
			.toBe(480);
		await expect(page.getByTestId('file-type-icon')).toHaveCount(1);
		await page.getByRole('button', { name: 'Preview hero.png' }).click();
		const image = page.getByTestId('preview-image');
		await expect(image).toBeVisible();
		await expect
			.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
			.toBe(960);
		await expect(page.getByRole('dialog')).toContainText('960 × 600 px');
		await page.getByRole('button', { name: 'Close' }).click();
	});

	await test.step('a file is deleted after confirming', async () => {
		await page.getByRole('button', { name: 'Delete prices.csv' }).click();
		await expect(page.getByRole('dialog')).toContainText('cannot be undone');
		await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
		await expect(page.getByText('“prices.csv” deleted.')).toBeVisible();
		await expect(page.getByTestId('file-card')).toHaveCount(1);
	});

	await test.step('Storage and the catalogue agree', async () => {
		const { rows } = await withDb((db) =>
			db.query<{ name: string }>(
				`select f.folder || '/' || f.file_name as name from public.files f
				  where f.org_id = $1 order by 1`,
				[orgId]
			)
		);
		expect(rows.map((r) => r.name)).toEqual([
			'/hero.png',
			'Spring launch/.emptyFolderPlaceholder',
			'Spring launch/brief.txt'
		]);
		const orphans = await withDb((db) => db.query('select * from private.files_orphans()'));
		expect(orphans.rows).toEqual([]);
	});

	await test.step('a viewer sees the files, and no upload control', async () => {
		const context = await browser.newContext();
		const viewerPage = await context.newPage();
		await signInAs(viewerPage, viewer);
		await openApp(viewerPage, `/${slug}/files`);
		await expect(viewerPage.getByTestId('file-card')).toHaveCount(1);
		await expect(viewerPage.getByTestId('folder-card')).toHaveCount(1);
		await expect(viewerPage.getByRole('button', { name: 'Upload files' })).toHaveCount(0);
		await expect(viewerPage.getByRole('button', { name: 'New folder' })).toHaveCount(0);
		await expect(viewerPage.getByTestId('file-input')).toHaveCount(0);
		await expect(viewerPage.getByRole('button', { name: /^Delete/ })).toHaveCount(0);
		await context.close();
	});
});

test('a large upload cut off by a page reload continues where it stopped', async ({ page }) => {
	test.slow();
	const member = await confirmedUser('Rae Reload', 'files-reload');
	const owner = await confirmedUser('Olive Owner', 'files-reload-owner');
	const { name, slug } = uniqueOrgName('Reload Files Co');
	const orgId = await seedOrg({ owner, name, slug, members: [{ person: member, role: 'member' }] });
	await signInAs(page, member);
	await openApp(page, `/${slug}/files`);
	await expect(page.getByRole('heading', { name: 'No files yet' })).toBeVisible();

	// Two parts: the creation request carries the first 6 MB; the second part is cut off
	// until the page is reloaded, as a closed laptop would.
	const size = 7 * 1024 * 1024 + 777;
	const bytes = Buffer.alloc(size);
	for (let i = 0; i < size; i += 4096) bytes.writeUInt32BE(i, i);
	const requests: string[] = [];
	page.on('request', (request) => {
		if (request.url().includes('/storage/v1/upload/resumable'))
			requests.push(`${request.method()} ${request.headers()['upload-offset'] ?? ''}`.trim());
	});
	const resumable = '**/storage/v1/upload/resumable**';
	await page.route(resumable, (route) =>
		route.request().method() === 'PATCH' ? route.abort('connectionreset') : route.continue()
	);
	const file = { name: 'keynote-footage.zip', mimeType: 'application/zip', buffer: bytes };
	const created = page.waitForResponse(
		(r) => r.url().includes('/upload/resumable') && r.request().method() === 'POST'
	);
	await page.getByTestId('file-input').setInputFiles([file]);
	expect((await created).status()).toBe(201);

	await page.reload();
	await expect(page.locator('[data-hydrated]')).toBeAttached();
	await page.unroute(resumable);
	requests.length = 0;
	const unfinished = page.getByTestId('unfinished-uploads');
	await expect(unfinished).toContainText('keynote-footage.zip');
	await expect(unfinished).toContainText('Choose the same file again');

	await page.getByTestId('file-input').setInputFiles([file]);
	await expect(page.locator('[data-testid="upload-row"][data-status="done"]')).toHaveCount(1, {
		timeout: 60_000
	});
	await expect(page.getByTestId('file-card')).toContainText('keynote-footage.zip');
	await expect(unfinished).toHaveCount(0);
	// Continued, not started again: the server was asked how far it got, no new upload
	// was created, and the first part sent after the reload starts at 6 MB.
	expect(requests[0]).toBe('HEAD');
	expect(requests.filter((r) => r.startsWith('POST'))).toHaveLength(0);
	expect(requests).toContain(`PATCH ${6 * 1024 * 1024}`);
	expect(requests).not.toContain('PATCH 0');

	const { rows } = await withDb((db) =>
		db.query<{ size: string; checksum: string }>(
			`select size::text, checksum from public.files
			  where org_id = $1 and file_name = 'keynote-footage.zip'`,
			[orgId]
		)
	);
	expect(rows).toEqual([
		{ size: String(size), checksum: createHash('md5').update(bytes).digest('hex') }
	]);
});

test('a large file uploads in resumable parts, and resumes after a dropped connection', async ({
	page
}) => {
	const member = await confirmedUser('Mia Member', 'files-large');
	const owner = await confirmedUser('Olive Owner', 'files-large-owner');
	const { name, slug } = uniqueOrgName('Large Files Co');
	const orgId = await seedOrg({ owner, name, slug, members: [{ person: member, role: 'member' }] });
	await signInAs(page, member);
	await openApp(page, `/${slug}/files`);
	await expect(page.getByRole('heading', { name: 'No files yet' })).toBeVisible();

	// Over the 6 MB threshold: Storage's resumable endpoint, in 6 MB parts. The first part
	// after the creation request is cut off once, as a dropped connection would; the upload
	// asks where it stopped and carries on, without starting again.
	const size = 7 * 1024 * 1024 + 12_345;
	const bytes = Buffer.alloc(size);
	for (let i = 0; i < size; i += 4096) bytes.writeUInt32BE(i, i);
	const requests: string[] = [];
	let dropped = false;
	await page.route('**/storage/v1/upload/resumable**', async (route) => {
		const request = route.request();
		requests.push(`${request.method()} ${request.headers()['upload-offset'] ?? ''}`.trim());
		if (request.method() === 'PATCH' && !dropped) {
			dropped = true;
			await route.abort('connectionreset');
			return;
		}
		await route.continue();
	});

	await page
		.getByTestId('file-input')
		.setInputFiles([{ name: 'launch-footage.zip', mimeType: 'application/zip', buffer: bytes }]);
	await expect(
		page.getByRole('progressbar', { name: 'Upload of launch-footage.zip' })
	).toBeVisible();
	await expect(page.locator('[data-testid="upload-row"][data-status="done"]')).toHaveCount(1, {
		timeout: 60_000
	});
	const card = page.getByTestId('file-card');
	await expect(card).toHaveCount(1);
	await expect(card).toContainText('launch-footage.zip');
	await expect(card).toContainText('7.0 MB');

	expect(dropped).toBe(true);
	expect(requests.filter((r) => r.startsWith('POST'))).toHaveLength(1);
	expect(requests).toContain('HEAD');
	expect(requests.filter((r) => r === `PATCH ${6 * 1024 * 1024}`).length).toBeGreaterThanOrEqual(2);

	const { rows } = await withDb((db) =>
		db.query<{ size: string; mime_type: string; checksum: string }>(
			`select size::text, mime_type, checksum from public.files
			  where org_id = $1 and file_name = 'launch-footage.zip'`,
			[orgId]
		)
	);
	expect(rows).toEqual([
		{
			size: String(size),
			mime_type: 'application/zip',
			checksum: createHash('md5').update(bytes).digest('hex')
		}
	]);
});

test('cancelling a large upload abandons it on the server; retrying starts it afresh', async ({
	page
}) => {
	const member = await confirmedUser('Mia Member', 'files-cancel');
	const owner = await confirmedUser('Olive Owner', 'files-cancel-owner');
	const { name, slug } = uniqueOrgName('Cancel Co');
	const orgId = await seedOrg({ owner, name, slug, members: [{ person: member, role: 'member' }] });
	await signInAs(page, member);
	await openApp(page, `/${slug}/files`);

	// The second part is held back until the person has cancelled.
	const requests: string[] = [];
	let release: (() => void) | undefined;
	const held = new Promise<void>((resolve) => (release = resolve));
	let holding = true;
	await page.route('**/storage/v1/upload/resumable**', async (route) => {
		const method = route.request().method();
		requests.push(method);
		if (method === 'PATCH' && holding) {
			holding = false;
			await held;
			await route.abort('connectionreset').catch(() => {});
			return;
		}
		await route.continue();
	});

	const size = 7 * 1024 * 1024;
	await page
		.getByTestId('file-input')
		.setInputFiles([
			{ name: 'draft-cut.zip', mimeType: 'application/zip', buffer: Buffer.alloc(size, 9) }
		]);
	const row = page.getByTestId('upload-row');
	await expect.poll(() => requests.includes('PATCH')).toBe(true);
	await row.getByRole('button', { name: /^Cancel/ }).click();
	await expect(row).toHaveAttribute('data-status', 'cancelled');
	await expect.poll(() => requests.includes('DELETE')).toBe(true);
	release!();

	await row.getByRole('button', { name: /^Retry/ }).click();
	await expect(row).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
	expect(requests.filter((m) => m === 'POST')).toHaveLength(2);
	await expect(page.getByTestId('file-card')).toHaveCount(1);
	await expect(page.getByTestId('file-card')).toContainText('7.0 MB');
	const { rows } = await withDb((db) =>
		db.query<{ size: string }>(
			`select size::text from public.files where org_id = $1 and not is_folder_marker`,
			[orgId]
		)
	);
	expect(rows).toEqual([{ size: String(size) }]);
});
