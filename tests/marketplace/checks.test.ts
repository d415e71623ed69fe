// The marketplace tables' own checks, for every writer (the table owner here):
// the rules a profile and an influencer must satisfy, and that checking them
// costs no query per row (ingestion writes 100,000 profiles per run; a SQL
// function with a subquery in a check ran as a query of its own per row).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let testDb: TestDatabase;
let client: pg.Client;
let influencerId: string;
let n = 0;

beforeAll(async () => {
	testDb = await createTestDatabase();
	client = new pg.Client({ connectionString: testDb.url });
	await client.connect();
	const { rows } = await client.query<{ id: string }>(
		`insert into public.marketplace_influencers (key, display_name) values ('checks', 'Checks') returning id`
	);
	influencerId = rows[0]!.id;
});
afterAll(async () => {
	await client.end();
	await testDb.drop();
});

type Profile = {
	platform?: string;
	handle?: string;
	categories?: unknown;
	audience_ages?: unknown;
	audience_genders?: unknown;
	audience_countries?: unknown;
};

/** Inserts one profile (rolled back) and returns the violated check's name, or null. */
async function violated(p: Profile): Promise<string | null> {
	n++;
	await client.query('begin');
	try {
		await client.query(
			`insert into public.marketplace_profiles (influencer_id, platform, external_id, handle, display_name,
			   categories, audience_ages, audience_genders, audience_countries)
			 values ($1, $2::public.social_platform, $3, $4, 'Checked', coalesce($5::text[], '{}'),
			   coalesce($6::jsonb, '{}'), coalesce($7::jsonb, '{}'), coalesce($8::jsonb, '{}'))`,
			[
				influencerId,
				p.platform ?? 'instagram',
				`check-${n}`,
				p.handle ?? 'checked.one',
				p.categories ?? null,
				p.audience_ages === undefined ? null : JSON.stringify(p.audience_ages),
				p.audience_genders === undefined ? null : JSON.stringify(p.audience_genders),
				p.audience_countries === undefined ? null : JSON.stringify(p.audience_countries)
			]
		);
		return null;
	} catch (error) {
		const e = error as { code?: string; constraint?: string };
		if (e.code !== '23514') throw error;
		return e.constraint ?? 'unnamed';
	} finally {
		await client.query('rollback');
	}
}

describe('marketplace profile checks', () => {
	it('categories: up to 20 distinct trimmed names of 1 to 60 characters', async () => {
		const check = 'marketplace_profiles_categories_check';
		expect(await violated({ categories: ['beauty', 'food'] })).toBeNull();
		expect(await violated({ categories: [] })).toBeNull();
		expect(await violated({ categories: ['x'.repeat(60), 'a b', 'é'] })).toBeNull();
		expect(
			await violated({ categories: Array.from({ length: 20 }, (_, i) => `c${i}`) })
		).toBeNull();
		expect(await violated({ categories: Array.from({ length: 21 }, (_, i) => `c${i}`) })).toBe(
			check
		);
		expect(await violated({ categories: ['beauty', 'beauty'] })).toBe(check);
		expect(await violated({ categories: ['x'.repeat(61)] })).toBe(check);
		expect(await violated({ categories: [''] })).toBe(check);
		expect(await violated({ categories: [' beauty'] })).toBe(check);
		expect(await violated({ categories: ['beauty '] })).toBe(check);
		expect(await violated({ categories: ['beauty', null] })).toBe(check);
	});

	it('audience splits: shares in [0, 1] of known keys adding up to at most 1', async () => {
		expect(
			await violated({
				audience_ages: { '18-24': 0.5, '65+': 0.5 },
				audience_genders: { female: 0.6, male: 0.3, other: 0.1 },
				audience_countries: { FR: 0.6, BE: 0.41 }
			})
		).toBeNull();
		expect(await violated({ audience_ages: { '18-24': 0.6, '25-34': 0.5 } })).toBe(
			'marketplace_profiles_audience_ages_check'
		);
		expect(await violated({ audience_ages: { '18-25': 0.1 } })).toBe(
			'marketplace_profiles_audience_ages_check'
		);
		expect(await violated({ audience_ages: { '65+': 1.5 } })).toBe(
			'marketplace_profiles_audience_ages_check'
		);
		expect(await violated({ audience_ages: ['18-24'] })).toBe(
			'marketplace_profiles_audience_ages_check'
		);
		expect(await violated({ audience_genders: { female: '0.5' } })).toBe(
			'marketplace_profiles_audience_genders_check'
		);
		expect(await violated({ audience_genders: { woman: 0.5 } })).toBe(
			'marketplace_profiles_audience_genders_check'
		);
		expect(await violated({ audience_genders: { female: -0.1 } })).toBe(
			'marketplace_profiles_audience_genders_check'
		);
		expect(await violated({ audience_countries: { fr: 0.5 } })).toBe(
			'marketplace_profiles_audience_countries_check'
		);
		expect(await violated({ audience_countries: { 'FR\n': 0.5 } })).toBe(
			'marketplace_profiles_audience_countries_check'
		);
		expect(await violated({ audience_countries: { FR: 0.6, BE: 0.42 } })).toBe(
			'marketplace_profiles_audience_countries_check'
		);
		expect(await violated({ audience_countries: 'FR' })).toBe(
			'marketplace_profiles_audience_countries_check'
		);
		// At most 250 countries.
		const codes = Array.from({ length: 26 * 26 }, (_, i) =>
			String.fromCharCode(65 + Math.floor(i / 26), 65 + (i % 26))
		);
		const split = (size: number) => Object.fromEntries(codes.slice(0, size).map((c) => [c, 0.001]));
		expect(await violated({ audience_countries: split(250) })).toBeNull();
		expect(await violated({ audience_countries: split(251) })).toBe(
			'marketplace_profiles_audience_countries_check'
		);
	});

	it('handles have the format of their platform', async () => {
		expect(await violated({ platform: 'tiktok', handle: 'ab' })).toBeNull();
		expect(await violated({ platform: 'tiktok', handle: 'a' })).toBe(
			'marketplace_profiles_handle_check'
		);
		expect(await violated({ platform: 'x', handle: 'with.dot' })).toBe(
			'marketplace_profiles_handle_check'
		);
	});

	it('checks handles as the platforms’ formats say, length bounds and characters alike', async () => {
		// The formats as written first (bounded repetitions), against the check's cheaper form
		// (the class unbounded, the length compared), on every platform for handles at and
		// around each bound, with characters of every other class, a newline and non-ASCII.
		const { rows } = await client.query<{ platform: string; handle: string }>(
			`with formats(platform, pattern) as (values
			   ('instagram', '^[A-Za-z0-9._]{1,30}$'), ('tiktok', '^[A-Za-z0-9._]{2,24}$'),
			   ('youtube', '^[A-Za-z0-9._-]{3,30}$'), ('twitch', '^[A-Za-z0-9_]{4,25}$'),
			   ('x', '^[A-Za-z0-9_]{1,15}$'), ('linkedin', '^[A-Za-z0-9-]{3,100}$'),
			   ('facebook', '^[A-Za-z0-9.]{5,50}$'), ('pinterest', '^[A-Za-z0-9_]{3,30}$'),
			   ('snapchat', '^[A-Za-z][A-Za-z0-9._-]{2,14}$')),
			 handles(handle) as (
			   select h from unnest(array['', 'a', '.', '-', '_', '9a', 'a.b', 'a-b', 'a_b', 'a b', 'a@b', 'é',
			     'ab' || chr(10), chr(10) || 'ab', 'Zz9', '.ab', '-ab', '_ab']) h
			   union all
			   select repeat(c, len) || tail
			     from unnest(array['a', '9', '.', '-', '_']) c,
			          generate_series(1, 102) len,
			          unnest(array['', '.', '-', '_', '!']) tail)
			 select f.platform, h.handle
			   from formats f cross join handles h
			  where private.social_handle_ok(f.platform::public.social_platform, h.handle)
			        is distinct from (h.handle ~ f.pattern)`
		);
		expect(rows).toEqual([]);
	});

	it('keeps the countries with at least 10 % of the audience, in order, for the filter', async () => {
		const { rows } = await client.query<{ main: string[] }>(
			`insert into public.marketplace_profiles (influencer_id, platform, external_id, handle, display_name,
			   audience_countries)
			 values ($1, 'youtube', 'main-countries', 'main.countries', 'Main',
			   '{"US": 0.1, "FR": 0.5, "BE": 0.09, "DE": 0.2}')
			 returning audience_main_countries as main`,
			[influencerId]
		);
		expect(rows[0]!.main).toEqual(['DE', 'FR', 'US']);
	});

	it('refuses bad categories on influencers too', async () => {
		await expect(
			client.query(
				`insert into public.marketplace_influencers (key, display_name, categories)
				 values ('dup-categories', 'Dup', array['food', 'food'])`
			)
		).rejects.toMatchObject({
			code: '23514',
			constraint: 'marketplace_influencers_categories_check'
		});
	});

	it('checks countries and languages against the ISO lists, looked up by key', async () => {
		// The JSON objects the checks ask hold exactly the lists' codes.
		const { rows } = await client.query<{ countries: boolean; languages: boolean }>(
			`select (select array_agg(k order by k) from jsonb_object_keys(private.iso_country_keys()) k)
			          = (select array_agg(c order by c) from unnest(private.iso_countries()) c) as countries,
			        (select array_agg(k order by k) from jsonb_object_keys(private.iso_language_keys()) k)
			          = (select array_agg(c order by c) from unnest(private.iso_languages()) c) as languages`
		);
		expect(rows[0]).toEqual({ countries: true, languages: true });
		const insert = (table: string, country: string | null, language: string | null) =>
			table === 'influencers'
				? client.query(
						`insert into public.marketplace_influencers (key, display_name, country, language)
						 values ($1, 'Iso', $2, $3)`,
						[`iso-${++n}`, country, language]
					)
				: client.query(
						`insert into public.marketplace_profiles (influencer_id, platform, external_id, handle,
						   display_name, country, language)
						 values ($1, $2::public.social_platform, $3, $4, 'Iso', $5, $6)`,
						// One profile per platform per influencer: a platform per row.
						[
							influencerId,
							['x', 'instagram', 'tiktok'][++n % 3],
							`iso-${n}`,
							`iso${n}`,
							country,
							language
						]
					);
		for (const table of ['profiles', 'influencers']) {
			await client.query('begin');
			try {
				// Known codes and no code are taken.
				await insert(table, 'FR', 'fr');
				await insert(table, 'ZW', 'zu');
				await insert(table, null, null);
			} finally {
				await client.query('rollback');
			}
			// A code not in the list, in lower case, or a key JSON would match
			// by containment rather than by key, is refused.
			for (const [country, language, field] of [
				['XX', 'fr', 'country'],
				['fr', 'fr', 'country'],
				['FR', 'xx', 'language'],
				['FR', 'FR', 'language'],
				['', 'fr', 'country']
			] as const) {
				await expect(insert(table, country, language)).rejects.toMatchObject({
					code: '23514',
					constraint: `marketplace_${table}_${field}_check`
				});
			}
		}
	});

	it('calls no SQL function per row in its checks and generated columns', async () => {
		// A SQL function with a SET clause is never inlined: each call runs as a
		// query. Functions without arguments (the ISO lists) are folded once.
		const { rows } = await client.query<{ fn: string }>(
			`select distinct d.refobjid::regprocedure::text as fn
			   from pg_depend d
			   join pg_proc f on f.oid = d.refobjid
			   left join pg_constraint c on d.classid = 'pg_constraint'::regclass and c.oid = d.objid
			   left join pg_attrdef a on d.classid = 'pg_attrdef'::regclass and a.oid = d.objid
			  where d.refclassid = 'pg_proc'::regclass
			    and coalesce(c.conrelid, a.adrelid) in ('public.marketplace_profiles'::regclass,
			                                            'public.marketplace_influencers'::regclass)
			    and f.prolang = (select oid from pg_language where lanname = 'sql')
			    and f.pronargs > 0
			  order by 1`
		);
		expect(rows.map((r) => r.fn)).toEqual([]);
	});
});
