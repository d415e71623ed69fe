// One creator of the marketplace: every platform profile with its latest
// metrics and audience splits, and the follower history the data runs
// recorded (the profile page's chart). Global rows, read under the person's
// RLS like the search.
import type { Trx } from '../db/rls.ts';
import { MarketplaceInfluencerNotFoundError } from './errors.ts';

/** How many measurements per profile the chart shows (the latest ones). */
export const HISTORY_POINTS = 90;

export type AudienceSplit = Array<{ key: string; share: number }>;

export type MarketplaceProfile = {
	id: string;
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
	/** Largest share first. */
	audienceAges: AudienceSplit;
	audienceGenders: AudienceSplit;
	audienceCountries: AudienceSplit;
	measuredAt: string;
	/** Followers over time, oldest first. */
	history: Array<{ at: string; followers: number }>;
};

export type MarketplaceInfluencer = {
	id: string;
	displayName: string;
	country: string | null;
	language: string | null;
	categories: string[];
	updatedAt: string;
	/** Biggest audience first. */
	profiles: MarketplaceProfile[];
};

function split(value: unknown): AudienceSplit {
	if (!value || typeof value !== 'object') return [];
	return Object.entries(value as Record<string, unknown>)
		.filter((e): e is [string, number] => typeof e[1] === 'number')
		.map(([key, share]) => ({ key, share }))
		.sort((a, b) => b.share - a.share || a.key.localeCompare(b.key));
}

/** A marketplace influencer with their profiles; MarketplaceInfluencerNotFoundError when unknown. */
export async function getInfluencer(trx: Trx, id: string): Promise<MarketplaceInfluencer> {
	const person = await trx
		.selectFrom('marketplace_influencers')
		.select(['id', 'display_name', 'country', 'language', 'categories', 'updated_at'])
		.where('id', '=', id)
		.executeTakeFirst();
	if (!person) throw new MarketplaceInfluencerNotFoundError();
	const profiles = await trx
		.selectFrom('marketplace_profiles')
		.select([
			'id',
			'platform',
			'handle',
			'display_name',
			'profile_url',
			'followers',
			'engagement_rate',
			'avg_views',
			'country',
			'language',
			'categories',
			'audience_ages',
			'audience_genders',
			'audience_countries',
			'measured_at'
		])
		.where('influencer_id', '=', id)
		.orderBy('followers', 'desc')
		.orderBy('platform')
		.execute();
	// The latest measurements of each profile (found by the primary key, profile_id first; a few
	// rows per profile, sorted in memory).
	const history = profiles.length
		? await trx
				.selectFrom('marketplace_profiles as p')
				.innerJoinLateral(
					(eb) =>
						eb
							.selectFrom('marketplace_profile_metrics as m')
							.select(['m.measured_at', 'm.followers'])
							.whereRef('m.profile_id', '=', 'p.id')
							.orderBy('m.measured_at', 'desc')
							.limit(HISTORY_POINTS)
							.as('m'),
					(join) => join.onTrue()
				)
				.select(['p.id as profile_id', 'm.measured_at', 'm.followers'])
				.where('p.influencer_id', '=', id)
				.execute()
		: [];
	const byProfile = new Map<string, Array<{ at: string; followers: number }>>();
	for (const h of history) {
		const list = byProfile.get(h.profile_id) ?? [];
		list.push({ at: new Date(h.measured_at).toISOString(), followers: Number(h.followers) });
		byProfile.set(h.profile_id, list);
	}
	return {
		id: person.id,
		displayName: person.display_name,
		country: person.country,
		language: person.language,
		categories: person.categories,
		updatedAt: new Date(person.updated_at).toISOString(),
		profiles: profiles.map((p) => ({
			id: p.id,
			platform: p.platform,
			handle: p.handle,
			displayName: p.display_name,
			profileUrl: p.profile_url,
			followers: Number(p.followers),
			engagementRate: p.engagement_rate,
			avgViews: p.avg_views === null ? null : Number(p.avg_views),
			country: p.country,
			language: p.language,
			categories: p.categories,
			audienceAges: split(p.audience_ages),
			audienceGenders: split(p.audience_genders),
			audienceCountries: split(p.audience_countries),
			measuredAt: new Date(p.measured_at).toISOString(),
			history: (byProfile.get(p.id) ?? []).sort((a, b) => a.at.localeCompare(b.at))
		}))
	};
}
