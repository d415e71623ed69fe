// Campaigns: create, read one with its wizard sections, save a section
// (optimistic: a stale save comes back as a conflict with the section as it
// is now), submit (every step checked with the wizard's zod schemas, then
// submit_campaign() snapshots and applies it), change status. RLS and the
// database's triggers decide who may do what and which transitions are legal.
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';
import {
	problemsOf,
	stepsFor,
	type CampaignKind,
	type CampaignStatus,
	type Problem,
	type SectionKey
} from '../../campaigns/steps.ts';
import { CampaignIncompleteError, CampaignNotFoundError } from './errors.ts';

export type Section = {
	data: Record<string, unknown>;
	revision: number;
	updatedBy: string | null;
	updatedAt: string;
};

export type Campaign = {
	id: string;
	kind: CampaignKind;
	status: CampaignStatus;
	name: string;
	description: string;
	objective: string;
	brandId: string;
	brandName: string;
	folderId: string | null;
	ownerId: string | null;
	startsAt: string | null;
	endsAt: string | null;
	timeZone: string;
	budgetAmount: string | null;
	currency: string | null;
	version: number;
	submittedVersion: number | null;
	statusChangedAt: string;
	createdAt: string;
	updatedAt: string;
};

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));

export async function create(
	trx: Trx,
	orgId: string,
	input: { kind: CampaignKind; name: string; brandId: string; folderId?: string | null }
): Promise<string> {
	const row = await trx
		.insertInto('campaigns')
		.values({
			org_id: orgId,
			kind: input.kind,
			name: input.name,
			brand_id: input.brandId,
			folder_id: input.folderId ?? null
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}

export async function get(trx: Trx, orgId: string, id: string): Promise<Campaign> {
	const row = await trx
		.selectFrom('campaigns as c')
		.innerJoin('brands as b', 'b.id', 'c.brand_id')
		.select([
			'c.id',
			'c.kind',
			'c.status',
			'c.name',
			'c.description',
			'c.objective',
			'c.brand_id',
			'b.name as brand_name',
			'c.folder_id',
			'c.owner_id',
			'c.starts_at',
			'c.ends_at',
			'c.time_zone',
			'c.budget_amount',
			'c.currency',
			'c.version',
			'c.submitted_version',
			'c.status_changed_at',
			'c.created_at',
			'c.updated_at'
		])
		.where('c.org_id', '=', orgId)
		.where('c.id', '=', id)
		.executeTakeFirst();
	if (!row) throw new CampaignNotFoundError();
	return {
		id: row.id,
		kind: row.kind,
		status: row.status,
		name: row.name,
		description: row.description,
		objective: row.objective,
		brandId: row.brand_id,
		brandName: row.brand_name,
		folderId: row.folder_id,
		ownerId: row.owner_id,
		startsAt: isoOrNull(row.starts_at),
		endsAt: isoOrNull(row.ends_at),
		timeZone: row.time_zone,
		budgetAmount: row.budget_amount === null ? null : String(row.budget_amount),
		currency: row.currency,
		version: row.version,
		submittedVersion: row.submitted_version,
		statusChangedAt: iso(row.status_changed_at),
		createdAt: iso(row.created_at),
		updatedAt: iso(row.updated_at)
	};
}

/** Every wizard section of a campaign, by key. */
export async function sections(
	trx: Trx,
	orgId: string,
	id: string
): Promise<Partial<Record<SectionKey, Section>>> {
	const rows = await trx
		.selectFrom('campaign_sections')
		.select(['section', 'data', 'revision', 'updated_by', 'updated_at'])
		.where('org_id', '=', orgId)
		.where('campaign_id', '=', id)
		.execute();
	const out: Partial<Record<SectionKey, Section>> = {};
	for (const r of rows)
		out[r.section as SectionKey] = {
			data: r.data as Record<string, unknown>,
			revision: r.revision,
			updatedBy: r.updated_by,
			updatedAt: iso(r.updated_at)
		};
	return out;
}

export type SaveResult =
	| { saved: true; revision: number; version: number }
	| {
			saved: false;
			/** The section as someone else saved it since the caller's revision. */
			current: Section;
			version: number;
	  };

/** Saves a section if nobody saved it since `baseRevision`; else returns it as it is now. */
export async function saveSection(
	trx: Trx,
	id: string,
	section: SectionKey,
	data: Record<string, unknown>,
	baseRevision: number
): Promise<SaveResult> {
	const { rows } = await sql<{
		saved: boolean;
		revision: number;
		data: Record<string, unknown>;
		updated_by: string | null;
		updated_at: Date;
		version: number;
	}>`select saved, revision, data, updated_by, updated_at, version
	     from public.save_campaign_section(${id}, ${section}, ${JSON.stringify(data)}::jsonb, ${baseRevision})`.execute(
		trx
	);
	const r = rows[0]!;
	return r.saved
		? { saved: true, revision: r.revision, version: r.version }
		: {
				saved: false,
				version: r.version,
				current: {
					data: r.data,
					revision: r.revision,
					updatedBy: r.updated_by,
					updatedAt: iso(r.updated_at)
				}
			};
}

/** Checks every step, then writes the next numbered submission. Returns its version. */
export async function submit(trx: Trx, orgId: string, id: string): Promise<number> {
	const campaign = await get(trx, orgId, id);
	const all = await sections(trx, orgId, id);
	const data = Object.fromEntries(Object.entries(all).map(([k, s]) => [k, s.data]));
	const problems = problemsOf(campaign.kind, data);
	if (!problems.length)
		problems.push(...(await missingReferences(trx, orgId, campaign.kind, data)));
	if (problems.length) throw new CampaignIncompleteError(problems);
	const { rows } = await sql<{
		version: number;
	}>`select public.submit_campaign(${id}) as version`.execute(trx);
	return rows[0]!.version;
}

/**
 * Audiences deleted or products archived since they were picked: named as
 * problems of their step rather than left to fail the submission.
 */
async function missingReferences(
	trx: Trx,
	orgId: string,
	kind: CampaignKind,
	data: Partial<Record<SectionKey, unknown>>
): Promise<Problem[]> {
	const out: Problem[] = [];
	const steps = stepsFor(kind).map((s) => s.key);
	const audienceIds = steps.includes('audience')
		? ((data.audience as { audience_ids?: string[] } | undefined)?.audience_ids ?? [])
		: [];
	if (audienceIds.length) {
		const found = await trx
			.selectFrom('audiences')
			.select('id')
			.where('org_id', '=', orgId)
			.where('id', 'in', audienceIds)
			.execute();
		if (found.length < new Set(audienceIds).size)
			out.push({
				step: 'audience',
				label: 'Audience',
				field: 'audience_ids',
				message: 'An audience you picked has been deleted: pick another.'
			});
	}
	const lines = steps.includes('products')
		? ((data.products as { lines?: { product_id: string }[] } | undefined)?.lines ?? [])
		: [];
	if (lines.length) {
		const ids = lines.map((l) => l.product_id);
		const rows = await trx
			.selectFrom('products')
			.select(['id', 'name', 'archived_at'])
			.where('org_id', '=', orgId)
			.where('id', 'in', ids)
			.execute();
		for (const [i, line] of lines.entries()) {
			const row = rows.find((r) => r.id === line.product_id);
			if (!row || row.archived_at)
				out.push({
					step: 'products',
					label: 'Products',
					field: `lines.${i}.product_id`,
					message: row
						? `“${row.name}” is archived: remove it or restore it in the catalogue.`
						: 'A product you picked has been deleted: remove it.'
				});
		}
	}
	return out;
}

/** Moves a campaign to another status; the database refuses what is not allowed. */
export async function setStatus(
	trx: Trx,
	orgId: string,
	id: string,
	status: CampaignStatus
): Promise<void> {
	const result = await trx
		.updateTable('campaigns')
		.set({ status })
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	if (result.numUpdatedRows === 0n) throw new CampaignNotFoundError();
}

/** Moves a campaign into a folder (or out of any, with null). */
export async function moveToFolder(
	trx: Trx,
	orgId: string,
	id: string,
	folderId: string | null
): Promise<void> {
	const result = await trx
		.updateTable('campaigns')
		.set({ folder_id: folderId })
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	if (result.numUpdatedRows === 0n) throw new CampaignNotFoundError();
}

/** Deletes a draft or cancelled campaign (the database refuses the others). */
export async function remove(trx: Trx, orgId: string, id: string): Promise<void> {
	const result = await trx
		.deleteFrom('campaigns')
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	if (result.numDeletedRows === 0n) throw new CampaignNotFoundError();
}

/** The statuses a campaign may move to from its own (what the database allows). */
export function nextStatuses(status: CampaignStatus): CampaignStatus[] {
	switch (status) {
		case 'draft':
			return ['scheduled', 'active', 'cancelled'];
		case 'scheduled':
			return ['active', 'draft', 'cancelled'];
		case 'active':
			return ['completed', 'cancelled'];
		default:
			return [];
	}
}
