// A campaign's Finance tab: budget vs committed (approved purchase orders) vs
// invoiced vs paid in the organization's base currency, as a chart, and the
// campaign's documents.
import * as campaigns from '$lib/server/campaigns';
import * as finance from '$lib/server/finance';
import { throwHttp } from '../../respond.server';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent, params }) => {
	const { org } = await parent();
	return locals
		.db(async (trx) => {
			const campaign = await campaigns.get(trx, org.id, params.id);
			const [spend, page] = await Promise.all([
				finance.campaignSpend(trx, org.id, campaign.id),
				finance.list(trx, org.id, { campaign: campaign.id, overdue: false }, 200)
			]);
			return {
				campaign: {
					id: campaign.id,
					name: campaign.name,
					budget: campaign.budgetAmount,
					currency: campaign.currency
				},
				spend,
				documents: page.rows
			};
		})
		.catch(throwHttp);
};
