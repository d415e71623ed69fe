// Creative files in Storage, through supabase-js against the platform's
// /storage/v1 as the browser sends them: a member of organization B can
// neither read, list, sign, overwrite, move, delete nor upload into
// organization A's `campaign-creatives` folders; and once a version is
// approved its file is locked for everyone signed in (migration
// creative_files_locked): its uploader cannot overwrite, move or delete it,
// nor can an owner, while a version still waiting for review stays theirs to
// remove.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStorageTarget, type StorageTarget } from '../storage/support.ts';

type User = Awaited<ReturnType<StorageTarget['signedInUser']>>;

const BUCKET = 'campaign-creatives';
let target: StorageTarget;
let memberA: User;
let ownerA: User;
let outsider: User;
let orgA: string;
let campaignId: string;
let folder: string;
const video = (label: string) => new Blob([`video ${label}`], { type: 'video/mp4' });

async function sql<T extends Record<string, unknown>>(text: string, values: unknown[] = []) {
	return (await target.platform!.pool.query<T>(text, values)).rows;
}

async function organization(owner: User, name: string): Promise<string> {
	const [row] = await sql<{ id: string }>(
		`insert into public.organizations (name, slug, created_by) values ($1, $2, $3) returning id`,
		[name, `${name.toLowerCase()}-${randomUUID().slice(0, 8)}`, owner.id]
	);
	return row!.id;
}

const creatives = (user: User) => user.client.storage.from(BUCKET);
const objects = async (name: string) =>
	(
		await sql<{ n: number }>(
			'select count(*)::int as n from storage.objects where bucket_id = $1 and name = $2',
			[BUCKET, name]
		)
	)[0]!.n;
const read = async (user: User, name: string) =>
	(await (await creatives(user).download(name)).data?.text()) ?? null;

beforeAll(async () => {
	target = await startStorageTarget();
	if (!target.platform) return;
	ownerA = await target.signedInUser();
	memberA = await target.signedInUser();
	outsider = await target.signedInUser();
	orgA = await organization(ownerA, 'Acme');
	await organization(outsider, 'Beta');
	await sql(`insert into public.members (org_id, user_id, role) values ($1, $2, 'member')`, [
		orgA,
		memberA.id
	]);
	const [brand] = await sql<{ id: string }>(
		`insert into public.brands (org_id, name) values ($1, 'Northwind') returning id`,
		[orgA]
	);
	const [campaign] = await sql<{ id: string }>(
		`insert into public.campaigns (org_id, kind, brand_id, name)
		 values ($1, 'influencer', $2, 'Spring launch') returning id`,
		[orgA, brand!.id]
	);
	campaignId = campaign!.id;
	folder = `${orgA}/${campaignId}`;
}, 120_000);
afterAll(async () => {
	await target?.stop();
});

describe.runIf(!process.env.SUPABASE_URL)('creative files in Storage', () => {
	it('walls organization A’s creatives off from a member of organization B', async () => {
		const reel = `${folder}/reel.mp4`;
		expect((await creatives(memberA).upload(reel, video('v1'))).error).toBeNull();
		expect(await read(memberA, reel)).toBe('video v1');

		const theirs = creatives(outsider);
		expect((await theirs.download(reel)).error).not.toBeNull();
		expect((await theirs.list(folder)).data ?? []).toEqual([]);
		expect((await theirs.createSignedUrl(reel, 60)).error).not.toBeNull();
		expect((await theirs.upload(`${folder}/forged.mp4`, video('forged'))).error).not.toBeNull();
		expect((await theirs.upload(reel, video('forged'), { upsert: true })).error).not.toBeNull();
		expect((await theirs.move(reel, `${folder}/moved.mp4`)).error).not.toBeNull();
		expect((await theirs.remove([reel])).data ?? []).toEqual([]);
		// Nor under their own prefix with A's campaign folder: the path's first
		// segment names the organization, and it is not theirs to read.
		expect((await theirs.createSignedUploadUrl(`${folder}/late.mp4`)).error).not.toBeNull();

		expect(await objects(`${folder}/forged.mp4`)).toBe(0);
		expect(await objects(`${folder}/late.mp4`)).toBe(0);
		expect(await read(memberA, reel)).toBe('video v1');
	});

	it('locks an approved version’s file for its uploader and the owner alike', async () => {
		const cut = `${folder}/approved-cut.mp4`;
		const draft = `${folder}/draft-cut.mp4`;
		expect((await creatives(memberA).upload(cut, video('approved'))).error).toBeNull();
		expect((await creatives(memberA).upload(draft, video('draft'))).error).toBeNull();
		const [requirement] = await sql<{ id: string }>(
			`insert into public.creative_requirements (org_id, campaign_id, deliverable, platform)
			 values ($1, $2, 'reel', 'instagram') returning id`,
			[orgA, campaignId]
		);
		const [asset] = await sql<{ id: string }>(
			`insert into public.creative_assets (org_id, campaign_id, requirement_id, title)
			 values ($1, $2, $3, 'Cut') returning id`,
			[orgA, campaignId, requirement!.id]
		);
		const version = async (path: string) =>
			(
				await sql<{ id: string }>(
					`insert into public.creative_asset_versions (org_id, asset_id, storage_path, file_name, mime_type, size_bytes)
					 values ($1, $2, $3, 'cut.mp4', 'video/mp4', 14) returning id`,
					[orgA, asset!.id, path]
				)
			)[0]!.id;
		const approved = await version(cut);
		await version(draft);
		await sql(`update public.creative_asset_versions set status = 'approved' where id = $1`, [
			approved
		]);

		for (const user of [memberA, ownerA]) {
			const mine = creatives(user);
			expect((await mine.upload(cut, video('swapped'), { upsert: true })).error).not.toBeNull();
			expect((await mine.move(cut, `${folder}/renamed.mp4`)).error).not.toBeNull();
			expect((await mine.remove([cut])).data ?? []).toEqual([]);
		}
		expect(await objects(cut)).toBe(1);
		expect(await read(ownerA, cut)).toBe('video approved');

		// A version still waiting for review is not locked: its uploader may remove the file.
		expect((await creatives(memberA).remove([draft])).data?.map((o) => o.name)).toEqual([draft]);
		expect(await objects(draft)).toBe(0);
	});
});
