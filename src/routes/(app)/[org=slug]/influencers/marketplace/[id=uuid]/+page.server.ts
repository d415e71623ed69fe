// One creator's marketplace profile: every platform with its metrics, audience
// and follower history, and whether they are already in the organization's
// list ("Add to list" posts to the CRM's ?/addFromMarketplace like the search).
import { error } from '@sveltejs/kit';
import * as influencers from '$lib/server/influencers';
import * as marketplace from '$lib/server/marketplace';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent, params }) => {
	const { org } = await parent();
	try {
		return await locals.db(async (trx) => {
			const creator = await marketplace.getInfluencer(trx, params.id);
			const listed = await influencers.inList(trx, org.id, [creator.id]);
			return { creator, recordId: listed.get(creator.id) ?? null };
		});
	} catch (e) {
		if (e instanceof marketplace.MarketplaceInfluencerNotFoundError) error(404, e.message);
		throw e;
	}
};
