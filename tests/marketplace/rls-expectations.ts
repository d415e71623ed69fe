// RLS expectations of the global influencer marketplace (spread into
// tests/rls/expectations.ts): every signed-in user reads the marketplace, its
// metric history and global data runs with their log; anonymous visitors read
// nothing; no API role writes any of it (only verified ingestion does, through
// security definer functions).
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Row, TableSpec } from '../rls/expectations.ts';

const signedIn = {
	anon: '----',
	outsider: 's---',
	viewer: 's---',
	member: 's---',
	admin: 's---',
	owner: 's---'
};

const suffix = () => randomBytes(4).toString('hex');

async function one(client: pg.Client, sql: string, values: unknown[]): Promise<Row> {
	return (await client.query<Row>(sql, values)).rows[0]!;
}

/** A global run, an influencer and its Instagram profile, as superuser (once per matrix). */
let seeded: Promise<{ runId: string; influencerId: string; profileId: string }> | undefined;
function world(c: pg.Client) {
	seeded ??= (async () => {
		const run = await one(
			c,
			`insert into public.data_runs (provider, run_id, status) values ('standin', $1, 'succeeded') returning id`,
			[`run-${suffix()}`]
		);
		const influencer = await one(
			c,
			`insert into public.marketplace_influencers (key, display_name) values ($1, 'Seeded') returning id`,
			[`seed:${suffix()}`]
		);
		const profile = await one(
			c,
			`insert into public.marketplace_profiles (influencer_id, platform, external_id, handle, display_name, followers)
			 values ($1, 'instagram', $2, 'seeded.one', 'Seeded', 1000) returning id`,
			[influencer.id, `ig-${suffix()}`]
		);
		await c.query(
			`insert into public.marketplace_profile_metrics (profile_id, run_id, measured_at, followers, engagement_rate)
			 values ($1, $2, now(), 1000, 0.02)`,
			[profile.id, run.id]
		);
		return {
			runId: run.id as string,
			influencerId: influencer.id as string,
			profileId: profile.id as string
		};
	})();
	return seeded;
}

export const marketplaceTables: Record<string, TableSpec> = {
	'public.marketplace_influencers': {
		seed: async (c) => ({ id: (await world(c)).influencerId }),
		insert: () => ({ key: `forged:${suffix()}`, display_name: 'Forged' }),
		update: { display_name: 'Renamed' },
		expect: signedIn
	},
	'public.marketplace_profiles': {
		seed: async (c) => ({ id: (await world(c)).profileId }),
		insert: (_w, key) => ({
			influencer_id: key.influencer_id ?? null,
			platform: 'tiktok',
			external_id: `forged-${suffix()}`,
			handle: 'forged',
			display_name: 'Forged'
		}),
		update: { followers: 999999999 },
		expect: signedIn
	},
	'public.marketplace_profile_metrics': {
		seed: async (c) => {
			const w = await world(c);
			return { profile_id: w.profileId, run_id: w.runId };
		},
		insert: (_w, key) => ({
			profile_id: key.profile_id,
			run_id: key.run_id,
			measured_at: new Date().toISOString(),
			followers: 1,
			engagement_rate: 0.5
		}),
		update: { followers: 999999999 },
		expect: signedIn
	},
	'public.data_runs': {
		seed: async (c) => ({ id: (await world(c)).runId }),
		insert: () => ({ provider: 'forged', run_id: `forged-${suffix()}`, status: 'succeeded' }),
		update: { message: 'forged' },
		expect: signedIn
	},
	'public.data_run_entries': {
		seed: async (c) => {
			const w = await world(c);
			return one(
				c,
				`insert into public.data_run_entries (run_id, kind, message) values ($1, 'status', 'Seeded') returning id`,
				[w.runId]
			);
		},
		insert: (_w, key) => ({ run_id: key.run_id ?? null, kind: 'status', message: 'Forged' }),
		update: { message: 'Forged' },
		expect: signedIn
	}
};
