// The organization's financial documents: filters in the URL (type, status,
// overdue, campaign, influencer), newest first in keyset pages, with the totals of what
// waits for approval.
import * as finance from '$lib/server/finance';
import { throwHttp } from './respond.server';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent, url }) => {
	const { org } = await parent();
	const filter = finance.filterSchema.parse(Object.fromEntries(url.searchParams));
	return locals
		.db(async (trx) => {
			const [page, campaigns, influencers] = await Promise.all([
				finance.list(trx, org.id, filter),
				finance.campaignOptions(trx, org.id),
				finance.influencerOptions(trx, org.id)
			]);
			return { filter, documents: page.rows, next: page.next, campaigns, influencers };
		})
		.catch(throwHttp);
};
