// The dashboard's campaigns card: how many campaigns are running and
// scheduled (counted through the (org_id, status, …) index, capped), and the
// next few by their start; creatives waiting for review.
import { sql } from 'kysely';
import { waitingForReview } from '../creatives/brief.ts';
import type { Trx } from '../db/rls.ts';

export type CampaignsSummary = {
	running: number;
	scheduled: number;
	/** Creative versions waiting for a reviewer, across campaigns (counted up to the cap). */
	creativesWaiting: number;
	/** Counted up to this many per status; more reads "10,000+". */
	cap: number;
	upcoming: Array<{
		id: string;
		name: string;
		status: 'scheduled' | 'active';
		startsAt: string | null;
		endsAt: string | null;
	}>;
};

const CAP = 10_000;

export async function campaignsSummary(trx: Trx, orgId: string): Promise<CampaignsSummary> {
	const { rows } = await sql<{ status: 'scheduled' | 'active'; n: number }>`
		select s.status, (select count(*)::int from (
		         select 1 from public.campaigns c
		          where c.org_id = ${orgId} and c.status = s.status limit ${CAP}) x) as n
		  from (values ('scheduled'::public.campaign_status), ('active'::public.campaign_status)) s (status)`.execute(
		trx
	);
	const upcoming = await trx
		.selectFrom('campaigns')
		.select(['id', 'name', 'status', 'starts_at', 'ends_at'])
		.where('org_id', '=', orgId)
		.where('status', 'in', ['scheduled', 'active'])
		.orderBy('starts_at')
		.orderBy('id')
		.limit(5)
		.execute();
	return {
		running: rows.find((r) => r.status === 'active')?.n ?? 0,
		scheduled: rows.find((r) => r.status === 'scheduled')?.n ?? 0,
		creativesWaiting: await waitingForReview(trx, orgId, CAP),
		cap: CAP,
		upcoming: upcoming.map((c) => ({
			id: c.id,
			name: c.name,
			status: c.status as 'scheduled' | 'active',
			startsAt: c.starts_at,
			endsAt: c.ends_at
		}))
	};
}
