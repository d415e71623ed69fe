// A creator's marketplace profile page (marketplace.getInfluencer), read as a
// signed-in member: every platform profile, biggest audience first, audience
// splits largest share first, the follower history oldest first and capped to
// the latest HISTORY_POINTS measurements; an unknown creator is a typed
// not-found (the page's 404).
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MarketplaceInfluencerNotFoundError } from '../../src/lib/server/marketplace/errors.ts';
import { getInfluencer, HISTORY_POINTS } from '../../src/lib/server/marketplace/profile.ts';
import { createContactsWorld, type ContactsWorld } from '../contacts/world.ts';

let w: ContactsWorld;
let creator: string;

beforeAll(async () => {
	w = await createContactsWorld();
	// Written as verified ingestion would (superuser here): one run per measurement.
	creator = (
		await sql<{
			id: string;
		}>`insert into public.marketplace_influencers (key, display_name, country, language, categories)
		  values ('test:ana', 'Ana Lima', 'PT', 'pt', '{running}') returning id`.execute(w.db)
	).rows[0]!.id;
	const profile = async (platform: string, handle: string, followers: number) =>
		(
			await sql<{ id: string }>`insert into public.marketplace_profiles
			    (influencer_id, platform, external_id, handle, display_name, followers, engagement_rate,
			     audience_genders, audience_countries)
			  values (${creator}, ${platform}::public.social_platform, ${handle}, ${handle}, 'Ana Lima', ${followers}, 0.05,
			          '{"male": 0.3, "female": 0.7}', '{"BR": 0.2, "PT": 0.6, "ES": 0.2}') returning id`.execute(
				w.db
			)
		).rows[0]!.id;
	const small = await profile('youtube', 'analima', 9_000);
	const big = await profile('tiktok', 'ana.lima', 120_000);
	const measurements = HISTORY_POINTS + 5;
	await sql`insert into public.data_runs (provider, run_id)
	          select 'test', 'run-' || n from generate_series(1, ${measurements}) n`.execute(w.db);
	await sql`insert into public.marketplace_profile_metrics (profile_id, run_id, measured_at, followers, engagement_rate)
	          select ${big}, r.id, now() - make_interval(days => ${measurements} - substr(r.run_id, 5)::int),
	                 1000 * substr(r.run_id, 5)::int, 0.05
	            from public.data_runs r where r.provider = 'test'`.execute(w.db);
	await sql`insert into public.marketplace_profile_metrics (profile_id, run_id, measured_at, followers, engagement_rate)
	          select ${small}, r.id, now(), 9000, 0.05 from public.data_runs r where r.provider = 'test' and r.run_id = 'run-1'`.execute(
		w.db
	);
});
afterAll(async () => {
	await w.cleanup();
});

it('reads every profile, the audience and the latest follower history, oldest first', async () => {
	const c = await w.as('viewer', (trx) => getInfluencer(trx, creator));
	expect(c).toMatchObject({ displayName: 'Ana Lima', country: 'PT', categories: ['running'] });
	expect(c.profiles.map((p) => [p.platform, p.followers])).toEqual([
		['tiktok', 120_000],
		['youtube', 9_000]
	]);
	const tiktok = c.profiles[0]!;
	expect(tiktok.audienceCountries).toEqual([
		{ key: 'PT', share: 0.6 },
		{ key: 'BR', share: 0.2 },
		{ key: 'ES', share: 0.2 }
	]);
	expect(tiktok.audienceGenders.map((s) => s.key)).toEqual(['female', 'male']);
	expect(tiktok.audienceAges).toEqual([]);
	// The latest HISTORY_POINTS of HISTORY_POINTS + 5 measurements, oldest first.
	expect(tiktok.history).toHaveLength(HISTORY_POINTS);
	expect(tiktok.history[0]!.followers).toBe(6_000);
	expect(tiktok.history.at(-1)!.followers).toBe((HISTORY_POINTS + 5) * 1000);
	expect(c.profiles[1]!.history).toHaveLength(1);
});

it('answers a typed not-found for a creator who is not in the marketplace', async () => {
	await expect(
		w.as('member', (trx) => getInfluencer(trx, '00000000-0000-4000-8000-000000000000'))
	).rejects.toBeInstanceOf(MarketplaceInfluencerNotFoundError);
});
