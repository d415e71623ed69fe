// Writing collaborations. The database holds the rules (status machines,
// same-organization campaign and influencer, deliverables from the campaign's
// brief, seeding forward only); these functions check what the form can tell
// early, name the field at fault, and write everything of one action in the
// request's transaction (a refusal anywhere leaves nothing half-written).
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';
import { CollaborationInputError, CollaborationNotFoundError } from './errors.ts';
import type {
	InviteInput,
	LinkInput,
	ProductInput,
	ShipmentInput,
	StatusInput
} from './schemas.ts';

/** The collaboration, if it is on this campaign of this organization. */
async function collaborationOf(trx: Trx, orgId: string, campaignId: string, id: string) {
	const row = await trx
		.selectFrom('collaborations')
		.select(['id', 'status'])
		.where('org_id', '=', orgId)
		.where('campaign_id', '=', campaignId)
		.where('id', '=', id)
		.executeTakeFirst();
	if (!row) throw new CollaborationNotFoundError();
	return row;
}

/**
 * Invites an influencer of the CRM to the campaign with a rate and the lines
 * of the brief they deliver (a count of 0 leaves a line out). Returns the id.
 */
export async function invite(
	trx: Trx,
	orgId: string,
	campaignId: string,
	input: InviteInput
): Promise<string> {
	const chosen = input.deliverables.filter((d) => d.count > 0);
	if (new Set(chosen.map((d) => d.requirement_id)).size !== chosen.length)
		throw new CollaborationInputError('deliverables', 'Each line of the brief is listed once.');
	const created = await trx
		.insertInto('collaborations')
		.values({
			org_id: orgId,
			campaign_id: campaignId,
			influencer_id: input.influencer_id,
			// numeric, exactly as typed (never through a float).
			rate_amount: sql<number>`${input.rate_amount}::numeric`,
			rate_currency: input.rate_currency
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	if (chosen.length)
		await trx
			.insertInto('collaboration_deliverables')
			.values(
				chosen.map((d) => ({
					org_id: orgId,
					campaign_id: campaignId,
					collaboration_id: created.id,
					requirement_id: d.requirement_id,
					count: d.count
				}))
			)
			.execute();
	return created.id;
}

/** Records the influencer's answer (accepted / rejected) or completes the collaboration. */
export async function setStatus(
	trx: Trx,
	orgId: string,
	campaignId: string,
	input: StatusInput
): Promise<void> {
	await collaborationOf(trx, orgId, campaignId, input.collaboration_id);
	// A move the machine does not allow is refused by the database, with its reason.
	const result = await trx
		.updateTable('collaborations')
		.set({ status: input.status })
		.where('org_id', '=', orgId)
		.where('id', '=', input.collaboration_id)
		.executeTakeFirst();
	if (Number(result.numUpdatedRows) !== 1) throw new CollaborationNotFoundError();
}

/** Sets the tracking link's destination and the promo code (empty clears them). */
export async function setLink(
	trx: Trx,
	orgId: string,
	campaignId: string,
	input: LinkInput
): Promise<void> {
	await collaborationOf(trx, orgId, campaignId, input.collaboration_id);
	await trx
		.updateTable('collaborations')
		.set({ link_url: input.link_url ?? null, promo_code: input.promo_code ?? null })
		.where('org_id', '=', orgId)
		.where('id', '=', input.collaboration_id)
		.execute();
}

/** Chooses a product of the catalogue to send to the influencer. */
export async function addProduct(
	trx: Trx,
	orgId: string,
	campaignId: string,
	input: ProductInput
): Promise<void> {
	await collaborationOf(trx, orgId, campaignId, input.collaboration_id);
	const product = await trx
		.selectFrom('products')
		.select(['id', 'archived_at'])
		.where('org_id', '=', orgId)
		.where('id', '=', input.product_id)
		.executeTakeFirst();
	if (!product || product.archived_at)
		throw new CollaborationInputError('product_id', 'Pick one of the catalogue’s products.', 422);
	await trx
		.insertInto('collaboration_products')
		.values({
			org_id: orgId,
			collaboration_id: input.collaboration_id,
			product_id: input.product_id,
			quantity: input.quantity
		})
		.execute();
}

/** Moves a seeded product to a later step (with its tracking number and carrier once shipped). */
export async function moveProduct(
	trx: Trx,
	orgId: string,
	campaignId: string,
	input: ShipmentInput
): Promise<void> {
	const line = await sql<{ id: string; tracking_number: string | null; carrier: string | null }>`
		select s.id, s.tracking_number, s.carrier from public.collaboration_products s
		  join public.collaborations c on c.org_id = s.org_id and c.id = s.collaboration_id
		 where s.org_id = ${orgId} and s.id = ${input.seeding_id} and c.campaign_id = ${campaignId}`.execute(
		trx
	);
	const current = line.rows[0];
	if (!current) throw new CollaborationNotFoundError('That product is not sent for this campaign.');
	const tracking = input.tracking_number ?? current.tracking_number;
	const carrier = input.carrier ?? current.carrier;
	if ((input.status === 'shipped' || input.status === 'delivered') && !tracking)
		throw new CollaborationInputError(
			'tracking_number',
			'Enter the tracking number of the parcel.'
		);
	if ((input.status === 'shipped' || input.status === 'delivered') && !carrier)
		throw new CollaborationInputError('carrier', 'Enter who carries the parcel.');
	await trx
		.updateTable('collaboration_products')
		.set({ status: input.status, tracking_number: tracking, carrier })
		.where('org_id', '=', orgId)
		.where('id', '=', input.seeding_id)
		.execute();
}

/** Which collaboration each of a campaign's creative deliverables belongs to (none: not an influencer's). */
export async function assetOwners(
	trx: Trx,
	orgId: string,
	campaignId: string
): Promise<Map<string, string>> {
	const rows = await trx
		.selectFrom('creative_assets')
		.select(['id', 'collaboration_id'])
		.where('org_id', '=', orgId)
		.where('campaign_id', '=', campaignId)
		.where('collaboration_id', 'is not', null)
		.execute();
	return new Map(rows.map((r) => [r.id, r.collaboration_id!]));
}
