// An organization's influencer records: read one, add (by hand or from the
// marketplace), edit, move on the board, delete. Every function takes the
// request's RLS transaction; the database enforces the pipeline, the unique
// handles and who may write (influencers.write).
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';
import type { InfluencerStatus, SocialPlatform } from '../../influencers/pipeline.ts';
import { InfluencerNotFoundError, MarketplaceInfluencerNotFoundError } from './errors.ts';
import { handlesOf, type InfluencerInput } from './schemas.ts';

export type Handle = {
	platform: SocialPlatform;
	handle: string;
	profileUrl: string | null;
	/** The marketplace profile it came from (its page in the marketplace), if any. */
	marketplaceProfileId: string | null;
};

export type Influencer = {
	id: string;
	name: string;
	status: InfluencerStatus;
	statusChangedAt: string;
	ownerId: string | null;
	ownerName: string | null;
	tags: string[];
	notes: string;
	email: string | null;
	phone: string | null;
	lastContactedAt: string | null;
	marketplaceInfluencerId: string | null;
	createdAt: string;
	updatedAt: string;
	handles: Handle[];
};

const iso = (v: Date | string | null): string | null => (v instanceof Date ? v.toISOString() : v);

export async function handlesFor(
	trx: Trx,
	orgId: string,
	ids: readonly string[]
): Promise<Map<string, Handle[]>> {
	const out = new Map<string, Handle[]>();
	if (ids.length === 0) return out;
	const rows = await trx
		.selectFrom('influencer_handles')
		.select(['influencer_id', 'platform', 'handle', 'profile_url', 'marketplace_profile_id'])
		.where('org_id', '=', orgId)
		.where('influencer_id', 'in', ids)
		.orderBy('platform')
		.execute();
	for (const r of rows) {
		const list = out.get(r.influencer_id) ?? [];
		list.push({
			platform: r.platform,
			handle: r.handle,
			profileUrl: r.profile_url,
			marketplaceProfileId: r.marketplace_profile_id
		});
		out.set(r.influencer_id, list);
	}
	return out;
}

/** One record with its handles; InfluencerNotFoundError when the caller cannot see it. */
export async function get(trx: Trx, orgId: string, id: string): Promise<Influencer> {
	const r = await trx
		.selectFrom('influencers as i')
		.leftJoin('profiles as p', 'p.id', 'i.owner_id')
		.select([
			'i.id',
			'i.name',
			'i.status',
			'i.status_changed_at',
			'i.owner_id',
			'p.full_name as owner_name',
			'p.email as owner_email',
			'i.tags',
			'i.notes',
			'i.email',
			'i.phone',
			'i.last_contacted_at',
			'i.marketplace_influencer_id',
			'i.created_at',
			'i.updated_at'
		])
		.where('i.org_id', '=', orgId)
		.where('i.id', '=', id)
		.executeTakeFirst();
	if (!r) throw new InfluencerNotFoundError();
	const handles = await handlesFor(trx, orgId, [id]);
	return {
		id: r.id,
		name: r.name,
		status: r.status,
		statusChangedAt: iso(r.status_changed_at)!,
		ownerId: r.owner_id,
		ownerName: r.owner_id ? r.owner_name || r.owner_email || 'A teammate' : null,
		tags: r.tags,
		notes: r.notes,
		email: r.email,
		phone: r.phone,
		lastContactedAt: iso(r.last_contacted_at),
		marketplaceInfluencerId: r.marketplace_influencer_id,
		createdAt: iso(r.created_at)!,
		updatedAt: iso(r.updated_at)!,
		handles: handles.get(id) ?? []
	};
}

/** Writes the form's handles: removed platforms deleted, others inserted or changed. */
async function saveHandles(trx: Trx, orgId: string, id: string, input: InfluencerInput) {
	const wanted = handlesOf(input);
	const keep = wanted.map((h) => h.platform);
	let gone = trx
		.deleteFrom('influencer_handles')
		.where('org_id', '=', orgId)
		.where('influencer_id', '=', id);
	if (keep.length) gone = gone.where('platform', 'not in', keep);
	await gone.execute();
	for (const h of wanted) {
		// One statement per platform: a taken handle is refused by name (handle_taken).
		await trx
			.insertInto('influencer_handles')
			.values({ org_id: orgId, influencer_id: id, platform: h.platform, handle: h.handle })
			.onConflict((oc) =>
				oc
					.columns(['influencer_id', 'platform'])
					.doUpdateSet({ handle: h.handle })
					.where('influencer_handles.handle', '<>', h.handle)
			)
			.execute();
	}
}

/** Adds a record by hand; returns its id. */
export async function create(trx: Trx, orgId: string, input: InfluencerInput): Promise<string> {
	const row = await trx
		.insertInto('influencers')
		.values({
			org_id: orgId,
			name: input.name,
			email: input.email,
			phone: input.phone,
			notes: input.notes,
			owner_id: input.ownerId,
			tags: input.tags
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	await saveHandles(trx, orgId, row.id, input);
	return row.id;
}

/** Changes a record's details and handles; InfluencerNotFoundError when hidden or gone. */
export async function update(
	trx: Trx,
	orgId: string,
	id: string,
	input: InfluencerInput
): Promise<void> {
	const r = await trx
		.updateTable('influencers')
		.set({
			name: input.name,
			email: input.email,
			phone: input.phone,
			notes: input.notes,
			owner_id: input.ownerId,
			tags: input.tags
		})
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	if (r.numUpdatedRows === 0n) throw new InfluencerNotFoundError();
	await saveHandles(trx, orgId, id, input);
}

/** Just the notes (the record page's quick note box). */
export async function saveNotes(trx: Trx, orgId: string, id: string, notes: string): Promise<void> {
	const r = await trx
		.updateTable('influencers')
		.set({ notes })
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	if (r.numUpdatedRows === 0n) throw new InfluencerNotFoundError();
}

/**
 * Adds a marketplace influencer to the organization's list: their name and
 * every platform handle copied, linked to the marketplace. Already in the
 * list: returns that record (created false) rather than a second one.
 */
export async function addFromMarketplace(
	trx: Trx,
	orgId: string,
	marketplaceInfluencerId: string
): Promise<{ id: string; created: boolean }> {
	const existing = await trx
		.selectFrom('influencers')
		.select('id')
		.where('org_id', '=', orgId)
		.where('marketplace_influencer_id', '=', marketplaceInfluencerId)
		.executeTakeFirst();
	if (existing) return { id: existing.id, created: false };
	const source = await trx
		.selectFrom('marketplace_influencers')
		.select(['id', 'display_name'])
		.where('id', '=', marketplaceInfluencerId)
		.executeTakeFirst();
	if (!source) throw new MarketplaceInfluencerNotFoundError();
	const row = await trx
		.insertInto('influencers')
		.values({
			org_id: orgId,
			name: source.display_name.slice(0, 120),
			marketplace_influencer_id: source.id
		})
		.onConflict((oc) => oc.columns(['org_id', 'marketplace_influencer_id']).doNothing())
		.returning('id')
		.executeTakeFirst();
	if (!row) {
		// Added by someone else a moment ago.
		const again = await trx
			.selectFrom('influencers')
			.select('id')
			.where('org_id', '=', orgId)
			.where('marketplace_influencer_id', '=', marketplaceInfluencerId)
			.executeTakeFirstOrThrow();
		return { id: again.id, created: false };
	}
	await sql`
		insert into public.influencer_handles (org_id, influencer_id, platform, handle, profile_url, marketplace_profile_id)
		select ${orgId}, ${row.id}, p.platform, p.handle, p.profile_url, p.id
		  from public.marketplace_profiles p
		 where p.influencer_id = ${marketplaceInfluencerId}
		 order by p.platform`.execute(trx);
	return { id: row.id, created: true };
}

/** Moves a card: into a column, right after a card (null: the top). One row update. */
export async function move(
	trx: Trx,
	orgId: string,
	id: string,
	status: InfluencerStatus,
	afterId: string | null
): Promise<void> {
	const visible = await trx
		.selectFrom('influencers')
		.select('id')
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	if (!visible) throw new InfluencerNotFoundError();
	await sql`select public.move_influencer(${id}, ${status}::public.influencer_status, ${afterId}::uuid)`.execute(
		trx
	);
}

/** Deletes one record (its handles and outreach history go with it). */
export async function remove(trx: Trx, orgId: string, id: string): Promise<void> {
	const r = await trx
		.deleteFrom('influencers')
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	if (r.numDeletedRows === 0n) throw new InfluencerNotFoundError();
}

/** How many records are in each column (the home page card, the board's headers). */
export async function pipelineCounts(
	trx: Trx,
	orgId: string
): Promise<Record<InfluencerStatus, number>> {
	const rows = await trx
		.selectFrom('influencers')
		.select(['status', (eb) => eb.fn.countAll<string>().as('n')])
		.where('org_id', '=', orgId)
		.groupBy('status')
		.execute();
	const counts: Record<InfluencerStatus, number> = { cold: 0, active: 0, final: 0 };
	for (const r of rows) counts[r.status] = Number(r.n);
	return counts;
}

/** Which marketplace influencers are already in the organization's list (the marketplace's "In your list"). */
export async function inList(
	trx: Trx,
	orgId: string,
	marketplaceInfluencerIds: readonly string[]
): Promise<Map<string, string>> {
	if (marketplaceInfluencerIds.length === 0) return new Map();
	const rows = await trx
		.selectFrom('influencers')
		.select(['id', 'marketplace_influencer_id'])
		.where('org_id', '=', orgId)
		.where('marketplace_influencer_id', 'in', marketplaceInfluencerIds)
		.execute();
	return new Map(rows.map((r) => [r.marketplace_influencer_id!, r.id]));
}
