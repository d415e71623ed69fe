// The dashboard's brand lift card: the organization's studies waiting for
// review and running, and the latest ones with their campaign. Studies are
// one per campaign (tens of rows): counted directly, no rollup needed.
import type { Trx } from '../db/rls.ts';

export type StudiesSummary = {
	inReview: number;
	live: number;
	total: number;
	latest: { campaignId: string; campaign: string; name: string; status: string }[];
};

export async function studiesSummary(trx: Trx, orgId: string): Promise<StudiesSummary> {
	const [counts, latest] = await Promise.all([
		trx
			.selectFrom('brand_lift_studies')
			.select(['status', (eb) => eb.fn.countAll<string>().as('n')])
			.where('org_id', '=', orgId)
			.groupBy('status')
			.execute(),
		trx
			.selectFrom('brand_lift_studies as s')
			.innerJoin('campaigns as c', (j) =>
				j.onRef('c.org_id', '=', 's.org_id').onRef('c.id', '=', 's.campaign_id')
			)
			.select(['s.campaign_id', 'c.name as campaign', 's.name', 's.status'])
			.where('s.org_id', '=', orgId)
			.orderBy('s.status_changed_at', 'desc')
			.limit(3)
			.execute()
	]);
	const n = (status: string) => Number(counts.find((r) => r.status === status)?.n ?? 0);
	return {
		inReview: n('in_review'),
		live: n('live'),
		total: counts.reduce((sum, r) => sum + Number(r.n), 0),
		latest: latest.map((r) => ({
			campaignId: r.campaign_id,
			campaign: r.campaign,
			name: r.name,
			status: r.status
		}))
	};
}
