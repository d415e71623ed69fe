// The organization's financial documents: filters in the URL (type, status,
// overdue, campaign), newest first in keyset pages, with the totals of what
// waits for approval.
import * as finance from '$lib/server/finance';
import { throwHttp } from './respond.server';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent, url }) => {
	const { org } = await parent();
	const filter = finance.filterSchema.parse(Object.fromEntries(url.searchParams));
	return locals
		.db(async (trx) => {
			const [page, campaigns] = await Promise.all([
				finance.list(trx, org.id, filter),
				finance.campaignOptions(trx, org.id)
			]);
			return { filter, documents: page.rows, next: page.next, campaigns };
		})
		.catch(throwHttp);
};
