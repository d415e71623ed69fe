// The survey links of a live study as CSV (email, group, link, answered), for
// the marketer to send with their own tool. Only people who manage studies
// can read the links (RLS on brand_lift_respondents): others get an empty file.
import * as brandLift from '$lib/server/brand-lift';
import * as campaigns from '$lib/server/campaigns';
import * as orgs from '$lib/server/orgs';
import { throwHttp } from '../../../respond.server';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
	const rows = await orgs
		.withOrg(event, async (trx, org) => {
			const campaign = await campaigns.get(trx, org.id, event.params.id);
			const study = await brandLift.get(trx, org.id, campaign.id);
			return brandLift.links(trx, org.id, study.id);
		})
		.catch((e: unknown) => {
			if (e instanceof brandLift.StudyNotFoundError)
				throwHttp(new campaigns.CampaignNotFoundError());
			return throwHttp(e);
		});
	const cell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
	const lines = rows.map((r) =>
		[
			cell(r.email ?? ''),
			r.group,
			`${event.url.origin}/s/${r.token}`,
			r.answered ? 'yes' : 'no'
		].join(',')
	);
	return new Response(['email,group,link,answered', ...lines].join('\r\n') + '\r\n', {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': 'attachment; filename="survey-links.csv"'
		}
	});
};
