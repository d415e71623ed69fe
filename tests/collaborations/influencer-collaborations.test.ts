// The CRM record's Collaborations section (collaborations.listForInfluencer):
// per campaign the answer, the rate, content approved out of content agreed
// (the latest version of each piece counts), products sent and delivered,
// clicks and orders; read under the member's RLS, another organization's
// member sees nothing.
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listForInfluencer } from '../../src/lib/server/collaborations/queries.ts';
import { createCollabsWorld, type CollabsWorld } from './world.ts';

let w: CollabsWorld;

beforeAll(async () => {
	w = await createCollabsWorld();
});
afterAll(async () => {
	await w.cleanup();
});

it('sums up each campaign of an influencer: answer, rate, content approved, products, clicks and orders', async () => {
	const influencer = await w.influencer(w.orgA, 'Ana Lima');
	const busy = await w.campaign(w.orgA);
	const quiet = await w.campaign(w.orgA);
	const collab = await w.collaboration(w.orgA, busy, influencer);
	await w.collaboration(w.orgA, quiet, influencer);
	// Two reels agreed: one approved on its second version, one waiting for review.
	const req = await w.requirement(w.orgA, busy);
	await sql`insert into public.collaboration_deliverables (org_id, campaign_id, collaboration_id, requirement_id, count)
	          values (${w.orgA}, ${busy}, ${collab}, ${req}, 2)`.execute(w.db);
	await sql`update public.collaborations set status = 'accepted' where id = ${collab}`.execute(
		w.db
	);
	const asset = async (title: string, reviews: Array<'approved' | 'changes_requested' | null>) => {
		const id = (
			await sql<{
				id: string;
			}>`insert into public.creative_assets (org_id, campaign_id, requirement_id, title, collaboration_id)
			    values (${w.orgA}, ${busy}, ${req}, ${title}, ${collab}) returning id`.execute(w.db)
		).rows[0]!.id;
		for (const [i, review] of reviews.entries()) {
			// A version starts pending (the database sees to it); the review is an update.
			const version = (
				await sql<{
					id: string;
				}>`insert into public.creative_asset_versions (org_id, asset_id, storage_path, file_name, mime_type, size_bytes)
				    values (${w.orgA}, ${id}, ${`${w.orgA}/${busy}/${id}-${i}.png`}, 'reel.png', 'image/png', 10)
				    returning id`.execute(w.db)
			).rows[0]!.id;
			if (review)
				await sql`update public.creative_asset_versions set status = ${review}::public.creative_review_status
				          where id = ${version}`.execute(w.db);
		}
	};
	await asset('Unboxing', ['changes_requested', 'approved']);
	await asset('Trail run', [null]);
	const products = [
		await w.product(w.orgA, `REC-${Math.random().toString(36).slice(2, 7)}`),
		await w.product(w.orgA, `REC-${Math.random().toString(36).slice(2, 7)}`)
	];
	for (const p of products)
		await sql`insert into public.collaboration_products (org_id, collaboration_id, product_id) values (${w.orgA}, ${collab}, ${p})`.execute(
			w.db
		);
	await sql`update public.collaboration_products
	             set status = 'shipped', tracking_number = '1Z999AA10123456784', carrier = 'UPS'
	           where collaboration_id = ${collab} and product_id = ${products[0]!}`.execute(w.db);
	await sql`update public.collaboration_products set status = 'delivered'
	           where collaboration_id = ${collab} and product_id = ${products[0]!}`.execute(w.db);
	await sql`insert into public.collaboration_clicks (org_id, collaboration_id)
	          select ${w.orgA}, ${collab} from generate_series(1, 3)`.execute(w.db);

	const rows = await w.as('member', (trx) => listForInfluencer(trx, w.orgA, influencer));
	expect(rows.map((r) => r.campaignId).sort()).toEqual([busy, quiet].sort());
	expect(rows.find((r) => r.campaignId === busy)).toMatchObject({
		status: 'accepted',
		rateAmount: '300.00',
		rateCurrency: 'EUR',
		deliverablesDue: 2,
		deliverablesApproved: 1,
		productsSent: 2,
		productsDelivered: 1,
		clicks: 3,
		conversions: 0
	});
	expect(rows.find((r) => r.campaignId === quiet)).toMatchObject({
		status: 'pending',
		deliverablesDue: 0,
		deliverablesApproved: 0,
		productsSent: 0,
		clicks: 0
	});
	// Another organization's member reads nothing, even asking with org A's ids.
	expect(await w.as('outsider', (trx) => listForInfluencer(trx, w.orgA, influencer))).toEqual([]);
});
