// Marketplace search: one table (profiles carry the filters), sorted by
// followers or engagement, keyset pages on (value, id). The indexes of the
// marketplace migration serve it at a million profiles (bench/marketplace.ts).
import { sql, type SqlBool } from 'kysely';
import { z } from 'zod';
import type { Trx } from '../db/rls.ts';
import { InvalidCursorError } from './errors.ts';
import type { Search } from './schemas.ts';

export const PAGE_SIZE = 25;

export type ProfileRow = {
	id: string;
	influencerId: string;
	platform: string;
	handle: string;
	displayName: string;
	profileUrl: string | null;
	followers: number;
	/** A fraction (0.035 = 3.5 %). */
	engagementRate: number;
	avgViews: number | null;
	country: string | null;
	language: string | null;
	categories: string[];
	audienceCountries: Record<string, number>;
	measuredAt: string;
	/** Followers over time, oldest first (the small chart). */
	history: Array<{ at: string; followers: number }>;
};

const cursorSchema = z.object({ v: z.number(), id: z.uuid() });

export function encodeCursor(value: number, id: string): string {
	return Buffer.from(JSON.stringify({ v: value, id })).toString('base64url');
}

export function decodeCursor(text: string): { v: number; id: string } {
	try {
		return cursorSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
	} catch {
		throw new InvalidCursorError();
	}
}

/** The search query itself (also measured by the benchmark). */
export function searchQuery(trx: Trx, f: Search, limit: number) {
	const column = f.sort === 'engagement' ? 'p.engagement_rate' : 'p.followers';
	let q = trx
		.selectFrom('marketplace_profiles as p')
		.select([
			'p.id',
			'p.influencer_id',
			'p.platform',
			'p.handle',
			'p.display_name',
			'p.profile_url',
			'p.followers',
			'p.engagement_rate',
			'p.avg_views',
			'p.country',
			'p.language',
			'p.categories',
			'p.audience_countries',
			'p.measured_at'
		]);
	if (f.platform) q = q.where('p.platform', '=', f.platform);
	if (f.minFollowers !== undefined) q = q.where('p.followers', '>=', f.minFollowers);
	if (f.maxFollowers !== undefined) q = q.where('p.followers', '<=', f.maxFollowers);
	if (f.minEngagement !== undefined) q = q.where('p.engagement_rate', '>=', f.minEngagement / 100);
	if (f.maxEngagement !== undefined) q = q.where('p.engagement_rate', '<=', f.maxEngagement / 100);
	if (f.country) q = q.where('p.country', '=', f.country);
	if (f.language) q = q.where('p.language', '=', f.language);
	if (f.category) q = q.where(sql<SqlBool>`p.categories @> array[${f.category}]::text[]`);
	if (f.audienceCountry)
		q = q.where(sql<SqlBool>`p.audience_main_countries @> array[${f.audienceCountry}]::text[]`);
	if (f.after) {
		const c = decodeCursor(f.after);
		q =
			f.sort === 'engagement'
				? q.where(sql<SqlBool>`(p.engagement_rate, p.id) < (${c.v}::real, ${c.id}::uuid)`)
				: q.where(sql<SqlBool>`(p.followers, p.id) < (${c.v}::bigint, ${c.id}::uuid)`);
	}
	return q.orderBy(column, 'desc').orderBy('p.id', 'desc').limit(limit);
}

/** A page of profiles with their follower history, and the link to the next page. */
export async function search(
	trx: Trx,
	f: Search,
	limit = PAGE_SIZE
): Promise<{ items: ProfileRow[]; nextCursor: string | null }> {
	const rows = await searchQuery(trx, f, limit + 1).execute();
	const page = rows.slice(0, limit);
	const history = page.length
		? await trx
				.selectFrom('marketplace_profile_metrics')
				.select(['profile_id', 'measured_at', 'followers'])
				.where(
					'profile_id',
					'in',
					page.map((r) => r.id)
				)
				.orderBy('profile_id')
				.orderBy('measured_at')
				.execute()
		: [];
	const byProfile = new Map<string, Array<{ at: string; followers: number }>>();
	for (const h of history) {
		const list = byProfile.get(h.profile_id) ?? [];
		list.push({ at: new Date(h.measured_at).toISOString(), followers: Number(h.followers) });
		byProfile.set(h.profile_id, list);
	}
	const items = page.map((r): ProfileRow => ({
		id: r.id,
		influencerId: r.influencer_id,
		platform: r.platform,
		handle: r.handle,
		displayName: r.display_name,
		profileUrl: r.profile_url,
		followers: Number(r.followers),
		engagementRate: r.engagement_rate,
		avgViews: r.avg_views === null ? null : Number(r.avg_views),
		country: r.country,
		language: r.language,
		categories: r.categories,
		audienceCountries: (r.audience_countries ?? {}) as Record<string, number>,
		measuredAt: new Date(r.measured_at).toISOString(),
		// The last 12 measurements are enough for a trend.
		history: (byProfile.get(r.id) ?? []).slice(-12)
	}));
	const last = rows.length > limit ? items.at(-1)! : null;
	return {
		items,
		nextCursor: last
			? encodeCursor(f.sort === 'engagement' ? last.engagementRate : last.followers, last.id)
			: null
	};
}
