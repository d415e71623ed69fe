// A message campaign's report: recipients, sends, deliveries, opens and
// clicks (unique and total), clicks per link, unsubscribes, bounces and
// complaints, and opens and clicks per day, from the rollups.
import { error } from '@sveltejs/kit';
import * as campaigns from '$lib/server/campaigns';
import * as tracking from '$lib/server/tracking';
import { throwHttp } from '../../respond.server';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent, params }) => {
	const { org } = await parent();
	return locals
		.db(async (trx) => {
			const campaign = await campaigns.get(trx, org.id, params.id);
			if (campaign.kind === 'influencer')
				error(404, 'Influencer campaigns have no message report.');
			return {
				campaign: { id: campaign.id, name: campaign.name, kind: campaign.kind },
				report: await tracking.report(trx, org.id, campaign.id)
			};
		})
		.catch(throwHttp);
};
