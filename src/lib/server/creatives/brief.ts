// Reading a campaign's creative brief for its creatives page: each requirement
// with what is still missing (creative_requirement_progress), its deliverables,
// their versions newest first, and each version's comments as threads. All in
// the request's RLS transaction: members of the organization read, nobody else.
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';

export type ReviewStatus = 'pending' | 'approved' | 'changes_requested';

export type CreativeComment = {
	id: string;
	parentId: string | null;
	body: string;
	author: string;
	createdAt: string;
	replies: CreativeComment[];
};

export type CreativeVersion = {
	id: string;
	version: number;
	fileName: string;
	mimeType: string;
	size: number;
	/** The object's name in the campaign-creatives bucket. */
	storagePath: string;
	note: string;
	status: ReviewStatus;
	submittedBy: string;
	submittedAt: string;
	reviewedBy: string | null;
	reviewedAt: string | null;
	/** Top-level comments, each with its replies. */
	comments: CreativeComment[];
};

export type CreativeAsset = {
	id: string;
	title: string;
	createdAt: string;
	/** Newest first. */
	versions: CreativeVersion[];
};

export type CreativeRequirement = {
	id: string;
	deliverable: string;
	platform: string;
	format: string;
	count: number;
	/** yyyy-mm-dd, or null when the brief sets no date. */
	dueOn: string | null;
	guidelines: string;
	hashtags: string[];
	mentions: string[];
	acceptedKinds: string[];
	progress: { approved: number; pending: number; changesRequested: number; missing: number };
	assets: CreativeAsset[];
};

/** At most this many deliverables are shown per campaign (a brief asks for at most 100 per line). */
const ASSET_LIMIT = 1000;

const iso = (value: Date | string | null): string | null =>
	value === null ? null : new Date(value).toISOString();

/** A campaign's brief with its deliverables, versions and comments, in the brief's order. */
export async function load(
	trx: Trx,
	orgId: string,
	campaignId: string
): Promise<CreativeRequirement[]> {
	const requirements = await trx
		.selectFrom('creative_requirements as r')
		.leftJoin('creative_requirement_progress as p', 'p.requirement_id', 'r.id')
		.select([
			'r.id',
			'r.deliverable',
			'r.platform',
			'r.format',
			'r.count',
			sql<string | null>`r.due_on::text`.as('due_on'),
			'r.guidelines',
			'r.hashtags',
			'r.mentions',
			'r.accepted_kinds',
			'p.approved',
			'p.pending',
			'p.changes_requested',
			'p.missing'
		])
		.where('r.org_id', '=', orgId)
		.where('r.campaign_id', '=', campaignId)
		.orderBy('r.position')
		.orderBy('r.created_at')
		.execute();
	if (requirements.length === 0) return [];

	const assets = await trx
		.selectFrom('creative_assets')
		.select(['id', 'requirement_id', 'title', 'created_at'])
		.where('org_id', '=', orgId)
		.where('campaign_id', '=', campaignId)
		.orderBy('created_at')
		.orderBy('id')
		.limit(ASSET_LIMIT)
		.execute();
	const assetIds = assets.map((a) => a.id);
	const versions = assetIds.length
		? await trx
				.selectFrom('creative_asset_versions as v')
				.leftJoin('profiles as s', 's.id', 'v.submitted_by')
				.leftJoin('profiles as rv', 'rv.id', 'v.reviewed_by')
				.select([
					'v.id',
					'v.asset_id',
					'v.version',
					'v.file_name',
					'v.mime_type',
					'v.size_bytes',
					'v.storage_path',
					'v.note',
					'v.status',
					'v.submitted_at',
					'v.reviewed_at',
					sql<string | null>`coalesce(nullif(btrim(s.full_name), ''), s.email)`.as('submitter'),
					sql<string | null>`coalesce(nullif(btrim(rv.full_name), ''), rv.email)`.as('reviewer'),
					'v.reviewed_by'
				])
				.where('v.org_id', '=', orgId)
				.where('v.asset_id', 'in', assetIds)
				.orderBy('v.asset_id')
				.orderBy('v.version', 'desc')
				.execute()
		: [];
	const versionIds = versions.map((v) => v.id);
	const comments = versionIds.length
		? await trx
				.selectFrom('creative_comments as c')
				.leftJoin('profiles as a', 'a.id', 'c.author_id')
				.select([
					'c.id',
					'c.version_id',
					'c.parent_id',
					'c.body',
					'c.created_at',
					sql<string | null>`coalesce(nullif(btrim(a.full_name), ''), a.email)`.as('author')
				])
				.where('c.org_id', '=', orgId)
				.where('c.version_id', 'in', versionIds)
				.orderBy('c.created_at')
				.orderBy('c.id')
				.execute()
		: [];

	const threads = new Map<string, CreativeComment[]>();
	const byId = new Map<string, CreativeComment>();
	for (const c of comments) {
		byId.set(c.id, {
			id: c.id,
			parentId: c.parent_id,
			body: c.body,
			author: c.author ?? 'A former member',
			createdAt: iso(c.created_at)!,
			replies: []
		});
	}
	for (const c of comments) {
		const node = byId.get(c.id)!;
		const parent = c.parent_id ? byId.get(c.parent_id) : undefined;
		if (parent) parent.replies.push(node);
		else threads.set(c.version_id, [...(threads.get(c.version_id) ?? []), node]);
	}

	const versionsOf = new Map<string, CreativeVersion[]>();
	for (const v of versions) {
		const list = versionsOf.get(v.asset_id) ?? [];
		list.push({
			id: v.id,
			version: v.version,
			fileName: v.file_name,
			mimeType: v.mime_type,
			size: Number(v.size_bytes),
			storagePath: v.storage_path,
			note: v.note,
			status: v.status,
			submittedBy: v.submitter ?? 'A former member',
			submittedAt: iso(v.submitted_at)!,
			reviewedBy: v.reviewed_by ? (v.reviewer ?? 'A former member') : null,
			reviewedAt: iso(v.reviewed_at),
			comments: threads.get(v.id) ?? []
		});
		versionsOf.set(v.asset_id, list);
	}

	return requirements.map((r) => ({
		id: r.id,
		deliverable: r.deliverable,
		platform: r.platform,
		format: r.format,
		count: r.count,
		dueOn: r.due_on,
		guidelines: r.guidelines,
		hashtags: r.hashtags,
		mentions: r.mentions,
		acceptedKinds: r.accepted_kinds,
		progress: {
			approved: r.approved ?? 0,
			pending: r.pending ?? 0,
			changesRequested: r.changes_requested ?? 0,
			missing: r.missing ?? r.count
		},
		assets: assets
			.filter((a) => a.requirement_id === r.id)
			.map((a) => ({
				id: a.id,
				title: a.title,
				createdAt: iso(a.created_at)!,
				versions: versionsOf.get(a.id) ?? []
			}))
	}));
}

/** Versions waiting for review across the organization (the home page), counted up to a cap. */
export async function waitingForReview(trx: Trx, orgId: string, cap = 1000): Promise<number> {
	const { rows } = await sql<{ n: number }>`
		select count(*)::int as n from (
		  select 1 from public.creative_asset_versions v
		   where v.org_id = ${orgId} and v.status = 'pending' limit ${cap}) x`.execute(trx);
	return rows[0]?.n ?? 0;
}
