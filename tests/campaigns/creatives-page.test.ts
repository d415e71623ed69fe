// The campaign creatives page's load and actions as SvelteKit calls them,
// against a real database under RLS: a member submits a file from the
// campaign's creatives folder against a brief line (wrong kinds, files from
// elsewhere and bad input refused with the field and nothing written), a
// reviewer asks for changes with a comment and approves a new version, an
// approved version's refusal is surfaced as words, comments thread, and
// forged posts (a viewer's upload, a member's review, another organization's
// request) are refused with a 4xx and write nothing.
import { isHttpError } from '@sveltejs/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignsSummary } from '../../src/lib/server/dashboard/campaigns.ts';
import { withRls, type Trx } from '../../src/lib/server/db/rls.ts';
import * as orgs from '../../src/lib/server/orgs/index.ts';
import {
	actions,
	load
} from '../../src/routes/(app)/[org=slug]/campaigns/[id=uuid]/creatives/+page.server.ts';
import type { Persona } from '../helpers/tenancy.ts';
import { campaignWorld, createCampaign, type CampaignWorld } from './world.ts';

type Who = Exclude<Persona, 'anon'>;
type Answer = { status?: number; data?: Record<string, unknown> } & Record<string, unknown>;

let w: CampaignWorld;
let slug: string;
let campaignId: string;
let otherCampaignId: string;
/** Takes videos only. */
let reelLine: string;
let otherCampaignLine: string;
const file: Record<string, string> = {};

async function storedFile(orgId: string, bucket: string, name: string, mime: string) {
	// The catalogue row is written by Storage's trigger, seen by the next statement.
	await w.admin.query(
		`insert into storage.objects (bucket_id, name, owner_id, metadata)
		 values ($1, $2, $3, jsonb_build_object('size', 2048, 'mimetype', $4::text))`,
		[bucket, name, w.world.users.member.id, mime]
	);
	const { rows } = await w.admin.query<{ id: string }>(
		'select id from public.files where bucket_id = $1 and name = $2',
		[bucket, name]
	);
	return rows[0]!.id;
}

beforeAll(async () => {
	w = await campaignWorld();
	slug = (
		await w.admin.query<{ slug: string }>('select slug from public.organizations where id = $1', [
			w.world.orgA
		])
	).rows[0]!.slug;
	campaignId = await createCampaign(w);
	otherCampaignId = await createCampaign(w, 'member', { name: 'Autumn' });
	const line = async (campaign: string, kinds: string) =>
		(
			await w.admin.query<{ id: string }>(
				`insert into public.creative_requirements (org_id, campaign_id, deliverable, platform, format, count, due_on, accepted_kinds)
				 values ($1, $2, 'reel', 'instagram', '9:16', 2, '2099-03-15', $3) returning id`,
				[w.world.orgA, campaign, kinds]
			)
		).rows[0]!.id;
	reelLine = await line(campaignId, '{video}');
	otherCampaignLine = await line(otherCampaignId, '{}');
	const folder = `${w.world.orgA}/${campaignId}`;
	file.reel = await storedFile(
		w.world.orgA,
		'campaign-creatives',
		`${folder}/reel.mp4`,
		'video/mp4'
	);
	file.reel2 = await storedFile(
		w.world.orgA,
		'campaign-creatives',
		`${folder}/reel-v2.mp4`,
		'video/mp4'
	);
	file.cover = await storedFile(
		w.world.orgA,
		'campaign-creatives',
		`${folder}/cover.png`,
		'image/png'
	);
	file.elsewhere = await storedFile(
		w.world.orgA,
		'org-files',
		`${w.world.orgA}/Brand/clip.mp4`,
		'video/mp4'
	);
	file.otherCampaign = await storedFile(
		w.world.orgA,
		'campaign-creatives',
		`${w.world.orgA}/${otherCampaignId}/clip.mp4`,
		'video/mp4'
	);
	file.otherOrg = await storedFile(
		w.world.orgB,
		'campaign-creatives',
		`${w.world.orgB}/${campaignId}/clip.mp4`,
		'video/mp4'
	);
});
afterAll(() => w.close());

/** What SvelteKit hands the page's load and actions (the parts they read). */
async function pageEvent(who: Who, form?: Record<string, string>, orgSlug = slug) {
	const user = w.world.users[who];
	const slug = orgSlug;
	const db = <T>(fn: (trx: Trx) => Promise<T>) => withRls(w.world.db, w.world.claims(who), fn);
	const org = await db((trx) => orgs.findBySlug(trx, slug, user.id));
	const permissions = org ? await db((trx) => orgs.permissionsOf(trx, org.id, user.id)) : [];
	const url = new URL(`http://app.test/${slug}/campaigns/${campaignId}/creatives`);
	return {
		params: { org: slug, id: campaignId },
		url,
		route: { id: '/(app)/[org=slug]/campaigns/[id=uuid]/creatives' },
		request: form
			? new Request(url, { method: 'POST', body: new URLSearchParams(form) })
			: new Request(url),
		locals: { user: { id: user.id, email: '' }, db },
		parent: () => Promise.resolve({ org, permissions })
	} as never;
}

async function act(
	name: keyof typeof actions,
	who: Who,
	form: Record<string, string>,
	orgSlug = slug
) {
	try {
		return (await actions[name]!(await pageEvent(who, form, orgSlug))) as Answer;
	} catch (e) {
		if (isHttpError(e)) return { status: e.status, data: { message: e.body.message } } as Answer;
		throw e;
	}
}
const statusOf = (a: Answer) => a.status ?? 200;
const dataOf = (a: Answer) => (a.data ?? a) as { field?: string | null; message?: string | null };

async function count(table: string): Promise<number> {
	const { rows } = await w.admin.query<{ n: number }>(
		`select count(*)::int as n from public.${table} where org_id = $1`,
		[w.world.orgA]
	);
	return rows[0]!.n;
}
const snapshot = async () => ({
	assets: await count('creative_assets'),
	versions: await count('creative_asset_versions'),
	comments: await count('creative_comments'),
	events: (
		await w.admin.query<{ n: number }>(
			`select count(*)::int as n from public.events where org_id = $1 and type like 'creative.%'`,
			[w.world.orgA]
		)
	).rows[0]!.n
});
async function statusOfVersion(id: string) {
	const { rows } = await w.admin.query<{ status: string }>(
		'select status from public.creative_asset_versions where id = $1',
		[id]
	);
	return rows[0]?.status;
}

let assetId: string;
let firstVersion: string;
let secondVersion: string;

describe('submitting a creative', () => {
	it('refuses bad input with the field and the reason, writing nothing', async () => {
		const before = await snapshot();
		const cases: [Record<string, string>, number, string, RegExp][] = [
			[{ requirement_id: reelLine, file_id: file.reel!, title: '' }, 400, 'title', /title/i],
			[
				{ requirement_id: 'nope', file_id: file.reel!, title: 'Reel' },
				400,
				'requirement_id',
				/brief/
			],
			[{ requirement_id: reelLine, file_id: '', title: 'Reel' }, 400, 'file_id', /file/i],
			[
				{ requirement_id: reelLine, file_id: file.reel!, title: 'x'.repeat(201) },
				400,
				'title',
				/200/
			],
			// An image for a line that takes videos: the file field, and why.
			[
				{ requirement_id: reelLine, file_id: file.cover!, title: 'Cover' },
				422,
				'file_id',
				/takes videos; “cover\.png” is an image/
			],
			// Files that are not this campaign's creatives.
			[
				{ requirement_id: reelLine, file_id: file.elsewhere!, title: 'Clip' },
				400,
				'file_id',
				/this page/
			],
			[
				{ requirement_id: reelLine, file_id: file.otherCampaign!, title: 'Clip' },
				400,
				'file_id',
				/this page/
			],
			[
				{ requirement_id: reelLine, file_id: file.otherOrg!, title: 'Clip' },
				400,
				'file_id',
				/this page/
			],
			// Another campaign's brief line, or a deliverable that is not this line's.
			[
				{ requirement_id: otherCampaignLine, file_id: file.reel!, title: 'Clip' },
				400,
				'requirement_id',
				/brief/
			],
			[
				{ requirement_id: reelLine, asset_id: crypto.randomUUID(), file_id: file.reel! },
				400,
				'asset_id',
				/deliverables/
			]
		];
		for (const [form, status, field, message] of cases) {
			const answer = await act('submit', 'member', form);
			expect({ form, status: statusOf(answer) }).toEqual({ form, status });
			expect(dataOf(answer).field).toBe(field);
			expect(dataOf(answer).message).toMatch(message);
		}
		expect(await snapshot()).toEqual(before);
	});

	it('refuses a viewer’s forged upload and writes nothing', async () => {
		const before = await snapshot();
		const answer = await act('submit', 'viewer', {
			requirement_id: reelLine,
			file_id: file.reel!,
			title: 'Forged'
		});
		expect(statusOf(answer)).toBe(403);
		expect(await snapshot()).toEqual(before);
	});

	it('refuses a request about another organization’s campaign as not found', async () => {
		const before = await snapshot();
		const form = { requirement_id: reelLine, file_id: file.reel!, title: 'Forged' };
		// Through organization A's address (not theirs), then through their own.
		expect(statusOf(await act('submit', 'outsider', form))).toBe(404);
		const own = (
			await w.admin.query<{ slug: string }>('select slug from public.organizations where id = $1', [
				w.world.orgB
			])
		).rows[0]!.slug;
		expect(statusOf(await act('submit', 'outsider', form, own))).toBe(404);
		await expect(load(await pageEvent('outsider', undefined, own))).rejects.toMatchObject({
			status: 404
		});
		expect(await snapshot()).toEqual(before);
	});

	it('stores a new deliverable as version 1, waiting for review, with creative.submitted', async () => {
		const answer = await act('submit', 'member', {
			requirement_id: reelLine,
			file_id: file.reel!,
			title: 'Trail reel',
			note: 'First cut'
		});
		expect(statusOf(answer)).toBe(200);
		const page = (await load(await pageEvent('viewer'))) as Awaited<ReturnType<typeof load>> & {
			brief: import('../../src/lib/server/creatives/index.ts').CreativeRequirement[];
		};
		const line = page.brief.find((r) => r.id === reelLine)!;
		expect(line).toMatchObject({
			dueOn: '2099-03-15',
			count: 2,
			acceptedKinds: ['video'],
			progress: { approved: 0, pending: 1, changesRequested: 0, missing: 2 }
		});
		expect(line.assets).toHaveLength(1);
		const asset = line.assets[0]!;
		expect(asset.title).toBe('Trail reel');
		expect(asset.versions).toMatchObject([
			{
				version: 1,
				fileName: 'reel.mp4',
				mimeType: 'video/mp4',
				size: 2048,
				note: 'First cut',
				status: 'pending',
				submittedBy: 'Mia Member'
			}
		]);
		assetId = asset.id;
		firstVersion = asset.versions[0]!.id;
		const { rows } = await w.admin.query(
			`select 1 from public.events where type = 'creative.submitted' and subject_id = $1`,
			[assetId]
		);
		expect(rows).toHaveLength(1);
		// The home page counts it among the creatives to review.
		const home = await w.as('viewer', (trx) => campaignsSummary(trx, w.world.orgA));
		expect(home.creativesWaiting).toBe(1);
	});
});

describe('reviewing', () => {
	it('refuses a member’s forged review: nothing changes, no comment is written', async () => {
		const before = await snapshot();
		const answer = await act('review', 'member', {
			version_id: firstVersion,
			decision: 'approved',
			comment: 'Looks great to me'
		});
		expect(statusOf(answer)).toBe(403);
		expect(await statusOfVersion(firstVersion)).toBe('pending');
		expect(await snapshot()).toEqual(before);
	});

	it('refuses an unknown decision or a version of another campaign', async () => {
		expect(
			statusOf(await act('review', 'admin', { version_id: firstVersion, decision: 'maybe' }))
		).toBe(400);
		const stranger = await act('review', 'admin', {
			version_id: crypto.randomUUID(),
			decision: 'approved'
		});
		expect(statusOf(stranger)).toBe(404);
		expect(dataOf(stranger).field).toBe('version_id');
	});

	it('lets a reviewer ask for changes with a comment, and the member answer in the thread', async () => {
		const answer = await act('review', 'admin', {
			version_id: firstVersion,
			decision: 'changes_requested',
			comment: 'The logo is too small.'
		});
		expect(statusOf(answer)).toBe(200);
		expect(await statusOfVersion(firstVersion)).toBe('changes_requested');
		const { rows } = await w.admin.query<{ id: string }>(
			`select id from public.creative_comments where version_id = $1`,
			[firstVersion]
		);
		expect(rows).toHaveLength(1);
		const reply = await act('comment', 'member', {
			version_id: firstVersion,
			parent_id: rows[0]!.id,
			body: 'Bigger in version 2.'
		});
		expect(statusOf(reply)).toBe(200);
		const page = (await load(await pageEvent('member'))) as unknown as {
			brief: import('../../src/lib/server/creatives/index.ts').CreativeRequirement[];
		};
		const version = page.brief.find((r) => r.id === reelLine)!.assets[0]!.versions[0]!;
		expect(version).toMatchObject({ status: 'changes_requested', reviewedBy: 'Adam Admin' });
		expect(version.comments).toMatchObject([
			{
				body: 'The logo is too small.',
				author: 'Adam Admin',
				replies: [{ body: 'Bigger in version 2.', author: 'Mia Member', replies: [] }]
			}
		]);
	});

	it('refuses bad comments and a viewer’s forged comment, writing nothing', async () => {
		const before = await snapshot();
		const empty = await act('comment', 'member', { version_id: firstVersion, body: '   ' });
		expect(statusOf(empty)).toBe(400);
		expect(dataOf(empty).field).toBe('body');
		const strayParent = await act('comment', 'member', {
			version_id: firstVersion,
			parent_id: crypto.randomUUID(),
			body: 'Reply to nothing'
		});
		expect(statusOf(strayParent)).toBe(400);
		expect(dataOf(strayParent).field).toBe('parent_id');
		expect(
			statusOf(await act('comment', 'viewer', { version_id: firstVersion, body: 'Viewer says' }))
		).toBe(403);
		expect(await snapshot()).toEqual(before);
	});

	it('approves a new version, which then refuses any review with its reason', async () => {
		const answer = await act('submit', 'member', {
			requirement_id: reelLine,
			asset_id: assetId,
			file_id: file.reel2!
		});
		expect(statusOf(answer)).toBe(200);
		const { rows } = await w.admin.query<{ id: string; version: number }>(
			`select id, version from public.creative_asset_versions where asset_id = $1 order by version desc limit 1`,
			[assetId]
		);
		expect(rows[0]!.version).toBe(2);
		secondVersion = rows[0]!.id;
		expect(
			statusOf(await act('review', 'owner', { version_id: secondVersion, decision: 'approved' }))
		).toBe(200);
		expect(await statusOfVersion(secondVersion)).toBe('approved');

		const before = await snapshot();
		const again = await act('review', 'admin', {
			version_id: secondVersion,
			decision: 'changes_requested',
			comment: 'Second thoughts'
		});
		expect(statusOf(again)).toBe(422);
		expect(dataOf(again).message).toMatch(/approved and can no longer be changed/);
		expect(await statusOfVersion(secondVersion)).toBe('approved');
		expect(await snapshot()).toEqual(before);

		const page = (await load(await pageEvent('viewer'))) as unknown as {
			brief: import('../../src/lib/server/creatives/index.ts').CreativeRequirement[];
		};
		expect(page.brief.find((r) => r.id === reelLine)!.progress).toEqual({
			approved: 1,
			pending: 0,
			changesRequested: 0,
			missing: 1
		});
	});
});
