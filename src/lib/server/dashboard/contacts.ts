// The contacts cards: how many contacts the organization has day by day over
// the last 90 days, this week's growth, and the share of each status. Read
// from contact_daily_counts (kept current by triggers), never from contacts.
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';
import { lastDays } from './days.ts';

export const CONTACT_DAYS = 90;

export type ContactStatusCounts = { subscribed: number; unsubscribed: number; bounced: number };

export type ContactsSummary = {
	total: number;
	byStatus: ContactStatusCounts;
	/** Contacts at the end of each day, oldest first (CONTACT_DAYS points). */
	daily: Array<{ day: string; total: number }>;
	/** Net change over the last 7 days, and relative to the total a week ago (null from zero). */
	week: { added: number; percent: number | null };
};

export async function contactsSummary(
	trx: Trx,
	orgId: string,
	today: string
): Promise<ContactsSummary> {
	const days = lastDays(today, CONTACT_DAYS);
	// One row per status for everything before the window, one per day and
	// status inside it; days after today (a clock ahead) count as today.
	const { rows } = await sql<{ day: string | null; status: string; n: string }>`
		select (case when day >= ${days[0]}::date then least(day, ${today}::date) end)::text as day,
		       status, sum(n)::bigint as n
		  from public.contact_daily_counts
		 where org_id = ${orgId}
		 group by 1, 2`.execute(trx);
	const byStatus: ContactStatusCounts = { subscribed: 0, unsubscribed: 0, bounced: 0 };
	const perDay = new Map<string, number>();
	let before = 0;
	for (const row of rows) {
		const n = Number(row.n);
		if (row.status in byStatus) byStatus[row.status as keyof ContactStatusCounts] += n;
		if (row.day === null) before += n;
		else perDay.set(row.day, (perDay.get(row.day) ?? 0) + n);
	}
	let running = before;
	const daily = days.map((day) => ({ day, total: (running += perDay.get(day) ?? 0) }));
	const total = byStatus.subscribed + byStatus.unsubscribed + byStatus.bounced;
	const weekAgo = daily.at(-8)?.total ?? before;
	return {
		total,
		byStatus,
		daily,
		week: {
			added: total - weekAgo,
			percent: weekAgo > 0 ? ((total - weekAgo) / weekAgo) * 100 : null
		}
	};
}
