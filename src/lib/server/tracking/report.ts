// A message campaign's report, read from the rollups the events keep current
// (message_report_hours, message_link_clicks; see the message_tracking
// migration), never from the events themselves: a few hundred rows whatever
// the number of events. Runs under the member's RLS.
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';

export type ReportCounts = {
	recipients: number;
	sent: number;
	failed: number;
	suppressed: number;
	delivered: number;
	opens: number;
	uniqueOpens: number;
	clicks: number;
	uniqueClicks: number;
	unsubscribes: number;
	bounces: number;
	complaints: number;
};

export type ReportDay = { day: string; opens: number; clicks: number; sent: number };
export type ReportLink = { position: number; url: string; clicks: number; uniqueClicks: number };

export type MessageReport = {
	counts: ReportCounts;
	/** Per UTC day from the first activity to the last, gaps filled with zeros. */
	days: ReportDay[];
	links: ReportLink[];
};

type Totals = Omit<ReportCounts, 'recipients'>;

export async function report(trx: Trx, orgId: string, campaignId: string): Promise<MessageReport> {
	const [totals, days, links, recipients] = await Promise.all([
		sql<Totals>`
			select coalesce(sum(sent), 0)::float8 as sent, coalesce(sum(failed), 0)::float8 as failed,
			       coalesce(sum(suppressed), 0)::float8 as suppressed,
			       coalesce(sum(delivered), 0)::float8 as delivered, coalesce(sum(opens), 0)::float8 as opens,
			       coalesce(sum(unique_opens), 0)::float8 as "uniqueOpens",
			       coalesce(sum(clicks), 0)::float8 as clicks,
			       coalesce(sum(unique_clicks), 0)::float8 as "uniqueClicks",
			       coalesce(sum(unsubscribes), 0)::float8 as unsubscribes,
			       coalesce(sum(bounces), 0)::float8 as bounces,
			       coalesce(sum(complaints), 0)::float8 as complaints
			  from public.message_report_hours
			 where org_id = ${orgId} and campaign_id = ${campaignId}`.execute(trx),
		sql<ReportDay>`
			with per_day as (
			  select (hour at time zone 'UTC')::date as day, sum(opens) as opens, sum(clicks) as clicks,
			         sum(sent) as sent
			    from public.message_report_hours
			   where org_id = ${orgId} and campaign_id = ${campaignId}
			   group by 1
			)
			select d::date::text as day, coalesce(p.opens, 0)::float8 as opens,
			       coalesce(p.clicks, 0)::float8 as clicks, coalesce(p.sent, 0)::float8 as sent
			  from generate_series((select min(day) from per_day), (select max(day) from per_day),
			                       interval '1 day') d
			  left join per_day p on p.day = d::date
			 order by 1`.execute(trx),
		sql<ReportLink>`
			select l.position, l.url, coalesce(sum(k.clicks), 0)::float8 as clicks,
			       coalesce(sum(k.unique_clicks), 0)::float8 as "uniqueClicks"
			  from public.message_links l
			  left join public.message_link_clicks k
			    on k.org_id = l.org_id and k.campaign_id = l.campaign_id and k.position = l.position
			 where l.org_id = ${orgId} and l.campaign_id = ${campaignId}
			 group by l.position, l.url
			 order by 3 desc, l.position`.execute(trx),
		sql<{ recipients: number }>`
			select recipients from public.message_sends
			 where org_id = ${orgId} and campaign_id = ${campaignId}`.execute(trx)
	]);
	const t = totals.rows[0]!;
	return {
		counts: {
			...t,
			// Frozen when sending starts; before that, what has happened so far.
			recipients: Math.max(recipients.rows[0]?.recipients ?? 0, t.sent + t.failed + t.suppressed)
		},
		days: days.rows,
		links: links.rows
	};
}
