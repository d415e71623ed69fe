// Uploaded import files hold personal data and must not outlive their use: a cut-off
// upload leaves no partial file, a completed import removes its file at once, a draft
// never started or an import that failed or was cancelled keeps it 24 hours (to start
// again) and then loses it, and deleting an organization removes all of its files.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withRls } from '../../src/lib/server/db/rls.ts';
import * as imports from '../../src/lib/server/imports/index.ts';
import * as orgs from '../../src/lib/server/orgs/index.ts';
import * as uploadRoute from '../../src/routes/(app)/[org=slug]/imports/upload/+server.ts';
import { runContactImport } from '../../src/worker/contacts-import.ts';
import { cleanupImportFiles } from '../../src/worker/contacts-import-files.ts';
import type { ContactDeps } from '../../src/worker/contacts-deps.ts';
import { createOrganization } from '../helpers/tenancy.ts';
import { createContactsWorld, type ContactsWorld } from './world.ts';

let w: ContactsWorld;
let dir: string;
let deps: ContactDeps;
let slugA: string;
const savedDir = process.env.IMPORT_FILES_DIR;

beforeAll(async () => {
	w = await createContactsWorld();
	dir = await mkdtemp(join(tmpdir(), 'gd-import-files-'));
	// The upload route uses the store the app and worker share.
	process.env.IMPORT_FILES_DIR = dir;
	deps = { db: w.db, connectionString: w.testDb.url, store: new imports.LocalFileStore(dir) };
	const mine = await w.as('member', (trx) => orgs.listMine(trx, w.users.member.id));
	slugA = mine.find((o) => o.id === w.orgA)!.slug;
});
afterAll(async () => {
	if (savedDir === undefined) delete process.env.IMPORT_FILES_DIR;
	else process.env.IMPORT_FILES_DIR = savedDir;
	await w.cleanup();
	await rm(dir, { recursive: true, force: true });
});

const fileOf = (orgId: string, importId: string) => join(dir, orgId, importId);
const filesOf = async (orgId: string) => readdir(join(dir, orgId)).catch(() => [] as string[]);

async function upload(data: string, orgId = w.orgA, persona: 'member' | 'owner' = 'member') {
	const { job } = await w.as(persona, (trx) =>
		imports.upload(trx, deps.store, orgId, { fileName: 'people.csv', data: Buffer.from(data) })
	);
	expect(existsSync(fileOf(orgId, job.id))).toBe(true);
	return job.id;
}

const start = (id: string, mapping: imports.Target[] = ['email']) =>
	w.as('member', (trx) =>
		imports.start(trx, deps.store, w.orgA, id, {
			mapping,
			options: { skipInvalidRows: false, tagIds: [] }
		})
	);

async function importCount() {
	const { rows } = await sql<{ n: number }>`
		select count(*)::int as n from public.contact_imports where org_id = ${w.orgA}`.execute(w.db);
	return rows[0]!.n;
}

/** The queued cleanup job of a key, with how long until it runs. */
async function cleanupJob(key: string) {
	const { rows } = await sql<{ payload: unknown; hours: number }>`
		select payload, (extract(epoch from run_at - now()) / 3600)::float8 as hours
		  from graphile_worker._private_jobs where key = ${key}`.execute(w.db);
	return rows[0];
}

describe('an upload cut off half-way', () => {
	it('leaves no partial file and no import', async () => {
		const before = await filesOf(w.orgA);
		const importsBefore = await importCount();
		const body = new ReadableStream<Uint8Array>({
			start(controller) {
				controller.enqueue(new TextEncoder().encode('email\n' + 'someone@x.test\n'.repeat(5000)));
			},
			pull(controller) {
				controller.error(new Error('the connection was reset'));
			}
		});
		const url = new URL(`http://app.test/${slugA}/imports/upload`);
		const event = {
			url,
			params: { org: slugA },
			request: new Request(url, {
				method: 'POST',
				body,
				duplex: 'half',
				headers: { 'x-file-name': 'people.csv' }
			} as RequestInit),
			locals: {
				user: { id: w.users.member.id, email: w.users.member.email },
				db: <T>(fn: Parameters<typeof withRls<T>>[2]) => withRls(w.db, w.claims('member'), fn)
			}
		} as unknown as Parameters<typeof uploadRoute.POST>[0];
		const failure = await Promise.resolve(uploadRoute.POST(event)).then(
			() => null,
			(e: unknown) => e
		);
		expect(failure).not.toBeNull();
		expect(await filesOf(w.orgA)).toEqual(before);
		expect(await importCount()).toBe(importsBefore);
	});
});

describe('after the import', () => {
	it('a completed import removes its file at once', async () => {
		const id = await upload('email\ndone@x.test\n');
		await start(id);
		expect((await runContactImport(deps, id)).status).toBe('completed');
		expect(existsSync(fileOf(w.orgA, id))).toBe(false);
	});

	it('a failed import keeps its file 24 hours to start again, then it is removed', async () => {
		const id = await upload('email\nnot-an-email\n');
		await start(id);
		expect((await runContactImport(deps, id)).status).toBe('failed');
		expect(existsSync(fileOf(w.orgA, id))).toBe(true);
		const job = await cleanupJob(`contacts_import_files_cleanup:${id}`);
		expect(job?.payload).toEqual({ orgId: w.orgA, importId: id });
		expect(job?.hours).toBeGreaterThan(23.9);
		expect(job?.hours).toBeLessThanOrEqual(24);
		await cleanupImportFiles(deps, job!.payload);
		expect(existsSync(fileOf(w.orgA, id))).toBe(false);
	});

	it('a cancelled import, and a draft never started, lose their file after 24 hours', async () => {
		const cancelled = await upload('email\nc@x.test\n');
		await start(cancelled);
		await w.as('member', (trx) => imports.cancel(trx, w.orgA, cancelled));
		const draft = await upload('email\nd@x.test\n');
		for (const id of [cancelled, draft]) {
			const job = await cleanupJob(`contacts_import_files_cleanup:${id}`);
			expect(job?.hours).toBeGreaterThan(23.9);
			await cleanupImportFiles(deps, job!.payload);
			expect(existsSync(fileOf(w.orgA, id))).toBe(false);
		}
	});

	it('a file is kept while its import was started again and is queued or running', async () => {
		const id = await upload('email\nagain@x.test\n');
		const payload = (await cleanupJob(`contacts_import_files_cleanup:${id}`))!.payload;
		await start(id);
		await cleanupImportFiles(deps, payload);
		expect(existsSync(fileOf(w.orgA, id))).toBe(true);
		expect((await runContactImport(deps, id)).status).toBe('completed');
		expect(existsSync(fileOf(w.orgA, id))).toBe(false);
	});
});

describe('deleting the organization', () => {
	it("removes all of the organization's files, and no other's", async () => {
		const orgId = await createOrganization(w.db, w.users.owner, 'Short-lived', 'short-lived');
		const first = await upload('email\none@x.test\n', orgId, 'owner');
		const second = await upload('email\ntwo@x.test\n', orgId, 'owner');
		const keptElsewhere = await upload('email\nkept@x.test\n');
		expect((await filesOf(orgId)).sort()).toEqual([first, second].sort());

		await withRls(w.db, w.users.owner.claims, (trx) => orgs.remove(trx, orgId));
		const job = await cleanupJob(`contacts_import_files_cleanup:${orgId}`);
		expect(job?.payload).toEqual({ orgId });
		expect(job?.hours).toBeLessThanOrEqual(0);
		await cleanupImportFiles(deps, job!.payload);
		expect(existsSync(join(dir, orgId))).toBe(false);
		expect(existsSync(fileOf(w.orgA, keptElsewhere))).toBe(true);
	});
});
