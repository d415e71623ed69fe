// Reading collaborations: a campaign's (its Influencers tab), an influencer's
// (the CRM record's Campaigns section), the active ones (home page). All in
// the request's RLS transaction: members of the organization read.
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';
import type { SeedingStatus } from './schemas.ts';

export type CollaborationStatus = 'pending' | 'accepted' | 'rejected' | 'completed';

export type SeededProduct = {
	id: string;
	productId: string;
	name: string;
	sku: string;
	quantity: number;
	status: SeedingStatus;
	trackingNumber: string | null;
	carrier: string | null;
	orderedAt: string | null;
	shippedAt: string | null;
	deliveredAt: string | null;
};

export type Collaboration = {
	id: string;
	influencerId: string;
	influencerName: string;
	status: CollaborationStatus;
	statusChangedAt: string;
	statusChangedBy: string | null;
	rateAmount: string;
	rateCurrency: string;
	note: string;
	linkCode: string;
	linkUrl: string | null;
	promoCode: string | null;
	clicks: number;
	conversions: number;
	/** Lines of the brief delivered, with how many, in the brief's order. */
	deliverables: Array<{ requirementId: string; count: number }>;
	/** Ids of the creative deliverables submitted for this collaboration. */
	assetIds: string[];
	products: SeededProduct[];
};

const iso = (v: Date | string | null): string | null =>
	v === null ? null : new Date(v).toISOString();

/** The collaborations of a campaign, oldest invitation first, with everything the tab shows. */
export async function listForCampaign(
	trx: Trx,
	orgId: string,
	campaignId: string
): Promise<Collaboration[]> {
	const { rows } = await sql<{
		id: string;
		influencer_id: string;
		influencer_name: string;
		status: CollaborationStatus;
		status_changed_at: Date;
		status_changed_by: string | null;
		rate_amount: string;
		rate_currency: string;
		note: string;
		link_code: string;
		link_url: string | null;
		promo_code: string | null;
		clicks: string;
		conversions: string;
		deliverables: Array<{ requirement_id: string; count: number }>;
		asset_ids: string[];
		products: Array<{
			id: string;
			product_id: string;
			name: string;
			sku: string;
			quantity: number;
			status: SeedingStatus;
			tracking_number: string | null;
			carrier: string | null;
			ordered_at: string | null;
			shipped_at: string | null;
			delivered_at: string | null;
		}>;
	}>`
		select c.id, c.influencer_id, i.name as influencer_name, c.status, c.status_changed_at,
		       coalesce(nullif(p.full_name, ''), nullif(p.email, '')) as status_changed_by,
		       c.rate_amount, c.rate_currency, c.note, c.link_code, c.link_url, c.promo_code,
		       (select count(*) from public.collaboration_clicks k
		         where k.org_id = c.org_id and k.collaboration_id = c.id) as clicks,
		       (select count(*) from public.conversions v
		         where v.org_id = c.org_id and v.collaboration_id = c.id) as conversions,
		       coalesce((select jsonb_agg(jsonb_build_object('requirement_id', d.requirement_id, 'count', d.count)
		                                  order by r.position, r.id)
		                   from public.collaboration_deliverables d
		                   join public.creative_requirements r on r.campaign_id = d.campaign_id and r.id = d.requirement_id
		                  where d.org_id = c.org_id and d.collaboration_id = c.id), '[]') as deliverables,
		       coalesce((select array_agg(a.id order by a.created_at) from public.creative_assets a
		                  where a.campaign_id = c.campaign_id and a.collaboration_id = c.id), '{}') as asset_ids,
		       coalesce((select jsonb_agg(jsonb_build_object(
		                          'id', s.id, 'product_id', s.product_id, 'name', pr.name, 'sku', pr.sku,
		                          'quantity', s.quantity, 'status', s.status, 'tracking_number', s.tracking_number,
		                          'carrier', s.carrier, 'ordered_at', s.ordered_at, 'shipped_at', s.shipped_at,
		                          'delivered_at', s.delivered_at) order by s.created_at, s.id)
		                   from public.collaboration_products s
		                   join public.products pr on pr.org_id = s.org_id and pr.id = s.product_id
		                  where s.org_id = c.org_id and s.collaboration_id = c.id), '[]') as products
		  from public.collaborations c
		  join public.influencers i on i.id = c.influencer_id
		  left join public.profiles p on p.id = c.status_changed_by
		 where c.org_id = ${orgId} and c.campaign_id = ${campaignId}
		 order by c.created_at, c.id`.execute(trx);
	return rows.map((r) => ({
		id: r.id,
		influencerId: r.influencer_id,
		influencerName: r.influencer_name,
		status: r.status,
		statusChangedAt: iso(r.status_changed_at)!,
		statusChangedBy: r.status_changed_by,
		rateAmount: String(r.rate_amount),
		rateCurrency: r.rate_currency,
		note: r.note,
		linkCode: r.link_code,
		linkUrl: r.link_url,
		promoCode: r.promo_code,
		clicks: Number(r.clicks),
		conversions: Number(r.conversions),
		deliverables: r.deliverables.map((d) => ({ requirementId: d.requirement_id, count: d.count })),
		assetIds: r.asset_ids,
		products: r.products.map((s) => ({
			id: s.id,
			productId: s.product_id,
			name: s.name,
			sku: s.sku,
			quantity: s.quantity,
			status: s.status,
			trackingNumber: s.tracking_number,
			carrier: s.carrier,
			orderedAt: iso(s.ordered_at),
			shippedAt: iso(s.shipped_at),
			deliveredAt: iso(s.delivered_at)
		}))
	}));
}

export type InfluencerCollaboration = {
	id: string;
	campaignId: string;
	campaignName: string;
	campaignStatus: string;
	status: CollaborationStatus;
	rateAmount: string;
	rateCurrency: string;
	/** Pieces of content agreed (the deliverables' counts added up). */
	deliverablesDue: number;
	/** Pieces of content whose latest version is approved in the creative review. */
	deliverablesApproved: number;
	/** Product lines sent to them (any seeding status), and how many arrived. */
	productsSent: number;
	productsDelivered: number;
	clicks: number;
	conversions: number;
};

/**
 * An influencer's collaborations, newest first (the CRM record's
 * Collaborations section): per campaign, the answer, the rate, how much of the
 * content is approved, the products sent and the tracking link's results.
 */
export async function listForInfluencer(
	trx: Trx,
	orgId: string,
	influencerId: string
): Promise<InfluencerCollaboration[]> {
	const { rows } = await sql<{
		id: string;
		campaign_id: string;
		campaign_name: string;
		campaign_status: string;
		status: CollaborationStatus;
		rate_amount: string;
		rate_currency: string;
		deliverables_due: string;
		deliverables_approved: string;
		products_sent: string;
		products_delivered: string;
		clicks: string;
		conversions: string;
	}>`
		select c.id, c.campaign_id, g.name as campaign_name, g.status as campaign_status, c.status,
		       c.rate_amount, c.rate_currency,
		       (select coalesce(sum(d.count), 0) from public.collaboration_deliverables d
		         where d.org_id = c.org_id and d.collaboration_id = c.id) as deliverables_due,
		       (select count(*) from public.creative_assets a
		         where a.campaign_id = c.campaign_id and a.collaboration_id = c.id
		           and (select v.status from public.creative_asset_versions v
		                 where v.org_id = a.org_id and v.asset_id = a.id
		                 order by v.version desc limit 1) = 'approved') as deliverables_approved,
		       (select count(*) from public.collaboration_products s
		         where s.org_id = c.org_id and s.collaboration_id = c.id) as products_sent,
		       (select count(*) from public.collaboration_products s
		         where s.org_id = c.org_id and s.collaboration_id = c.id
		           and s.status = 'delivered') as products_delivered,
		       (select count(*) from public.collaboration_clicks k
		         where k.org_id = c.org_id and k.collaboration_id = c.id) as clicks,
		       (select count(*) from public.conversions v
		         where v.org_id = c.org_id and v.collaboration_id = c.id) as conversions
		  from public.collaborations c
		  join public.campaigns g on g.org_id = c.org_id and g.id = c.campaign_id
		 where c.org_id = ${orgId} and c.influencer_id = ${influencerId}
		 order by c.created_at desc, c.id desc
		 limit 200`.execute(trx);
	return rows.map((r) => ({
		id: r.id,
		campaignId: r.campaign_id,
		campaignName: r.campaign_name,
		campaignStatus: r.campaign_status,
		status: r.status,
		rateAmount: String(r.rate_amount),
		rateCurrency: r.rate_currency,
		deliverablesDue: Number(r.deliverables_due),
		deliverablesApproved: Number(r.deliverables_approved),
		productsSent: Number(r.products_sent),
		productsDelivered: Number(r.products_delivered),
		clicks: Number(r.clicks),
		conversions: Number(r.conversions)
	}));
}

export type ActiveCollaborations = {
	/** Accepted collaborations (content and products under way), counted up to `cap`. */
	active: number;
	/** Invitations waiting for an answer. */
	pending: number;
	latest: Array<{
		id: string;
		campaignId: string;
		campaignName: string;
		influencerName: string;
		status: CollaborationStatus;
	}>;
};

/** The home page's card: active and pending collaborations, and the latest moves. */
export async function activeSummary(
	trx: Trx,
	orgId: string,
	cap = 10_000
): Promise<ActiveCollaborations> {
	const counts = await sql<{ active: string; pending: string }>`
		select (select count(*) from (select 1 from public.collaborations
		          where org_id = ${orgId} and status = 'accepted' limit ${cap}) a) as active,
		       (select count(*) from (select 1 from public.collaborations
		          where org_id = ${orgId} and status = 'pending' limit ${cap}) p) as pending`.execute(trx);
	const latest = await sql<{
		id: string;
		campaign_id: string;
		campaign_name: string;
		influencer_name: string;
		status: CollaborationStatus;
	}>`
		select c.id, c.campaign_id, g.name as campaign_name, i.name as influencer_name, c.status
		  from public.collaborations c
		  join public.campaigns g on g.org_id = c.org_id and g.id = c.campaign_id
		  join public.influencers i on i.id = c.influencer_id
		 where c.org_id = ${orgId} and c.status in ('pending', 'accepted')
		 order by c.status_changed_at desc, c.id desc
		 limit 5`.execute(trx);
	return {
		active: Number(counts.rows[0]?.active ?? 0),
		pending: Number(counts.rows[0]?.pending ?? 0),
		latest: latest.rows.map((r) => ({
			id: r.id,
			campaignId: r.campaign_id,
			campaignName: r.campaign_name,
			influencerName: r.influencer_name,
			status: r.status
		}))
	};
}

/**
 * The organization's influencers not yet on the campaign, for the invite
 * picker. Reads the CRM's table directly until the CRM module exports a
 * picker query of its own.
 */
export async function inviteOptions(
	trx: Trx,
	orgId: string,
	campaignId: string
): Promise<Array<{ id: string; name: string }>> {
	const { rows } = await sql<{ id: string; name: string }>`
		select i.id, i.name from public.influencers i
		 where i.org_id = ${orgId}
		   and not exists (select 1 from public.collaborations c
		                    where c.campaign_id = ${campaignId} and c.influencer_id = i.id)
		 order by i.name, i.id
		 limit 1000`.execute(trx);
	return rows;
}
