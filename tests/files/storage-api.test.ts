// Tenancy of the app's buckets through Storage itself: real users, signed in with
// supabase-js against the platform's Auth and /storage/v1, each request checked by
// the `files` migration's policies as Supabase Storage checks them. A member of
// organization A gets nothing of organization B's (uploading, downloading,
// listing, signing, moving, copying, removing), a viewer cannot upload, a member
// cannot delete a teammate's file but an admin can, signed URLs open only the
// path and the time they were made for, and a refused upload (plain or
// resumable) leaves no bytes on disk and no row. tests/files/storage-policies
// checks the same policies statement by statement in SQL.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createClient } from '@supabase/supabase-js';
import { Upload } from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import { createDatabase, type Database } from '../../src/lib/server/db/client.ts';
import { addMember, createOrganization } from '../helpers/tenancy.ts';
import type { TestUser } from '../helpers/users.ts';

type Who = 'owner' | 'admin' | 'member' | 'viewer' | 'target' | 'outsider';

/** supabase-js's client as createClient makes it for an untyped schema. */
type Client = ReturnType<typeof createClient>;
let platform: TestPlatform;
let db: Database;
const users = {} as Record<Who, TestUser>;
let admin: Client;
const clients = {} as Record<Who, Client>;
const tokens = {} as Record<Who, string>;
const text = (s: string) => Buffer.from(s, 'utf8');
/** Storage-js sends a Buffer as text/plain;charset=UTF-8, which the buckets' MIME lists do not name. */
const TXT = { contentType: 'text/plain' };
let A: string;
let B: string;

/** supabase-js against the platform, without a session of its own. */
function connect(key: string, accessToken?: () => Promise<string>): Client {
	return createClient(platform.apiUrl, key, {
		auth: { persistSession: false, autoRefreshToken: false },
		...(accessToken ? { accessToken } : {})
	});
}
const unauthenticated = () => connect(platform.anonKey);

/** A confirmed user made through the Auth API, signed in as the app's browser signs in. */
async function signUp(who: Who): Promise<void> {
	const email = `${who}-${crypto.randomUUID().slice(0, 8)}@example.test`;
	const password = `pw-${crypto.randomUUID()}`;
	const created = await admin.auth.admin.createUser({ email, password, email_confirm: true });
	if (created.error) throw created.error;
	const { data, error } = await unauthenticated().auth.signInWithPassword({ email, password });
	if (error || !data.session) throw error ?? new Error('no session');
	const id = data.session.user.id;
	users[who] = {
		id,
		email,
		claims: { sub: id, role: 'authenticated', email, aud: 'authenticated' }
	};
	tokens[who] = data.session.access_token;
	clients[who] = connect(platform.anonKey, () => Promise.resolve(data.session.access_token));
}

async function filesOnDisk(): Promise<string[]> {
	const found: string[] = [];
	const walk = async (dir: string): Promise<void> => {
		for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
			if (entry.isDirectory()) await walk(join(dir, entry.name));
			else found.push(join(dir, entry.name));
		}
	};
	await walk(platform.storageDir);
	return found.sort();
}

async function snapshot() {
	const { rows } = await platform.pool.query<{ objects: number; files: number }>(
		`select (select count(*)::int from storage.objects) as objects,
		        (select count(*)::int from public.files) as files`
	);
	return { ...rows[0]!, disk: await filesOnDisk() };
}

function refused(error: unknown, statusCode: string) {
	const e = error as { statusCode?: string } | null;
	expect(e, 'Storage should refuse').not.toBeNull();
	expect(e!.statusCode).toBe(statusCode);
}

beforeAll(async () => {
	platform = await startTestPlatform();
	db = createDatabase(platform.db.url, 2);
	admin = connect(platform.serviceRoleKey);
	for (const who of ['owner', 'admin', 'member', 'viewer', 'target', 'outsider'] as const)
		await signUp(who);
	const suffix = users.owner.id.slice(0, 6);
	A = await createOrganization(db, users.owner, 'Acme', `acme-${suffix}`);
	B = await createOrganization(db, users.outsider, 'Beta', `beta-${suffix}`);
	await addMember(platform.db.url, A, users.admin, 'admin');
	await addMember(platform.db.url, A, users.member, 'member');
	await addMember(platform.db.url, A, users.viewer, 'viewer');
	await addMember(platform.db.url, A, users.target, 'member');
	// B's files, uploaded by B's owner; A's teammate's file.
	for (const [bucket, name] of [
		['org-files', `${B}/secret.txt`],
		['org-files', `${B}/Plans/q3.txt`],
		['campaign-creatives', `${B}/c/reel.txt`]
	] as const) {
		const { error } = await clients.outsider.storage
			.from(bucket)
			.upload(name, text(`B ${name}`), TXT);
		if (error) throw error;
	}
	const theirs = await clients.target.storage
		.from('org-files')
		.upload(`${A}/teammate.txt`, text('by a teammate'), TXT);
	if (theirs.error) throw theirs.error;
}, 180_000);

afterAll(async () => {
	platform?.clock.reset();
	await db?.destroy();
	await platform?.stop();
});

describe("a member of A and organization B's files", () => {
	it("cannot upload into B's folder, in any bucket, plainly or signed; nothing is left behind", async () => {
		const before = await snapshot();
		const storage = clients.member.storage;
		for (const bucket of ['org-files', 'campaign-creatives', 'site-public']) {
			const plain = await storage
				.from(bucket)
				.upload(`${B}/planted.txt`, text('x'.repeat(4096)), TXT);
			refused(plain.error, '403');
			const multipart = await storage
				.from(bucket)
				.upload(`${B}/planted-2.txt`, new Blob([text('y'.repeat(4096))], { type: 'text/plain' }));
			refused(multipart.error, '403');
			refused((await storage.from(bucket).createSignedUploadUrl(`${B}/planted.txt`)).error, '403');
		}
		// Upsert over B's file: refused, and B's bytes are untouched.
		const upsert = await storage
			.from('org-files')
			.upload(`${B}/secret.txt`, text('overwritten'), { ...TXT, upsert: true });
		refused(upsert.error, '403');
		expect(await snapshot()).toEqual(before);
		const still = await clients.outsider.storage.from('org-files').download(`${B}/secret.txt`);
		expect(await still.data?.text()).toBe(`B ${B}/secret.txt`);
	});

	it("cannot upload into B's folder resumably either: no part file, no row", async () => {
		const before = await snapshot();
		const outcome = await new Promise<{ status: number | undefined }>((resolve) => {
			const upload = new Upload(Buffer.alloc(7 << 20, 3), {
				endpoint: `${platform.apiUrl}/storage/v1/upload/resumable`,
				chunkSize: 6 << 20,
				retryDelays: [],
				headers: { authorization: `Bearer ${tokens.member}`, apikey: platform.anonKey },
				metadata: {
					bucketName: 'org-files',
					objectName: `${B}/big.bin`,
					contentType: 'application/zip'
				},
				onError: (error) =>
					resolve({
						status: (
							error as { originalResponse?: { getStatus(): number } }
						).originalResponse?.getStatus()
					}),
				onSuccess: () => resolve({ status: 200 })
			});
			upload.start();
		});
		expect(outcome.status).toBeGreaterThanOrEqual(400);
		expect(outcome.status).toBeLessThan(500);
		expect(await snapshot()).toEqual(before);
	});

	it("finds nothing of B's to download, list, sign, move, copy or remove", async () => {
		const files = clients.member.storage.from('org-files');
		refused((await files.download(`${B}/secret.txt`)).error, '404');
		expect((await files.list(B)).data).toEqual([]);
		expect((await files.list(`${B}/Plans`)).data).toEqual([]);
		expect((await files.exists(`${B}/secret.txt`)).data).toBe(false);
		refused((await files.info(`${B}/secret.txt`)).error, '404');
		refused((await files.createSignedUrl(`${B}/secret.txt`, 60)).error, '404');
		const signed = await files.createSignedUrls([`${B}/secret.txt`], 60);
		expect(signed.data?.[0]?.signedUrl ?? null).toBeNull();
		refused((await files.move(`${B}/secret.txt`, `${A}/stolen.txt`)).error, '404');
		refused((await files.copy(`${B}/secret.txt`, `${A}/stolen.txt`)).error, '404');
		expect((await files.remove([`${B}/secret.txt`, `${B}/Plans/q3.txt`])).data).toEqual([]);
		refused(
			(await clients.member.storage.from('campaign-creatives').download(`${B}/c/reel.txt`)).error,
			'404'
		);
		// B's files are all still there, and nothing of A's was made from them.
		const { rows } = await platform.pool.query<{ name: string }>(
			`select name from storage.objects where name like $1 or name = $2 order by name`,
			[`${B}/%`, `${A}/stolen.txt`]
		);
		expect(rows.map((r) => r.name)).toEqual([
			`${B}/Plans/q3.txt`,
			`${B}/c/reel.txt`,
			`${B}/secret.txt`
		]);
	});

	it("cannot move or copy one of A's files into B's folder", async () => {
		const files = clients.member.storage.from('org-files');
		expect((await files.upload(`${A}/mine.txt`, text('mine'), TXT)).error).toBeNull();
		refused((await files.move(`${A}/mine.txt`, `${B}/mine.txt`)).error, '403');
		refused((await files.copy(`${A}/mine.txt`, `${B}/mine.txt`)).error, '403');
		expect((await files.exists(`${A}/mine.txt`)).data).toBe(true);
		expect((await admin.storage.from('org-files').exists(`${B}/mine.txt`)).data).toBe(false);
	});
});

describe('roles within an organization', () => {
	it('a viewer reads but cannot upload, in any way', async () => {
		const before = await snapshot();
		const files = clients.viewer.storage.from('org-files');
		expect(await (await files.download(`${A}/teammate.txt`)).data?.text()).toBe('by a teammate');
		refused((await files.upload(`${A}/viewer.txt`, text('v'), TXT)).error, '403');
		refused((await files.createSignedUploadUrl(`${A}/viewer.txt`)).error, '403');
		expect((await files.remove([`${A}/teammate.txt`])).data).toEqual([]);
		expect(await snapshot()).toEqual(before);
	});

	it("a member cannot delete or rename a teammate's file; an admin can delete it", async () => {
		const mine = clients.member.storage.from('org-files');
		expect((await mine.remove([`${A}/teammate.txt`])).data).toEqual([]);
		refused((await mine.move(`${A}/teammate.txt`, `${A}/renamed.txt`)).error, '404');
		expect((await admin.storage.from('org-files').exists(`${A}/teammate.txt`)).data).toBe(true);

		const disk = (await filesOnDisk()).length;
		const removed = await clients.admin.storage.from('org-files').remove([`${A}/teammate.txt`]);
		expect(removed.data?.map((o) => o.name)).toEqual([`${A}/teammate.txt`]);
		expect((await filesOnDisk()).length).toBe(disk - 1);
		const { rows } = await platform.pool.query('select 1 from public.files where name = $1', [
			`${A}/teammate.txt`
		]);
		expect(rows).toEqual([]);
	});
});

describe('signed URLs', () => {
	it('open only the path they were made for, until they expire', async () => {
		const files = clients.member.storage.from('org-files');
		expect((await files.upload(`${A}/signed.txt`, text('signed'), TXT)).error).toBeNull();
		const { data, error } = await files.createSignedUrl(`${A}/signed.txt`, 60);
		expect(error).toBeNull();
		const ok = await fetch(data!.signedUrl);
		expect(ok.status).toBe(200);
		expect(await ok.text()).toBe('signed');

		// The token of A's file on B's path: refused.
		const swapped = await fetch(data!.signedUrl.replace(`${A}/signed.txt`, `${B}/secret.txt`));
		expect(swapped.status).toBe(400);
		expect(await swapped.json()).toMatchObject({ statusCode: '400', code: 'InvalidSignature' });

		platform.clock.advance(61_000);
		try {
			const expired = await fetch(data!.signedUrl);
			expect(expired.status).toBe(400);
			expect(await expired.json()).toMatchObject({ statusCode: '400', code: 'ExpiredToken' });
		} finally {
			platform.clock.reset();
		}
	});

	it('no orphan on either side after all of it', async () => {
		const { rows } = await platform.pool.query('select * from private.files_orphans()');
		expect(rows).toEqual([]);
	});
});
