// What the collaboration tests share: a tenancy world (org A with every role,
// org B), influencer campaigns and influencers of either organization, and a
// way to catch what the database refuses as the app would map it.
import { sql } from 'kysely';
import { mapDbError, type MappedDbError } from '../../src/lib/server/db/errors.ts';
import { createContactsWorld, type ContactsWorld } from '../contacts/world.ts';

export type CollabsWorld = ContactsWorld & {
	campaign(orgId: string, kind?: string): Promise<string>;
	influencer(orgId: string, name?: string): Promise<string>;
	requirement(orgId: string, campaignId: string): Promise<string>;
	product(orgId: string, sku: string): Promise<string>;
	/** A collaboration written as superuser (the rules apply to every writer). */
	collaboration(orgId: string, campaignId: string, influencerId: string): Promise<string>;
};

export async function createCollabsWorld(): Promise<CollabsWorld> {
	const w = await createContactsWorld();
	const id = async (q: ReturnType<typeof sql<{ id: string }>>) =>
		(await q.execute(w.db)).rows[0]!.id;
	return {
		...w,
		campaign: async (orgId, kind = 'influencer') => {
			const brand = await id(
				sql<{ id: string }>`insert into public.brands (org_id, name)
				  values (${orgId}, ${'Brand ' + Math.random()}) returning id`
			);
			return id(
				sql<{ id: string }>`insert into public.campaigns (org_id, kind, brand_id, name)
				  values (${orgId}, ${kind}::public.campaign_kind, ${brand}, 'Summer drop') returning id`
			);
		},
		influencer: (orgId, name = `Creator ${Math.random().toString(36).slice(2, 8)}`) =>
			id(
				sql<{
					id: string;
				}>`insert into public.influencers (org_id, name) values (${orgId}, ${name}) returning id`
			),
		requirement: (orgId, campaignId) =>
			id(
				sql<{
					id: string;
				}>`insert into public.creative_requirements (org_id, campaign_id, deliverable, platform, count)
				  values (${orgId}, ${campaignId}, 'reel', 'instagram', 2) returning id`
			),
		product: (orgId, sku) =>
			id(
				sql<{ id: string }>`insert into public.products (org_id, name, sku, price, currency)
				  values (${orgId}, ${sku}, ${sku}, 20, 'EUR') returning id`
			),
		collaboration: (orgId, campaignId, influencerId) =>
			id(
				sql<{
					id: string;
				}>`insert into public.collaborations (org_id, campaign_id, influencer_id, rate_amount, rate_currency)
				  values (${orgId}, ${campaignId}, ${influencerId}, 300, 'EUR') returning id`
			)
	};
}

/** What the database refused, as the app maps it; fails when it was not refused. */
export async function refusal(promise: Promise<unknown>): Promise<MappedDbError> {
	try {
		await promise;
	} catch (e) {
		const mapped = mapDbError(e);
		if (mapped) return mapped;
		throw e;
	}
	throw new Error('expected the database to refuse');
}
