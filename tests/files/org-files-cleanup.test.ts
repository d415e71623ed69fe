// Deleting an organization removes its files from Storage, rows and bytes: the
// deletion queues files_org_purge in its own transaction, and the task removes
// every object under the organization's folder through the Storage API (as the
// worker does, with the service key), leaving other organizations' files and
// no orphan on either side. An organization that still exists is never purged.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createClient } from '@supabase/supabase-js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withRls } from '../../src/lib/server/db/rls.ts';
import * as orgs from '../../src/lib/server/orgs/index.ts';
import { purgeOrgFiles } from '../../src/worker/files-purge.ts';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import { createTenancyWorld, type TenancyWorld } from '../helpers/tenancy.ts';

/** supabase-js's client as createClient makes it for an untyped schema. */
type Client = ReturnType<typeof createClient>;
let platform: TestPlatform;
let world: TenancyWorld;
let admin: Client;

/** supabase-js against the platform, as the worker makes it (no session of its own). */
function connect(key: string): Client {
	return createClient(platform.apiUrl, key, {
		auth: { persistSession: false, autoRefreshToken: false }
	});
}

async function bytesOnDisk(): Promise<number> {
	let count = 0;
	const walk = async (dir: string): Promise<void> => {
		for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
			if (entry.isDirectory()) await walk(join(dir, entry.name));
			else count += 1;
		}
	};
	await walk(join(platform.storageDir, 'objects'));
	return count;
}

async function objectsOf(orgId: string): Promise<string[]> {
	const { rows } = await platform.pool.query<{ name: string }>(
		`select bucket_id || ':' || name as name from storage.objects
		  where name like $1 order by 1`,
		[`${orgId}/%`]
	);
	return rows.map((r) => r.name);
}

async function put(bucket: string, name: string, text: string, contentType = 'text/plain') {
	const { error } = await admin.storage
		.from(bucket)
		.upload(name, Buffer.from(text), { contentType });
	if (error) throw error;
}

beforeAll(async () => {
	platform = await startTestPlatform();
	world = await createTenancyWorld(platform.db.url);
	admin = connect(platform.serviceRoleKey);
	const { orgA, orgB } = world;
	await put('org-files', `${orgA}/logo.txt`, 'a logo');
	await put('org-files', `${orgA}/Spring/brief.txt`, 'a brief');
	await put('org-files', `${orgA}/Spring/.emptyFolderPlaceholder`, '');
	await put('campaign-creatives', `${orgA}/c1/reel.txt`, 'a reel');
	await put('site-public', `${orgA}/hero.txt`, 'a hero');
	await put('org-files', `${orgB}/keep.txt`, 'kept');
}, 180_000);

afterAll(async () => {
	await world?.close();
	await platform?.stop();
});

describe('deleting an organization', () => {
	it('leaves a live organization alone', async () => {
		expect(
			await purgeOrgFiles({ db: world.db, storage: () => admin.storage }, { orgId: world.orgB })
		).toBe(0);
		expect(await objectsOf(world.orgB)).toEqual([`org-files:${world.orgB}/keep.txt`]);
	});

	it('queues the removal of its files in the same transaction, and the task removes rows and bytes', async () => {
		const { orgA, orgB } = world;
		expect(await objectsOf(orgA)).toHaveLength(5);
		expect(await bytesOnDisk()).toBe(6);

		const deleted = await withRls(world.db, world.users.owner.claims, (trx) =>
			orgs.remove(trx, orgA)
		);
		expect(deleted).toBe(true);
		const jobs = await sql<{ key: string }>`
			select key from graphile_worker.jobs
			 where task_identifier = 'files_org_purge'`.execute(world.db);
		expect(jobs.rows).toEqual([{ key: `files_org_purge:${orgA}` }]);
		// Until the task runs, the objects are still there (Storage owns them).
		expect(await objectsOf(orgA)).toHaveLength(5);

		const removed = await purgeOrgFiles(
			{ db: world.db, storage: () => admin.storage },
			{ orgId: orgA }
		);
		expect(removed).toBe(5);
		expect(await objectsOf(orgA)).toEqual([]);
		expect(await bytesOnDisk()).toBe(1);
		expect(await objectsOf(orgB)).toEqual([`org-files:${orgB}/keep.txt`]);
		const kept = await admin.storage.from('org-files').download(`${orgB}/keep.txt`);
		expect(await kept.data?.text()).toBe('kept');

		const orphans = await platform.pool.query('select * from private.files_orphans()');
		expect(orphans.rows).toEqual([]);

		// Run again (a retried job): nothing left to do.
		expect(
			await purgeOrgFiles({ db: world.db, storage: () => admin.storage }, { orgId: orgA })
		).toBe(0);
	});

	it('refuses a payload without an organization id', async () => {
		await expect(
			purgeOrgFiles({ db: world.db, storage: () => admin.storage }, { orgId: 'nope' })
		).rejects.toThrow();
	});
});
