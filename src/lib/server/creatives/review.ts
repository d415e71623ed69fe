// Writing to a campaign's creatives: a file submitted against a brief line (a
// new deliverable or a new version of one), a review decision, a comment. Each
// runs in the request's RLS transaction; the database decides who may write
// and refuses what the rules forbid (an approved version stays as it is). The
// checks here come first so a person is told which field is wrong and why.
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';
import * as files from '../files/index.ts';
import { kindProblem } from '../../creatives/kinds.ts';
import { CreativeInputError, CreativePermissionError } from './errors.ts';
import type { CommentInput, ReviewInput, SubmitInput } from './schemas.ts';

export const BUCKET = 'campaign-creatives';

/** Where a campaign's creatives are uploaded: `<org id>/<campaign id>/…` in campaign-creatives. */
export function folderOf(campaignId: string): string {
	return campaignId;
}

async function requirementOf(trx: Trx, orgId: string, campaignId: string, id: string) {
	const row = await trx
		.selectFrom('creative_requirements')
		.select(['id', 'accepted_kinds'])
		.where('org_id', '=', orgId)
		.where('campaign_id', '=', campaignId)
		.where('id', '=', id)
		.executeTakeFirst();
	if (!row) throw new CreativeInputError('requirement_id', 'Pick a line of this campaign’s brief.');
	return row;
}

/** The version, if it is one of this campaign's (else a 404: another campaign's is not shown). */
async function versionOf(trx: Trx, orgId: string, campaignId: string, id: string) {
	const row = await trx
		.selectFrom('creative_asset_versions as v')
		.innerJoin('creative_assets as a', (j) =>
			j.onRef('a.org_id', '=', 'v.org_id').onRef('a.id', '=', 'v.asset_id')
		)
		.select(['v.id', 'v.status'])
		.where('v.org_id', '=', orgId)
		.where('a.campaign_id', '=', campaignId)
		.where('v.id', '=', id)
		.executeTakeFirst();
	if (!row)
		throw new CreativeInputError('version_id', 'That version is not part of this campaign.', 404);
	return row;
}

/**
 * Submits a file for review: a new deliverable (with its title) or a new
 * version of one. The file is read from the catalogue, not from the post: it
 * must be in this campaign's creatives folder and of a kind the requirement
 * takes. Returns the new version's id and number.
 */
export async function submit(
	trx: Trx,
	orgId: string,
	campaignId: string,
	input: SubmitInput
): Promise<{ assetId: string; versionId: string; version: number }> {
	const requirement = await requirementOf(trx, orgId, campaignId, input.requirement_id);
	const file = await files.get(trx, orgId, input.file_id);
	if (
		!file ||
		file.bucket !== BUCKET ||
		!file.objectName.startsWith(`${orgId}/${folderOf(campaignId)}/`)
	)
		throw new CreativeInputError(
			'file_id',
			'Upload the file from this page so it is stored with the campaign.'
		);
	const problem = kindProblem(requirement.accepted_kinds, file.mimeType, file.name);
	if (problem) throw new CreativeInputError('file_id', problem, 422);

	let assetId = input.asset_id;
	if (assetId) {
		const asset = await trx
			.selectFrom('creative_assets')
			.select('id')
			.where('org_id', '=', orgId)
			.where('campaign_id', '=', campaignId)
			.where('requirement_id', '=', requirement.id)
			.where('id', '=', assetId)
			.executeTakeFirst();
		if (!asset) throw new CreativeInputError('asset_id', 'Pick one of this line’s deliverables.');
	} else {
		const created = await trx
			.insertInto('creative_assets')
			.values({
				org_id: orgId,
				campaign_id: campaignId,
				requirement_id: requirement.id,
				title: input.title,
				collaboration_id: input.collaboration_id ?? null
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		assetId = created.id;
	}
	// The version number, status and submitter are the database's to set (a
	// trigger numbers versions under a lock on the deliverable).
	const { rows } = await sql<{ id: string; version: number }>`
		insert into public.creative_asset_versions
		       (org_id, asset_id, storage_path, file_name, mime_type, size_bytes, note)
		values (${orgId}, ${assetId}, ${file.objectName}, ${file.name},
		        ${file.mimeType ?? 'application/octet-stream'}, ${file.size}, ${input.note})
		returning id, version`.execute(trx);
	const version = rows[0]!;
	return { assetId, versionId: version.id, version: version.version };
}

/**
 * A reviewer's decision on a version, with an optional comment written in the
 * same transaction. `canReview` is whether the person holds campaigns.review:
 * without it nothing is read or written (the database's policies would filter
 * the update out regardless).
 */
export async function review(
	trx: Trx,
	orgId: string,
	campaignId: string,
	input: ReviewInput,
	canReview: boolean
): Promise<void> {
	if (!canReview)
		throw new CreativePermissionError('Only reviewers can approve creatives or ask for changes.');
	await versionOf(trx, orgId, campaignId, input.version_id);
	if (input.comment)
		await trx
			.insertInto('creative_comments')
			.values({ org_id: orgId, version_id: input.version_id, body: input.comment })
			.execute();
	// An approved or already reviewed version is refused by the database with its reason.
	const result = await trx
		.updateTable('creative_asset_versions')
		.set({ status: input.decision })
		.where('org_id', '=', orgId)
		.where('id', '=', input.version_id)
		.executeTakeFirst();
	if (Number(result.numUpdatedRows) !== 1) throw new CreativePermissionError();
}

/** A comment on a version, or a reply to one of its comments. */
export async function comment(
	trx: Trx,
	orgId: string,
	campaignId: string,
	input: CommentInput
): Promise<string> {
	await versionOf(trx, orgId, campaignId, input.version_id);
	if (input.parent_id) {
		const parent = await trx
			.selectFrom('creative_comments')
			.select('id')
			.where('org_id', '=', orgId)
			.where('version_id', '=', input.version_id)
			.where('id', '=', input.parent_id)
			.executeTakeFirst();
		if (!parent) throw new CreativeInputError('parent_id', 'Reply to a comment on this version.');
	}
	const row = await trx
		.insertInto('creative_comments')
		.values({
			org_id: orgId,
			version_id: input.version_id,
			parent_id: input.parent_id ?? null,
			body: input.body
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}
