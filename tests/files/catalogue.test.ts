// The asset manager's queries over public.files, run as each person under RLS:
// folders (nested, empty ones kept by their placeholder), search and type
// filters across folders, usage, and who may describe a file.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as files from '../../src/lib/server/files/index.ts';
import { withRls } from '../../src/lib/server/db/rls.ts';
import type { Trx } from '../../src/lib/server/db/rls.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createTenancyWorld, type Persona, type TenancyWorld } from '../helpers/tenancy.ts';
import { seedObject } from './rls-expectations.ts';

let testDb: TestDatabase;
let world: TenancyWorld;
let client: pg.Client;

const as = <T>(persona: Persona, fn: (trx: Trx) => Promise<T>) =>
	withRls(world.db, world.claims(persona), fn);

beforeAll(async () => {
	testDb = await createTestDatabase();
	world = await createTenancyWorld(testDb.url);
	client = new pg.Client({ connectionString: testDb.url });
	await client.connect();
	const a = world.orgA;
	const member = world.users.member.id;
	await seedObject(client, 'org-files', `${a}/logo.png`, member, 1000, 'image/png');
	await seedObject(client, 'org-files', `${a}/Brand/guide.pdf`, member, 2000, 'application/pdf');
	await seedObject(client, 'org-files', `${a}/Brand/Logos/mark.svg`, member, 300, 'image/svg+xml');
	await seedObject(client, 'org-files', `${a}/Brand/Logos/Old/.emptyFolderPlaceholder`, member, 0);
	await seedObject(
		client,
		'org-files',
		`${a}/Video/launch 100%_cut.mp4`,
		member,
		5000,
		'video/mp4'
	);
	await seedObject(client, 'org-files', `${a}/Empty/.emptyFolderPlaceholder`, member, 0);
	await seedObject(client, 'campaign-creatives', `${a}/story.png`, member, 700, 'image/png');
	await seedObject(client, 'org-files', `${world.orgB}/Brand/secret.png`, null, 9999, 'image/png');
});
afterAll(async () => {
	await client.end();
	await world.close();
	await testDb.drop();
});

const names = (listing: files.FolderListing) => listing.files.map((f) => f.name);

describe('folders', () => {
	it('lists the top: its folders (empty ones too) and its files, never the placeholders', async () => {
		const top = await as('viewer', (trx) => files.list(trx, world.orgA, 'org-files', ''));
		expect(top.folders).toEqual(['Brand', 'Empty', 'Video']);
		expect(names(top)).toEqual(['logo.png']);
	});

	it('lists a nested folder', async () => {
		const brand = await as('viewer', (trx) => files.list(trx, world.orgA, 'org-files', 'Brand'));
		expect(brand.folders).toEqual(['Brand/Logos']);
		expect(names(brand)).toEqual(['guide.pdf']);
		const logos = await as('viewer', (trx) =>
			files.list(trx, world.orgA, 'org-files', 'Brand/Logos')
		);
		expect(logos.folders).toEqual(['Brand/Logos/Old']);
		expect(logos.files[0]).toMatchObject({ name: 'mark.svg', kind: 'image', size: 300 });
	});

	it('offers every folder as a place to move to, ancestors included', async () => {
		expect(await as('member', (trx) => files.allFolders(trx, world.orgA, 'org-files'))).toEqual([
			'Brand',
			'Brand/Logos',
			'Brand/Logos/Old',
			'Empty',
			'Video'
		]);
	});

	it('names everything under a folder, placeholders included (what a folder move touches)', async () => {
		const under = await as('member', (trx) =>
			files.objectsUnder(trx, world.orgA, 'org-files', 'Brand/Logos')
		);
		expect(under.map((o) => o.objectName).sort()).toEqual(
			[
				`${world.orgA}/Brand/Logos/Old/.emptyFolderPlaceholder`,
				`${world.orgA}/Brand/Logos/mark.svg`
			].sort()
		);
	});
});

describe('search and filters', () => {
	it('searches names in every folder, taking % and _ literally', async () => {
		const found = await as('member', (trx) =>
			files.list(trx, world.orgA, 'org-files', '', { search: '100%_' })
		);
		expect(names(found)).toEqual(['launch 100%_cut.mp4']);
		const none = await as('member', (trx) =>
			files.list(trx, world.orgA, 'org-files', '', { search: '%' })
		);
		expect(names(none)).toEqual(['launch 100%_cut.mp4']);
	});

	it('filters by type across folders', async () => {
		const images = await as('member', (trx) =>
			files.list(trx, world.orgA, 'org-files', '', { kind: 'image' })
		);
		expect(names(images).sort()).toEqual(['logo.png', 'mark.svg']);
		const pdfs = await as('member', (trx) =>
			files.list(trx, world.orgA, 'org-files', '', { kind: 'pdf' })
		);
		expect(names(pdfs)).toEqual(['guide.pdf']);
	});

	it("shows nothing of another organization's, whatever is asked", async () => {
		const listing = await as('member', (trx) => files.list(trx, world.orgB, 'org-files', 'Brand'));
		expect(listing).toEqual({ folders: [], files: [] });
	});
});

describe('usage and descriptions', () => {
	it('sums every bucket of the organization', async () => {
		expect(await as('viewer', (trx) => files.usage(trx, world.orgA))).toEqual({
			bytes: 1000 + 2000 + 300 + 5000 + 700,
			files: 5
		});
	});

	it('lets file editors describe a file, not viewers', async () => {
		const [logo] = (await as('member', (trx) => files.list(trx, world.orgA, 'org-files', '')))
			.files;
		expect(await as('viewer', (trx) => files.describe(trx, world.orgA, logo!.id, 'Nope'))).toBe(
			false
		);
		expect(await as('member', (trx) => files.describe(trx, world.orgA, logo!.id, 'Our logo'))).toBe(
			true
		);
		expect(await as('viewer', (trx) => files.get(trx, world.orgA, logo!.id))).toMatchObject({
			altText: 'Our logo'
		});
	});
});
