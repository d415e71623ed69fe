// A message campaign's report: recipients, sends, deliveries, opens and
// clicks (unique and total), clicks per link, unsubscribes, bounces and
// complaints, and opens and clicks per day, from the rollups; a subject-line
// test's numbers per variant.
import { error } from '@sveltejs/kit';
import * as campaigns from '$lib/server/campaigns';
import * as sending from '$lib/server/sending';
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
			const [report, test, message] = await Promise.all([
				tracking.report(trx, org.id, campaign.id),
				sending.subjectTest.get(trx, org.id, campaign.id),
				sending.get(trx, org.id, campaign.id)
			]);
			const variants =
				test && test.sampleSize !== null
					? (await sending.subjectTest.variantNumbers(trx, campaign.id)).map((v) => ({
							...v,
							subject:
								v.variant === 0 ? (message?.subject ?? '') : (test.subjects[v.variant - 1] ?? '')
						}))
					: [];
			return {
				campaign: { id: campaign.id, name: campaign.name, kind: campaign.kind },
				report,
				test: test && { winner: test.winner, metric: test.metric, sampleSize: test.sampleSize },
				variants
			};
		})
		.catch(throwHttp);
};
