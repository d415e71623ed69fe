// The brand lift report as CSV (one row per question), from the rollups.
import * as brandLift from '$lib/server/brand-lift';
import * as campaigns from '$lib/server/campaigns';
import * as orgs from '$lib/server/orgs';
import { throwHttp } from '../../../respond.server';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
	const csv = await orgs
		.withOrg(event, async (trx, org) => {
			const campaign = await campaigns.get(trx, org.id, event.params.id);
			const study = await brandLift.get(trx, org.id, campaign.id);
			return brandLift.toCsv(await brandLift.report(trx, org.id, study.id));
		})
		.catch((e: unknown) => {
			if (e instanceof brandLift.StudyNotFoundError)
				throwHttp(new campaigns.CampaignNotFoundError());
			return throwHttp(e);
		});
	return new Response(csv, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': 'attachment; filename="brand-lift-report.csv"'
		}
	});
};
