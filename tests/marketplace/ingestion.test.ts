// Ingestion of external data runs (private.data_run_receive, as the verified
// webhook calls it): the status machine, the same run twice, shuffled items,
// partial failure with reasons in the run log, out-of-order runs, events.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { profileItem, run, type RunItem } from './fixtures.ts';

let testDb: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
	testDb = await createTestDatabase();
	client = new pg.Client({ connectionString: testDb.url });
	await client.connect();
});
afterAll(async () => {
	await client.end();
	await testDb.drop();
});

type Outcome = {
	run_id: string;
	status: string;
	refused: string | null;
	profiles_created: number;
	profiles_updated: number;
	items_rejected: number;
};

/** One delivery, as the webhook makes it: service role, one transaction. */
async function deliver(r: RunItem, items: unknown[] = []): Promise<Outcome> {
	await client.query('begin');
	try {
		await client.query(`select set_config('role', 'service_role', true)`);
		const { rows } = await client.query<{ out: Outcome }>(
			'select private.data_run_receive($1::jsonb, $2::jsonb) as out',
			[JSON.stringify(r), JSON.stringify(items)]
		);
		await client.query('commit');
		return rows[0]!.out;
	} catch (error) {
		await client.query('rollback');
		throw error;
	}
}

async function count(sql: string, values: unknown[] = []): Promise<number> {
	const { rows } = await client.query<{ n: string }>(sql, values);
	return Number(rows[0]!.n);
}

const entries = async (runId: string) =>
	(
		await client.query<{ kind: string; message: string; detail: Record<string, string> }>(
			'select kind, message, detail from public.data_run_entries where run_id = $1 order by id',
			[runId]
		)
	).rows;

function shuffled<T>(items: T[], seed: number): T[] {
	const out = [...items];
	let s = seed;
	for (let i = out.length - 1; i > 0; i--) {
		s = (s * 1103515245 + 12345) % 2 ** 31;
		const j = s % (i + 1);
		[out[i], out[j]] = [out[j]!, out[i]!];
	}
	return out;
}

describe('data run status machine', () => {
	it('moves forward created → ready → running → succeeded and logs each change', async () => {
		for (const status of ['created', 'ready', 'running', 'succeeded']) {
			const out = await deliver(run('machine-1', status));
			expect(out).toMatchObject({ status, refused: null });
		}
		const log = await entries((await deliver(run('machine-1', 'succeeded'))).run_id);
		expect(log.map((e) => e.kind)).toEqual(['status', 'status', 'status', 'status']);
	});

	it('refuses a status that goes backwards, logs why and writes nothing else', async () => {
		await deliver(run('machine-2', 'running'));
		const out = await deliver(run('machine-2', 'ready'), [profileItem(900)]);
		expect(out.status).toBe('running');
		expect(out.refused).toMatch(/cannot go back from running to ready/);
		expect(
			await count(`select count(*) n from public.marketplace_profiles where external_id = 'ig-900'`)
		).toBe(0);
		const log = await entries(out.run_id);
		expect(log.at(-1)).toMatchObject({ kind: 'refused', detail: { from: 'running', to: 'ready' } });
	});

	it('refuses any change after the run finished (a late "running" after "succeeded")', async () => {
		await deliver(run('machine-3', 'timed_out', { message: 'Took over 300 s' }));
		const out = await deliver(run('machine-3', 'running'));
		expect(out.status).toBe('timed_out');
		expect(out.refused).toMatch(/already finished/);
		const late = await deliver(run('machine-3', 'succeeded'));
		expect(late.refused).toMatch(/already finished \(timed_out\)/);
	});

	it('is enforced by the table for every writer, the table owner included', async () => {
		const out = await deliver(run('machine-4', 'failed'));
		await expect(
			client.query(`update public.data_runs set status = 'running' where id = $1`, [out.run_id])
		).rejects.toMatchObject({ code: '23514', column: 'status' });
	});
});

describe('idempotent ingestion', () => {
	const items = Array.from({ length: 40 }, (_, i) => profileItem(i + 1));

	it('lands every good item once; the same run delivered twice changes nothing more', async () => {
		const first = await deliver(run('idem-1', 'succeeded', { results_count: 40 }), items);
		expect(first).toMatchObject({ profiles_created: 40, profiles_updated: 0, items_rejected: 0 });
		const before = await client.query(
			`select p.id, p.followers, p.influencer_id, p.updated_at from public.marketplace_profiles p
			  where p.external_id like 'ig-%' order by p.external_id`
		);
		const again = await deliver(run('idem-1', 'succeeded', { results_count: 40 }), items);
		expect(again).toMatchObject({ profiles_created: 40, profiles_updated: 0, items_rejected: 0 });
		expect(
			await count(`select count(*) n from public.marketplace_profile_metrics where run_id = $1`, [
				first.run_id
			])
		).toBe(40);
		expect(
			await count(
				`select count(*) n from public.marketplace_influencers where key like 'instagram:ig-%'`
			)
		).toBe(40);
		const after = await client.query(
			`select p.id, p.followers, p.influencer_id from public.marketplace_profiles p
			  where p.external_id like 'ig-%' order by p.external_id`
		);
		expect(after.rows.map((r: { id: string }) => r.id)).toEqual(
			before.rows.map((r: { id: string }) => r.id)
		);
	});

	it('gives the same result whatever the order of the items', async () => {
		const next = items.map((i, n) => ({
			...i,
			followers: 20_000 + n,
			measured_at: '2030-01-02T00:00:00Z'
		}));
		const a = await deliver(run('idem-2', 'succeeded'), shuffled(next, 7));
		const b = await deliver(run('idem-2', 'succeeded'), shuffled(next, 11));
		expect(a).toMatchObject({ profiles_created: 0, profiles_updated: 40 });
		expect(b).toEqual(a);
		expect(
			await count(
				`select count(*) n from public.marketplace_profiles where external_id like 'ig-%'`
			)
		).toBe(40);
		expect(
			await count(
				`select count(*) n from public.marketplace_profiles where external_id = 'ig-5' and followers = 20004`
			)
		).toBe(1);
	});

	it('keeps the latest metrics when an older run arrives after a newer one, and records its history', async () => {
		const old = items
			.slice(0, 3)
			.map((i) => ({ ...i, followers: 1, measured_at: '2020-06-01T00:00:00Z' }));
		const out = await deliver(run('idem-old', 'succeeded'), old);
		expect(out).toMatchObject({ profiles_created: 0, profiles_updated: 3 });
		expect(
			await count(`select followers n from public.marketplace_profiles where external_id = 'ig-1'`)
		).toBe(20000);
		const history = await client.query<{ followers: string }>(
			`select m.followers from public.marketplace_profile_metrics m
			   join public.marketplace_profiles p on p.id = m.profile_id
			  where p.external_id = 'ig-1' order by m.measured_at`
		);
		expect(history.rows.map((r) => Number(r.followers))).toEqual([1, 10001, 20000]);
	});

	it('never duplicates an influencer delivered by two runs at once', async () => {
		const item = profileItem(500, { influencer_key: 'person-500' });
		const other = new pg.Client({ connectionString: testDb.url });
		await other.connect();
		try {
			const call = (c: pg.Client, id: string) =>
				c.query(
					`begin; set local role service_role; select private.data_run_receive('${JSON.stringify(run(id, 'succeeded'))}'::jsonb, '${JSON.stringify([item])}'::jsonb); commit;`
				);
			await Promise.all([call(client, 'race-a'), call(other, 'race-b')]);
		} finally {
			await other.end();
		}
		expect(
			await count(`select count(*) n from public.marketplace_influencers where key = 'person-500'`)
		).toBe(1);
		expect(
			await count(`select count(*) n from public.marketplace_profiles where external_id = 'ig-500'`)
		).toBe(1);
	});

	it('groups the profiles of one influencer by its key, one per platform', async () => {
		const out = await deliver(run('group-1', 'succeeded'), [
			profileItem(600, { influencer_key: 'person-600', followers: 5 }),
			profileItem(601, {
				influencer_key: 'person-600',
				platform: 'tiktok',
				handle: 'creator601',
				followers: 900,
				country: 'BE'
			})
		]);
		expect(out.profiles_created).toBe(2);
		const { rows } = await client.query<{ profiles: string; country: string }>(
			`select count(p.id) profiles, i.country from public.marketplace_influencers i
			   join public.marketplace_profiles p on p.influencer_id = i.id where i.key = 'person-600' group by i.country`
		);
		// The influencer takes the country of its largest profile.
		expect(rows).toEqual([{ profiles: '2', country: 'BE' }]);
	});

	it("attaches a new profile to the influencer its account's key already names (its old profile deleted)", async () => {
		await deliver(run('kept-1', 'succeeded'), [profileItem(970)]);
		const influencerOf = async (externalId: string) =>
			(
				await client.query<{ influencer_id: string }>(
					'select influencer_id from public.marketplace_profiles where external_id = $1',
					[externalId]
				)
			).rows[0]?.influencer_id;
		const kept = await influencerOf('ig-970');
		await client.query(`delete from public.marketplace_profiles where external_id = 'ig-970'`);
		// A clean batch: the influencer keyed "instagram:ig-970" is found, not created twice.
		const out = await deliver(run('kept-2', 'succeeded'), [profileItem(970), profileItem(971)]);
		expect(out).toMatchObject({ profiles_created: 2, items_rejected: 0 });
		expect(await influencerOf('ig-970')).toBe(kept);
		expect(
			await count(
				`select count(*) n from public.marketplace_influencers where key in ('instagram:ig-970', 'instagram:ig-971')`
			)
		).toBe(2);
	});

	it('moves an influencer to the values of the profile that became its largest', async () => {
		const influencerCountry = async () =>
			(
				await client.query<{ country: string }>(
					`select country from public.marketplace_influencers where key = 'person-650'`
				)
			).rows[0]!.country;
		const ig = (followers: number) =>
			profileItem(650, { influencer_key: 'person-650', followers, country: 'FR' });
		const tiktok = profileItem(651, {
			influencer_key: 'person-650',
			platform: 'tiktok',
			handle: 'creator651',
			followers: 900,
			country: 'BE'
		});
		await deliver(run('grow-1', 'succeeded'), [ig(5), tiktok]);
		expect(await influencerCountry()).toBe('BE');
		// Nothing changed: the influencer keeps its values.
		await deliver(run('grow-2', 'succeeded'), [ig(5), tiktok]);
		expect(await influencerCountry()).toBe('BE');
		// The Instagram profile grew past the TikTok one.
		await deliver(run('grow-3', 'succeeded'), [ig(10_000)]);
		expect(await influencerCountry()).toBe('FR');
	});

	it('updates a known profile in place: a refresh that leaves its indexed values as they were writes no index entry', async () => {
		const same = [profileItem(950), profileItem(951)];
		await deliver(run('hot-1', 'succeeded'), same);
		// The table's counters as this connection keeps them (read before and
		// after within one transaction): updates, and those that stayed on their
		// page with no new index entry (HOT).
		const counters = async () => {
			const { rows } = await client.query<{ updated: string; hot: string }>(
				`select n_tup_upd updated, n_tup_hot_upd hot from pg_stat_xact_user_tables
				  where relid = 'public.marketplace_profiles'::regclass`
			);
			return { updated: Number(rows[0]!.updated), hot: Number(rows[0]!.hot) };
		};
		await client.query('begin');
		try {
			const before = await counters();
			await client.query(`select set_config('role', 'service_role', true)`);
			const { rows } = await client.query<{ out: Outcome }>(
				'select private.data_run_receive($1::jsonb, $2::jsonb) as out',
				[JSON.stringify(run('hot-2', 'succeeded')), JSON.stringify(same)]
			);
			expect(rows[0]!.out).toMatchObject({ profiles_created: 0, profiles_updated: 2 });
			await client.query('reset role');
			const after = await counters();
			expect({ updated: after.updated - before.updated, hot: after.hot - before.hot }).toEqual({
				updated: 2,
				hot: 2
			});
		} finally {
			await client.query('commit');
		}
		// Still the run's data point, and the measure the profiles show is its own.
		expect(
			await count(
				`select count(*) n from public.marketplace_profiles p
				   join public.marketplace_profile_metrics m on m.profile_id = p.id and m.measured_at = p.measured_at
				   join public.data_runs r on r.id = m.run_id and r.run_id = 'hot-2'
				  where p.external_id in ('ig-950', 'ig-951')`
			)
		).toBe(2);
		expect(
			await count(
				`select count(*) n from public.marketplace_profile_metrics m
				   join public.data_runs r on r.id = m.run_id and r.run_id = 'hot-2'`
			)
		).toBe(2);
	});

	it('gives new profiles and influencers time-ordered ids, so a run writes its index entries together', async () => {
		await deliver(run('ordered-1', 'succeeded'), [profileItem(960), profileItem(961)]);
		await deliver(run('ordered-2', 'succeeded'), [profileItem(962)]);
		const { rows } = await client.query<{ external_id: string; id: string; influencer_id: string }>(
			`select external_id, id::text, influencer_id::text from public.marketplace_profiles
			  where external_id in ('ig-960', 'ig-961', 'ig-962') order by external_id`
		);
		expect(rows).toHaveLength(3);
		for (const row of rows) {
			// Version 7 layout: the version nibble, then the RFC 4122 variant.
			expect(row.id).toMatch(
				/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
			);
			expect(row.influencer_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
		}
		// The later run's profile sorts after the earlier run's (48 bits of milliseconds first).
		const [a, b, c] = rows;
		expect(c!.id > a!.id && c!.id > b!.id).toBe(true);
		expect(c!.influencer_id > a!.influencer_id && c!.influencer_id > b!.influencer_id).toBe(true);
	});
});

describe('bad items', () => {
	it('refuses bad items with their reason in the run log; good items of the batch land whole', async () => {
		const items = [
			profileItem(700),
			profileItem(701, { platform: 'myspace' }),
			profileItem(702, { followers: -5 }),
			profileItem(703, { handle: 'same.handle' }),
			profileItem(704, { handle: 'Same.Handle' }),
			profileItem(705, { engagement_rate: 3 }),
			profileItem(706, { handle: 'no spaces allowed' }),
			profileItem(707, { country: 'XX' }),
			profileItem(708, { audience: { countries: { FR: 2 } } }),
			'not an object',
			profileItem(709)
		];
		const out = await deliver(run('partial-1', 'succeeded', { results_count: 11 }), items);
		expect(out).toMatchObject({ profiles_created: 2, profiles_updated: 0, items_rejected: 9 });
		const log = (await entries(out.run_id)).filter((e) => e.kind === 'rejected');
		expect(log.map((e) => [e.detail.field, e.message])).toEqual([
			['platform', 'Unknown platform "myspace".'],
			['followers', 'Followers cannot be negative.'],
			['handle', 'The handle "same.handle" appears 2 times in this run.'],
			['handle', 'The handle "Same.Handle" appears 2 times in this run.'],
			['engagement_rate', 'The engagement rate must be between 0 and 1 (0 % to 100 %).'],
			['handle', '"no spaces allowed" is not a valid handle on this platform.'],
			['country', '"XX" is not an ISO country code.'],
			[
				'audience.countries',
				'Audience countries must be shares between 0 and 1 of ISO country codes.'
			],
			['item', 'Not a profile object.']
		]);
		for (const n of [701, 702, 703, 704, 705, 706, 707, 708]) {
			expect(
				await count(`select count(*) n from public.marketplace_profiles where external_id = $1`, [
					`ig-${n}`
				])
			).toBe(0);
		}
		// Delivered again: the refusals are not logged twice.
		const again = await deliver(run('partial-1', 'succeeded'), items);
		expect(again.items_rejected).toBe(9);
	});

	// A clean batch is checked once, set-based, and written whole; one refused
	// item sends the batch item by item. Each case below is the only bad item
	// of its batch, including those only the tables' checks or unique keys
	// catch (a table would take some of them as they are: a JSON null, a rate
	// that rounds to 1, a country code of the right form).
	it.each([
		['followers as text', { followers: '12000' }, 'followers'],
		['followers with 16 digits', { followers: 1e16 }, 'followers'],
		['followers not whole', { followers: 1.5 }, 'followers'],
		['a rate just above 1', { engagement_rate: 1.00000001 }, 'engagement_rate'],
		['average views not whole', { avg_views: 1.5 }, 'avg_views'],
		['a null name', { display_name: null }, 'display_name'],
		['a null country', { country: null }, 'country'],
		['an unknown country', { country: 'XX' }, 'country'],
		['a null measurement time', { measured_at: null }, 'measured_at'],
		['a bad handle', { handle: 'no spaces allowed' }, 'handle'],
		['a category that is not text', { categories: ['beauty', 7] }, 'categories'],
		[
			'21 categories',
			{ categories: Array.from({ length: 21 }, (_, i) => `topic ${i}`) },
			'categories'
		],
		['a long influencer key', { influencer_key: 'k'.repeat(161) }, 'influencer_key'],
		['an unknown age band', { audience: { ages: { '18-24': 0.5, '99+': 0.1 } } }, 'audience.ages'],
		[
			'an unknown audience country',
			{ audience: { countries: { FR: 0.5, XX: 0.1 } } },
			'audience.countries'
		]
	])('refuses %s alone in a clean batch and lands the rest', async (name, override, field) => {
		const n = 600 + 2 * name.length + Object.keys(override).length;
		const id = `lone-${name.replaceAll(' ', '-')}`;
		const out = await deliver(run(id, 'succeeded'), [
			profileItem(n, { external_id: `${id}-good`, handle: `good.${n}` }),
			profileItem(n, { external_id: `${id}-bad`, handle: `bad.${n}`, ...override })
		]);
		expect(out).toMatchObject({ profiles_created: 1, items_rejected: 1 });
		const log = (await entries(out.run_id)).filter((e) => e.kind === 'rejected');
		expect(log.map((e) => e.detail.field)).toEqual([field]);
		expect(
			await count(`select count(*) n from public.marketplace_profiles where external_id like $1`, [
				`${id}-%`
			])
		).toBe(1);
	});

	it('refuses, in an otherwise clean batch, copies of a handle or an account and a second profile of an influencer', async () => {
		await deliver(run('lone-key-1', 'succeeded'), [
			profileItem(640, { influencer_key: 'lone-person' })
		]);
		const out = await deliver(run('lone-key-2', 'succeeded'), [
			profileItem(641),
			profileItem(642, { handle: 'twice.here' }),
			profileItem(643, { handle: 'Twice.Here' }),
			profileItem(644, { handle: 'first.copy', external_id: 'ig-twice' }),
			profileItem(645, { handle: 'second.copy', external_id: 'ig-twice' }),
			profileItem(646, { influencer_key: 'lone-person' })
		]);
		expect(out).toMatchObject({ profiles_created: 1, items_rejected: 5 });
		const log = (await entries(out.run_id)).filter((e) => e.kind === 'rejected');
		expect(log.map((e) => e.detail.field)).toEqual([
			'handle',
			'handle',
			'external_id',
			'external_id',
			'influencer_key'
		]);
		expect(
			await count(
				`select count(*) n from public.marketplace_profiles p
				   join public.marketplace_influencers i on i.id = p.influencer_id
				  where i.key = 'lone-person'`
			)
		).toBe(1);
	});

	it('takes a profile another delivery created meanwhile as known, never twice (two deliveries at once)', async () => {
		const other = new pg.Client({ connectionString: testDb.url });
		const watcher = new pg.Client({ connectionString: testDb.url });
		await other.connect();
		await watcher.connect();
		try {
			await other.query('begin');
			await other.query(`select set_config('role', 'service_role', true)`);
			await other.query('select private.data_run_receive($1::jsonb, $2::jsonb)', [
				JSON.stringify(run('race-1', 'succeeded')),
				JSON.stringify([profileItem(980), profileItem(981)])
			]);
			// This one does not see the other's rows yet: it inserts ig-981 too and
			// waits on the unique key until the other commits.
			const second = deliver(run('race-2', 'succeeded'), [
				profileItem(981, { followers: 99_999 }),
				profileItem(982)
			]);
			const otherPid = (await other.query<{ pid: number }>('select pg_backend_pid() as pid'))
				.rows[0]!.pid;
			for (let waited = 0; ; waited += 50) {
				const { rows } = await watcher.query<{ n: string }>(
					`select count(*) n from pg_stat_activity
					  where wait_event_type = 'Lock' and $1 = any(pg_blocking_pids(pid))`,
					[otherPid]
				);
				if (Number(rows[0]!.n) > 0) break;
				if (waited > 30_000) throw new Error('the second delivery never waited on the first');
				await new Promise((done) => setTimeout(done, 50));
			}
			await other.query('commit');
			const out = await second;
			expect(out).toMatchObject({ profiles_created: 1, profiles_updated: 1, items_rejected: 0 });
			expect(
				await count(
					`select count(*) n from public.marketplace_profiles where external_id = 'ig-981' and followers = 99999`
				)
			).toBe(1);
			expect(
				await count(
					`select count(*) n from public.marketplace_influencers where key in ('instagram:ig-981', 'instagram:ig-982')`
				)
			).toBe(2);
		} finally {
			await other.end();
			await watcher.end();
		}
	});

	it("ignores fields it does not read, even named like a profile's columns", async () => {
		// Providers send their own ids and dates; only the documented fields are read.
		const out = await deliver(run('extra-fields', 'succeeded'), [
			profileItem(710, {
				id: 'apify-item-710',
				influencer_id: 42,
				created_at: 'yesterday',
				last_run_id: 'run-7',
				audience_main_countries: 'FR'
			})
		]);
		expect(out).toMatchObject({ profiles_created: 1, items_rejected: 0 });
		const { rows } = await client.query<{ main: string[] }>(
			`select audience_main_countries as main from public.marketplace_profiles where external_id = 'ig-710'`
		);
		expect(rows).toEqual([{ main: ['BE', 'FR'] }]);
	});

	it('refuses writes to the marketplace by every API role, the service role included', async () => {
		for (const role of ['anon', 'authenticated', 'service_role']) {
			await client.query('begin');
			try {
				await client.query(`select set_config('role', $1, true)`, [role]);
				await expect(
					client.query(`update public.marketplace_profiles set followers = 1`)
				).rejects.toMatchObject({ code: '42501' });
			} finally {
				await client.query('rollback');
			}
		}
	});
});

describe('events', () => {
	it('tells the organization that asked for a run when it starts and when it finishes, once', async () => {
		const { rows } = await client.query<{ id: string }>(
			`insert into public.organizations (name, slug) values ('Runs Co', 'runs-co-test') returning id`
		);
		const orgId = rows[0]!.id;
		await deliver(run('org-run-1', 'running', { org_id: orgId }));
		await deliver(run('org-run-1', 'succeeded', { org_id: orgId }), [profileItem(800)]);
		await deliver(run('org-run-1', 'succeeded', { org_id: orgId }), [profileItem(800)]);
		const events = await client.query<{ type: string; payload: Record<string, unknown> }>(
			`select type, payload from public.events where org_id = $1 and subject_type = 'data_run' order by id`,
			[orgId]
		);
		expect(events.rows.map((e) => e.type)).toEqual(['data_run.started', 'data_run.succeeded']);
		expect(events.rows[1]!.payload).toMatchObject({ status: 'succeeded', profiles_created: 1 });
	});
});
