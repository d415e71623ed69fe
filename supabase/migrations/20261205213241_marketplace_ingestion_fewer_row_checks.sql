-- Feature: marketplace ingestion at ≥ 10,000 profiles/s, continued (issue 16).
-- Less work per profile written, the same rules:
--   * ISO codes: a check such as country = any(private.iso_countries())
--     compares the value with the list's codes one by one (PostgreSQL hashes
--     such a list in queries, not in a table's check): ~2.9 µs per value, and
--     a new profile has four (its own and its influencer's country and
--     language). The lists become JSON objects keyed by code, built from the
--     same functions, and a check asks for the key, a binary search: ~0.3 µs
--     (200,000 rows: 749 ms with the list, 243 ms by key, 176 ms unchecked);
--   * a profile's last_run_id (the run that last wrote it) is dropped: no
--     reader used it (a run's changes and a profile's history are read from
--     marketplace_profile_metrics, which keeps the run of every measure),
--     and its foreign key looked the run up for every profile written, new or
--     updated (~5.6 µs each: PostgreSQL checks a foreign key row by row);
--   * new profiles are inserted largest first: the search indexes sort by
--     followers (alone, or after the platform or the country), so each new
--     entry lands next to the previous one (or one of 9 or 20 such places),
--     on pages just read, instead of a page found anew in each index.
--     100,000 new profiles into 1,000,000: 3.9 / 3.9 / 4.1 s in follower
--     order against 5.3 / 4.3 / 4.6 s in the run's order. Their history
--     rows go in by profile id, the order of its primary key, so each
--     primary-key entry and each foreign-key lookup of the new profile
--     follows the previous one;
--   * the optimistic path no longer looks up the influencer of a new profile
--     the provider groups under no influencer key: its key is the profile's
--     own "<platform>:<external_id>", and an influencer with that key
--     rarely exists (that account's profile deleted and its influencer
--     kept, or a provider's own key written the same way). Then the new
--     influencer's insert stops on the unique key, the attempt is rolled
--     back as for any refusal, and the item-by-item path (unchanged) finds
--     that influencer and attaches the profile to it;
--   * within a batch, a handle or an account given twice is found by hashing
--     (group by … having count(*) > 1), not by sorting for count(distinct);
--   * new influencers are picked per key in byte order (COLLATE "C"): any
--     order groups equal keys, and byte order needs no locale.

-- Section: functions (used by checks)

-- ISO 3166-1 alpha-2 country codes as the keys of a JSON object, so that a
-- check asks `private.iso_country_keys() ? code`. An immutable function
-- without arguments is evaluated once, when the check is planned.
create function private.iso_country_keys()
returns jsonb
language sql
immutable
parallel safe
set search_path = ''
as $$
  select jsonb_object_agg(code, true) from unnest(private.iso_countries()) code;
$$;
comment on function private.iso_country_keys() is
  'private.iso_countries() as the keys of a JSON object (a key lookup in checks).';

-- ISO 639-1 language codes, the same way.
create function private.iso_language_keys()
returns jsonb
language sql
immutable
parallel safe
set search_path = ''
as $$
  select jsonb_object_agg(code, true) from unnest(private.iso_languages()) code;
$$;
comment on function private.iso_language_keys() is
  'private.iso_languages() as the keys of a JSON object (a key lookup in checks).';

-- Section: checks

-- The same codes as before, looked up by key.
alter table public.marketplace_profiles
  drop constraint marketplace_profiles_country_check,
  add constraint marketplace_profiles_country_check
    check (country is null or private.iso_country_keys() ? country),
  drop constraint marketplace_profiles_language_check,
  add constraint marketplace_profiles_language_check
    check (language is null or private.iso_language_keys() ? language);
alter table public.marketplace_influencers
  drop constraint marketplace_influencers_country_check,
  add constraint marketplace_influencers_country_check
    check (country is null or private.iso_country_keys() ? country),
  drop constraint marketplace_influencers_language_check,
  add constraint marketplace_influencers_language_check
    check (language is null or private.iso_language_keys() ? language);

-- Section: columns

-- No reader (see above); its foreign key and BRIN index go with it.
alter table public.marketplace_profiles drop column last_run_id;

-- Section: functions (ingestion)

-- As in 20261205155558_marketplace_ingestion_plain_inserts.sql, without
-- last_run_id, with the new influencers' keys sorted byte-wise, new profiles
-- inserted largest first and history rows by profile id (see above).
create or replace function private.data_run_write(p_run_id uuid, p_optimistic boolean)
returns integer
language plpgsql
set search_path = ''
set work_mem = '64MB'
as $$
declare
  landed integer := 0;
begin
    if p_optimistic then
      -- A batch the optimistic path took: its new influencers and profiles are
      -- inserted as they are (see above).
      with
      -- New influencers (the values of their largest new profile).
      created as (
        insert into public.marketplace_influencers (key, display_name, country, language, categories)
        select distinct on (d.influencer_key collate "C") d.influencer_key, d.display_name, d.country, d.language, d.categories
          from pg_temp.data_run_items d
         where d.reason is null and d.influencer_id is null
         order by d.influencer_key collate "C", d.followers desc, d.n
        returning id, key
      ),
      -- Known profiles (found when the items were checked): updated in place by
      -- id, unless what they show was measured later. An update that leaves the
      -- indexed values as they were writes no index entry (HOT, see above).
      updated as (
        update public.marketplace_profiles p
           set handle = d.handle, profile_url = d.profile_url, display_name = d.display_name,
               followers = d.followers, engagement_rate = d.engagement_rate, avg_views = d.avg_views,
               country = d.country, language = d.language, categories = d.categories,
               audience_ages = d.audience_ages, audience_genders = d.audience_genders,
               audience_countries = d.audience_countries,
               measured_at = d.measured_at, updated_at = now()
          from pg_temp.data_run_items d
         where d.reason is null and d.profile_id is not null and p.id = d.profile_id
           and p.measured_at <= d.measured_at
        returning p.id
      ),
      -- New profiles: inserted.
      upserted as (
        insert into public.marketplace_profiles as p (influencer_id, platform, external_id, handle, profile_url,
          display_name, followers, engagement_rate, avg_views, country, language, categories,
          audience_ages, audience_genders, audience_countries, measured_at)
        select coalesce(d.influencer_id, c.id), d.platform, d.external_id, d.handle, d.profile_url,
               d.display_name, d.followers, d.engagement_rate, d.avg_views, d.country, d.language, d.categories,
               d.audience_ages, d.audience_genders, d.audience_countries, d.measured_at
          from pg_temp.data_run_items d
          left join created c on d.influencer_id is null and c.key = d.influencer_key
         where d.reason is null and d.profile_id is null
         -- Largest first (see above).
         order by d.followers desc
        returning p.id, p.platform, p.external_id
      )
      -- History: one row per (profile, run), for every good item (a profile
      -- measured later keeps its metrics but the run's measure is recorded).
      insert into public.marketplace_profile_metrics (profile_id, run_id, measured_at, followers, engagement_rate,
                                                      avg_views, created_profile)
      select coalesce(d.profile_id, u.id), p_run_id, d.measured_at, d.followers, d.engagement_rate, d.avg_views,
             d.profile_id is null
        from pg_temp.data_run_items d
        left join upserted u on d.profile_id is null and u.platform = d.platform and u.external_id = d.external_id
       where d.reason is null and coalesce(d.profile_id, u.id) is not null
       -- In the order of the primary key (see above).
       order by 1
      on conflict (profile_id, run_id) do nothing;
    else
      with
      -- New influencers (the values of their largest new profile); a key another
      -- delivery just created is taken as it is.
      created as (
        insert into public.marketplace_influencers (key, display_name, country, language, categories)
        select distinct on (d.influencer_key collate "C") d.influencer_key, d.display_name, d.country, d.language, d.categories
          from pg_temp.data_run_items d
         where d.reason is null and d.influencer_id is null
         order by d.influencer_key collate "C", d.followers desc, d.n
        on conflict (key) do update set updated_at = now()
        returning id, key
      ),
      -- Known profiles (found when the items were checked): updated in place by
      -- id, unless what they show was measured later. An update that leaves the
      -- indexed values as they were writes no index entry (HOT, see above).
      updated as (
        update public.marketplace_profiles p
           set handle = d.handle, profile_url = d.profile_url, display_name = d.display_name,
               followers = d.followers, engagement_rate = d.engagement_rate, avg_views = d.avg_views,
               country = d.country, language = d.language, categories = d.categories,
               audience_ages = d.audience_ages, audience_genders = d.audience_genders,
               audience_countries = d.audience_countries,
               measured_at = d.measured_at, updated_at = now()
          from pg_temp.data_run_items d
         where d.reason is null and d.profile_id is not null and p.id = d.profile_id
           and p.measured_at <= d.measured_at
        returning p.id
      ),
      -- New profiles: inserted; one another delivery created meanwhile is
      -- updated as above (same rule).
      upserted as (
        insert into public.marketplace_profiles as p (influencer_id, platform, external_id, handle, profile_url,
          display_name, followers, engagement_rate, avg_views, country, language, categories,
          audience_ages, audience_genders, audience_countries, measured_at)
        select coalesce(d.influencer_id, c.id), d.platform, d.external_id, d.handle, d.profile_url,
               d.display_name, d.followers, d.engagement_rate, d.avg_views, d.country, d.language, d.categories,
               d.audience_ages, d.audience_genders, d.audience_countries, d.measured_at
          from pg_temp.data_run_items d
          left join created c on d.influencer_id is null and c.key = d.influencer_key
         where d.reason is null and d.profile_id is null
         -- Largest first (see above).
         order by d.followers desc
        on conflict (platform, external_id) do update
          set handle = excluded.handle, profile_url = excluded.profile_url, display_name = excluded.display_name,
              followers = excluded.followers, engagement_rate = excluded.engagement_rate, avg_views = excluded.avg_views,
              country = excluded.country, language = excluded.language, categories = excluded.categories,
              audience_ages = excluded.audience_ages, audience_genders = excluded.audience_genders,
              audience_countries = excluded.audience_countries, measured_at = excluded.measured_at, updated_at = now()
          where p.measured_at <= excluded.measured_at
        returning p.id, p.platform, p.external_id
      )
      -- History: one row per (profile, run), for every good item (a profile
      -- measured later keeps its metrics but the run's measure is recorded).
      insert into public.marketplace_profile_metrics (profile_id, run_id, measured_at, followers, engagement_rate,
                                                      avg_views, created_profile)
      select coalesce(d.profile_id, u.id), p_run_id, d.measured_at, d.followers, d.engagement_rate, d.avg_views,
             d.profile_id is null
        from pg_temp.data_run_items d
        left join upserted u on d.profile_id is null and u.platform = d.platform and u.external_id = d.external_id
       where d.reason is null and coalesce(d.profile_id, u.id) is not null
       -- In the order of the primary key (see above).
       order by 1
      on conflict (profile_id, run_id) do nothing;
    end if;
    get diagnostics landed = row_count;

    -- Influencers take the name, place, language and categories of their largest profile.
    update public.marketplace_influencers i
       set display_name = p.display_name, country = p.country, language = p.language,
           categories = p.categories, updated_at = now()
      from (select distinct on (p.influencer_id) p.influencer_id, p.display_name, p.country, p.language, p.categories
              from public.marketplace_profiles p
             -- Influencers that had profiles before, when one of theirs is new or
             -- changed; a new one with a single profile already has its values.
             where p.influencer_id in (select d.influencer_id from pg_temp.data_run_items d
                                        where d.reason is null and d.influencer_id is not null and d.changed
                                       union all
                                       select mi.id from public.marketplace_influencers mi
                                        where mi.key in (select d.influencer_key from pg_temp.data_run_items d
                                                          where d.reason is null and d.influencer_id is null
                                                          group by d.influencer_key having count(*) > 1))
             order by p.influencer_id, p.followers desc, p.id) p
     where i.id = p.influencer_id
       and (i.display_name, i.country, i.language, i.categories)
           is distinct from (p.display_name, p.country, p.language, p.categories);

  return landed;
end;
$$;
comment on function private.data_run_write(uuid, boolean) is
  'Writes the staged items of a data run delivery (private.data_run_receive): influencers, profiles, metric history.';

-- As in 20261205155558_marketplace_ingestion_plain_inserts.sql, except that
-- ISO codes are looked up by key, and the optimistic path finds duplicates by
-- hashing and looks up influencers only by a key the provider gave (see above).
create or replace function private.data_run_receive(p_run jsonb, p_items jsonb default '[]'::jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
-- The run's items are sorted and hashed (duplicates, keys): in memory.
set work_mem = '64MB'
as $$
declare
  run public.data_runs;
  new_status public.data_run_status;
  refusal text;
  delivered_at timestamptz;
  rejected_now integer := 0;
  landed integer := 0;
  -- Whether the batch went through the item-by-item path (step 2 below).
  checked_per_item boolean := false;
  -- The lists items are checked against, read once (not once per item).
  platforms text[] := enum_range(null::public.social_platform)::text[];
  countries jsonb := private.iso_country_keys();
  languages jsonb := private.iso_language_keys();
  -- An audience's countries are ISO codes: the list as JSON, which contains
  -- the audience's keys (one containment test, not a regex of 250 codes).
  countries_json jsonb := to_jsonb(private.iso_countries());
begin
  if jsonb_typeof(p_items) is distinct from 'array' then
    raise exception 'items must be an array' using errcode = '22023', column = 'items';
  end if;
  new_status := (p_run->>'status')::public.data_run_status;
  delivered_at := coalesce((p_run->>'finished_at')::timestamptz, (p_run->>'started_at')::timestamptz, now());

  insert into public.data_runs (provider, run_id, task_id, org_id, status, started_at, finished_at,
                                message, results_count, metadata)
  values (p_run->>'provider', p_run->>'run_id', p_run->>'task_id', (p_run->>'org_id')::uuid, new_status,
          (p_run->>'started_at')::timestamptz, (p_run->>'finished_at')::timestamptz, p_run->>'message',
          coalesce((p_run->>'results_count')::integer, 0), coalesce(p_run->'metadata', '{}'))
  on conflict (provider, run_id) do nothing
  returning * into run;

  if found then
    insert into public.data_run_entries (run_id, kind, message, detail)
    values (run.id, 'status', format('Run received as %s.', new_status), jsonb_build_object('to', new_status));
    if run.org_id is not null and new_status = 'running' then
      perform private.record_event(run.org_id, 'data_run.started', 'data_run', run.id,
                                   jsonb_build_object('run_id', run.id, 'provider', run.provider));
    end if;
  else
    select * into run from public.data_runs
     where provider = p_run->>'provider' and run_id = p_run->>'run_id' for update;
    refusal := private.data_run_transition_refusal(run.status, new_status);
    if refusal is not null then
      insert into public.data_run_entries (run_id, kind, message, detail)
      values (run.id, 'refused', refusal, jsonb_build_object('from', run.status, 'to', new_status, 'items', jsonb_array_length(p_items)));
      return jsonb_build_object('run_id', run.id, 'status', run.status, 'refused', refusal,
                                'profiles_created', run.profiles_created, 'profiles_updated', run.profiles_updated,
                                'items_rejected', run.items_rejected);
    end if;
    if run.status <> new_status then
      insert into public.data_run_entries (run_id, kind, message, detail)
      values (run.id, 'status', format('Run went from %s to %s.', run.status, new_status),
              jsonb_build_object('from', run.status, 'to', new_status));
      if run.org_id is not null and new_status = 'running' then
        perform private.record_event(run.org_id, 'data_run.started', 'data_run', run.id,
                                     jsonb_build_object('run_id', run.id, 'provider', run.provider));
      end if;
    end if;
    update public.data_runs
       set status = new_status,
           task_id = coalesce(p_run->>'task_id', task_id),
           started_at = coalesce((p_run->>'started_at')::timestamptz, started_at),
           finished_at = coalesce((p_run->>'finished_at')::timestamptz, finished_at),
           message = coalesce(p_run->>'message', message),
           results_count = greatest(results_count, coalesce((p_run->>'results_count')::integer, 0)),
           metadata = metadata || coalesce(p_run->'metadata', '{}')
     where id = run.id
     returning * into run;
  end if;

  if jsonb_array_length(p_items) > 0 then
    -- Every item once: why it is refused (null: it lands), its values read
    -- as a profile row, and the profile / influencer it already has.
    create temporary table if not exists pg_temp.data_run_items (
      n integer, reason text, field text,
      raw_platform text, raw_external_id text, raw_handle text,
      platform public.social_platform, external_id text, handle text, display_name text, profile_url text,
      followers bigint, engagement_rate real, avg_views bigint, country text, language text, categories text[],
      audience_ages jsonb, audience_genders jsonb, audience_countries jsonb,
      influencer_key text, measured_at timestamptz,
      profile_id uuid, influencer_id uuid,
      -- Whether the influencer may take other values from it (new, or its
      -- followers, name, place, language or categories differ).
      changed boolean
    ) on commit drop;
    -- 1. The optimistic path: the whole batch read and checked set-based
    -- with only what the tables' checks cannot say (JSON types, null values
    -- where a value is required, ISO audience countries, lengths the tables
    -- allow wider), duplicates counted by hashing, then written. A refused
    -- item anywhere (here, or a table's check, unique key or cast while
    -- writing) undoes the whole attempt (its subtransaction) and the batch
    -- goes through step 2, which says why per item.
    begin
      truncate pg_temp.data_run_items;
      insert into pg_temp.data_run_items (n, reason, platform, external_id, handle, display_name, profile_url,
        followers, engagement_rate, avg_views, country, language, categories, audience_ages, audience_genders,
        audience_countries, influencer_key, measured_at, profile_id, influencer_id, changed)
      select i.n, i.slow, (i.p).platform, (i.p).external_id, (i.p).handle,
             coalesce((i.p).display_name, (i.p).handle), (i.p).profile_url, (i.p).followers,
             coalesce((i.p).engagement_rate, 0), (i.p).avg_views, (i.p).country, (i.p).language,
             coalesce((i.p).categories, '{}'), i.audience_ages, i.audience_genders, i.audience_countries,
             i.influencer_key, coalesce((i.p).measured_at, delivered_at),
             mp.id, coalesce(mp.influencer_id, mi.id),
             mp.id is null or (mp.followers, mp.display_name, mp.country, mp.language, mp.categories)
               is distinct from ((i.p).followers, coalesce((i.p).display_name, (i.p).handle), (i.p).country,
                                 (i.p).language, coalesce((i.p).categories, '{}'))
        from (select e.n,
                     -- Null when the item may take this path (CASE: in order, no cast before its type is known).
                     case
                       when jsonb_typeof(e.item) <> 'object' then 'item'
                       when coalesce(jsonb_typeof(e.item->'followers') <> 'number', true)
                            or (e.item->>'followers') !~ '^[0-9]{1,15}$' then 'followers'
                       when e.item ? 'engagement_rate' and not case when jsonb_typeof(e.item->'engagement_rate') = 'number'
                              then (e.item->>'engagement_rate')::numeric between 0 and 1 else false end then 'engagement_rate'
                       when e.item ? 'avg_views' and jsonb_typeof(e.item->'avg_views') <> 'null'
                            and coalesce((e.item->>'avg_views') !~ '^[0-9]{1,15}$', true) then 'avg_views'
                       when e.item ? 'display_name' and coalesce(char_length(e.item->>'display_name') not between 1 and 200, true)
                         then 'display_name'
                       when e.item ? 'influencer_key' and coalesce(char_length(e.item->>'influencer_key') not between 1 and 160, true)
                         then 'influencer_key'
                       when (e.item ? 'profile_url' and e.item->>'profile_url' is null)
                            or (e.item ? 'country' and e.item->>'country' is null)
                            or (e.item ? 'language' and e.item->>'language' is null)
                            or (e.item ? 'measured_at' and e.item->>'measured_at' is null) then 'null'
                       when e.item ? 'categories' and (jsonb_typeof(e.item->'categories') <> 'array'
                            or jsonb_path_exists(e.item->'categories', 'strict $[*] ? (@.type() != "string")')) then 'categories'
                     end as slow,
                     case when jsonb_typeof(e.item) = 'object' then jsonb_populate_record(null::private.data_run_item, e.item) end as p,
                     coalesce(e.item->>'influencer_key', (e.item->>'platform') || ':' || (e.item->>'external_id')) as influencer_key,
                     coalesce(e.item->'audience'->'ages', '{}') as audience_ages,
                     coalesce(e.item->'audience'->'genders', '{}') as audience_genders,
                     coalesce(e.item->'audience'->'countries', '{}') as audience_countries,
                     e.item->>'influencer_key' is not null as keyed
                from jsonb_array_elements(p_items) with ordinality as e(item, n)
              -- Each item read once (not once per field and join).
              offset 0) i
        left join public.marketplace_profiles mp
          on mp.platform = (i.p).platform and mp.external_id = (i.p).external_id
        -- A new profile without an influencer key gets a new influencer keyed
        -- by its account (see above): no look-up.
        left join public.marketplace_influencers mi
          on mp.id is null and i.keyed and mi.key = i.influencer_key;
      if exists (select 1 from pg_temp.data_run_items d where d.reason is not null)
         -- Within a run a handle or an account appears once.
         or exists (select from pg_temp.data_run_items d group by d.platform, lower(d.handle) having count(*) > 1)
         or exists (select from pg_temp.data_run_items d group by d.platform, d.external_id having count(*) > 1)
         -- An audience's countries are ISO codes (the table's check knows only their form).
         or exists (select 1 from (select distinct k.key from pg_temp.data_run_items d,
                                          jsonb_object_keys(d.audience_countries) k(key)) k
                     where not countries ? k.key) then
        raise exception 'a batch with refusals is checked item by item' using errcode = 'P0001';
      end if;
      analyze pg_temp.data_run_items (reason, platform, external_id, influencer_key, profile_id, influencer_id, changed);
      landed := private.data_run_write(run.id, true);
      checked_per_item := false;
    exception when others then
      -- Nothing of the attempt is left (its subtransaction is rolled back).
      checked_per_item := true;
    end;

    -- 2. Item by item, when the optimistic path refused the batch.
    if checked_per_item then
    truncate pg_temp.data_run_items;

    with checked as materialized (
      -- The checks, in order (the first that fails is the reason): the rules
      -- of the tables' checks, plus ISO lists and the item's own fields.
      select i.n, i.item,
        case
          when jsonb_typeof(i.item) <> 'object' then 'item'
          when not coalesce(i.item->>'platform' = any(platforms), false) then 'platform'
          when coalesce(char_length(i.item->>'external_id'), 0) not between 1 and 200 then 'external_id'
          when not coalesce(i.item->>'handle' ~ case i.item->>'platform'
                 when 'instagram' then '^[A-Za-z0-9._]{1,30}$'
                 when 'tiktok' then '^[A-Za-z0-9._]{2,24}$'
                 when 'youtube' then '^[A-Za-z0-9._-]{3,30}$'
                 when 'twitch' then '^[A-Za-z0-9_]{4,25}$'
                 when 'x' then '^[A-Za-z0-9_]{1,15}$'
                 when 'linkedin' then '^[A-Za-z0-9-]{3,100}$'
                 when 'facebook' then '^[A-Za-z0-9.]{5,50}$'
                 when 'pinterest' then '^[A-Za-z0-9_]{3,30}$'
                 when 'snapchat' then '^[A-Za-z][A-Za-z0-9._-]{2,14}$' end, false) then 'handle'
          when coalesce(jsonb_typeof(i.item->'followers') <> 'number', true) then 'followers_missing'
          when (i.item->>'followers') ~ '^-' then 'followers_negative'
          when (i.item->>'followers') !~ '^[0-9]{1,15}$' then 'followers_whole'
          when i.item ? 'engagement_rate' and not case when jsonb_typeof(i.item->'engagement_rate') = 'number'
                 then (i.item->>'engagement_rate')::numeric between 0 and 1 else false end then 'engagement_rate'
          when i.item ? 'avg_views' and jsonb_typeof(i.item->'avg_views') <> 'null'
               and coalesce((i.item->>'avg_views') !~ '^[0-9]{1,15}$', true) then 'avg_views'
          when i.item ? 'display_name' and coalesce(char_length(i.item->>'display_name') not between 1 and 200, true)
            then 'display_name'
          when i.item ? 'profile_url' and coalesce(i.item->>'profile_url' !~ '^https://[^[:space:]]+$'
               or char_length(i.item->>'profile_url') > 500, true) then 'profile_url'
          when i.item ? 'country' and not coalesce(countries ? (i.item->>'country'), false) then 'country'
          when i.item ? 'language' and not coalesce(languages ? (i.item->>'language'), false) then 'language'
          -- Strings (by jsonpath), then the table's rule on them as text.
          when i.item ? 'categories' and not case
                 when jsonb_typeof(i.item->'categories') <> 'array' or jsonb_array_length(i.item->'categories') > 20 then false
                 when jsonb_path_exists(i.item->'categories', 'strict $[*] ? (@.type() != "string")') then false
                 else private.names_ok((jsonb_populate_record(null::private.data_run_item,
                        jsonb_build_object('categories', i.item->'categories'))).categories, 20, 60)
               end then 'categories'
          when i.item->'audience'->'ages' is not null
               and not (private.audience_shares_ok(i.item->'audience'->'ages')
                    and not jsonb_path_exists(i.item->'audience'->'ages',
                      'strict $.keyvalue() ? (!(@.key like_regex "^(13-17|18-24|25-34|35-44|45-54|55-64|65\\+)$" flag "s"))', '{}', true))
            then 'audience.ages'
          when i.item->'audience'->'genders' is not null
               and not (private.audience_shares_ok(i.item->'audience'->'genders')
                    and not jsonb_path_exists(i.item->'audience'->'genders',
                      'strict $.keyvalue() ? (!(@.key like_regex "^(female|male|other)$" flag "s"))', '{}', true))
            then 'audience.genders'
          when i.item->'audience'->'countries' is not null
               and not (private.audience_shares_ok(i.item->'audience'->'countries')
                    and countries_json @> jsonb_path_query_array(i.item->'audience'->'countries',
                                                                 'strict $.keyvalue().key', '{}', true))
            then 'audience.countries'
          when i.item ? 'measured_at' and not coalesce(pg_input_is_valid(i.item->>'measured_at', 'timestamptz'), false)
            then 'measured_at'
          when i.item ? 'influencer_key' and coalesce(char_length(i.item->>'influencer_key') not between 1 and 160, true)
            then 'influencer_key'
        end as fault
        from jsonb_array_elements(p_items) with ordinality as i(item, n)
    ),
    -- A good item read as a profile row (one conversion, in C); the item's
    -- raw text for the log and the refusals' messages. The item itself is
    -- not carried further (the sorts below stay small).
    parsed as materialized (
      select c.n, c.fault,
             case when c.fault is null then jsonb_populate_record(null::private.data_run_item, c.item) end as p,
             case when c.fault is null
               then coalesce(c.item->>'influencer_key', (c.item->>'platform') || ':' || (c.item->>'external_id')) end as influencer_key,
             c.item->>'platform' as raw_platform, c.item->>'external_id' as raw_external_id,
             c.item->>'handle' as raw_handle, c.item->>'country' as raw_country, c.item->>'language' as raw_language,
             case when c.fault is null then coalesce(c.item->'audience'->'ages', '{}') end as audience_ages,
             case when c.fault is null then coalesce(c.item->'audience'->'genders', '{}') end as audience_genders,
             case when c.fault is null then coalesce(c.item->'audience'->'countries', '{}') end as audience_countries
        from checked c
    ),
    -- Within a run a handle or an account appears once; all copies are refused.
    handles as (
      select c.*, count(*) filter (where c.fault is null)
                    over (partition by (c.p).platform, lower((c.p).handle)) as handle_copies
        from parsed c
    ),
    accounts as (
      select c.*, count(*) filter (where c.fault is null and c.handle_copies = 1)
                    over (partition by (c.p).platform, (c.p).external_id) as account_copies
        from handles c
    ),
    -- Profiles already known keep their influencer; a new profile joins its
    -- influencer (found by key), one profile per platform.
    known as (
      select c.*, mp.id as profile_id, coalesce(mp.influencer_id, mi.id) as influencer_id,
             mp.id is null or (mp.followers, mp.display_name, mp.country, mp.language, mp.categories)
               is distinct from ((c.p).followers, coalesce((c.p).display_name, (c.p).handle), (c.p).country,
                                 (c.p).language, coalesce((c.p).categories, '{}')) as changed,
             count(*) filter (where c.fault is null and c.handle_copies = 1 and c.account_copies = 1 and mp.id is null)
               over (partition by c.influencer_key, (c.p).platform) as key_copies
        from accounts c
        left join public.marketplace_profiles mp
          on c.fault is null and mp.platform = (c.p).platform and mp.external_id = (c.p).external_id
        left join public.marketplace_influencers mi
          on c.fault is null and mp.id is null and mi.key = c.influencer_key
    )
    insert into pg_temp.data_run_items (n, reason, field, raw_platform, raw_external_id, raw_handle,
      platform, external_id, handle, display_name, profile_url, followers, engagement_rate, avg_views, country,
      language, categories, audience_ages, audience_genders, audience_countries, influencer_key, measured_at,
      profile_id, influencer_id, changed)
    select k.n, r.reason, r.field,
           left(k.raw_platform, 40), left(k.raw_external_id, 200), left(k.raw_handle, 100),
           (k.p).platform, (k.p).external_id, (k.p).handle, coalesce((k.p).display_name, (k.p).handle),
           (k.p).profile_url, (k.p).followers, coalesce((k.p).engagement_rate, 0), (k.p).avg_views, (k.p).country,
           (k.p).language, coalesce((k.p).categories, '{}'),
           k.audience_ages, k.audience_genders, k.audience_countries, k.influencer_key,
           coalesce((k.p).measured_at, delivered_at), k.profile_id, k.influencer_id, k.changed
      from known k
      cross join lateral (select
        case
          when k.fault is not null then case k.fault
             when 'item' then 'Not a profile object.'
             when 'platform' then format('Unknown platform "%s".', left(coalesce(k.raw_platform, ''), 40))
             when 'external_id' then 'The account id is missing or longer than 200 characters.'
             when 'handle' then format('"%s" is not a valid handle on this platform.', left(coalesce(k.raw_handle, ''), 60))
             when 'followers_missing' then 'Followers are missing or not a number.'
             when 'followers_negative' then 'Followers cannot be negative.'
             when 'followers_whole' then 'Followers must be a whole number.'
             when 'engagement_rate' then 'The engagement rate must be between 0 and 1 (0 % to 100 %).'
             when 'avg_views' then 'Average views must be a whole number of at least 0.'
             when 'display_name' then 'The name must be 1 to 200 characters.'
             when 'profile_url' then 'The profile address must be an https:// link.'
             when 'country' then format('"%s" is not an ISO country code.', left(coalesce(k.raw_country, ''), 10))
             when 'language' then format('"%s" is not an ISO language code.', left(coalesce(k.raw_language, ''), 10))
             when 'categories' then 'Categories must be up to 20 distinct names of at most 60 characters.'
             when 'audience.ages' then 'Audience ages must be shares between 0 and 1 of the age bands.'
             when 'audience.genders' then 'Audience genders must be shares between 0 and 1 of female, male, other.'
             when 'audience.countries' then 'Audience countries must be shares between 0 and 1 of ISO country codes.'
             when 'measured_at' then 'The measurement time is not a date and time.'
             when 'influencer_key' then 'The influencer key must be 1 to 160 characters.'
           end
          when k.handle_copies > 1
            then format('The handle "%s" appears %s times in this run.', (k.p).handle, k.handle_copies)
          when k.account_copies > 1
            then format('The account "%s" appears %s times in this run.', (k.p).external_id, k.account_copies)
          when k.profile_id is null and (k.key_copies > 1 or (k.influencer_id is not null and exists (
                 select 1 from public.marketplace_profiles op
                  where op.influencer_id = k.influencer_id and op.platform = (k.p).platform)))
            then format('This influencer already has another %s profile.', (k.p).platform)
        end as reason,
        case
          when k.fault is not null then case when k.fault like 'followers%' then 'followers' else k.fault end
          when k.handle_copies > 1 then 'handle'
          when k.account_copies > 1 then 'external_id'
          when k.profile_id is null and (k.key_copies > 1 or (k.influencer_id is not null and exists (
                 select 1 from public.marketplace_profiles op
                  where op.influencer_id = k.influencer_id and op.platform = (k.p).platform)))
            then 'influencer_key'
        end as field) r;
    -- Statistics for the joins and filters below (a temporary table has
    -- none), of the columns they read only: sampling every column (the
    -- audience splits, the categories) cost a few percent of a run.
    analyze pg_temp.data_run_items (reason, platform, external_id, influencer_key, profile_id, influencer_id, changed);

    -- Refusals, logged once per run and item.
    with logged as (
      insert into public.data_run_entries (run_id, kind, message, detail)
      select run.id, 'rejected', d.reason,
             jsonb_strip_nulls(jsonb_build_object('field', d.field, 'platform', d.raw_platform,
               'external_id', d.raw_external_id, 'handle', d.raw_handle))
        from pg_temp.data_run_items d
       where d.reason is not null
         and not exists (select 1 from public.data_run_entries e
                          where e.run_id = run.id and e.kind = 'rejected'
                            and e.detail->>'field' is not distinct from d.field
                            and e.detail->>'platform' is not distinct from d.raw_platform
                            and e.detail->>'external_id' is not distinct from d.raw_external_id
                            and e.detail->>'handle' is not distinct from d.raw_handle)
       order by d.n
      returning 1
    )
    select count(*) into rejected_now from logged;

    landed := private.data_run_write(run.id, false);
    end if;

    if landed > 0 or rejected_now > 0 then
      insert into public.data_run_entries (run_id, kind, message, detail)
      values (run.id, 'ingested', format('%s profiles landed, %s items refused.', landed, rejected_now),
              jsonb_build_object('landed', landed, 'rejected', rejected_now));
    end if;

    update public.data_runs r
       set profiles_created = m.created, profiles_updated = m.total - m.created,
           items_rejected = (select count(*) from public.data_run_entries e where e.run_id = r.id and e.kind = 'rejected'),
           results_count = greatest(r.results_count, m.total)
      from (select count(*) filter (where created_profile)::integer as created, count(*)::integer as total
              from public.marketplace_profile_metrics where run_id = run.id) m
     where r.id = run.id
     returning r.* into run;
  end if;

  -- A finished run an organization asked for tells it, once (on the change).
  if run.org_id is not null and private.data_run_status_rank(new_status) = 3
     and not exists (select 1 from public.events e
                      where e.org_id = run.org_id and e.subject_type = 'data_run' and e.subject_id = run.id
                        and e.type in ('data_run.succeeded', 'data_run.failed')) then
    perform private.record_event(run.org_id,
      case when new_status = 'succeeded' then 'data_run.succeeded' else 'data_run.failed' end,
      'data_run', run.id,
      jsonb_build_object('run_id', run.id, 'provider', run.provider, 'status', run.status,
                         'profiles_created', run.profiles_created, 'profiles_updated', run.profiles_updated,
                         'items_rejected', run.items_rejected));
  end if;

  return jsonb_build_object('run_id', run.id, 'status', run.status, 'refused', null,
                            'profiles_created', run.profiles_created, 'profiles_updated', run.profiles_updated,
                            'items_rejected', run.items_rejected);
end;
$$;
comment on function private.data_run_receive(jsonb, jsonb) is
  'Verified ingestion: records a data run delivery (status machine, log) and upserts its profiles set-based, idempotently.';

-- Section: grants

-- The checks run as whoever writes a row, as the lists they are built from.
revoke all on function private.iso_country_keys(), private.iso_language_keys() from public;
grant execute on function private.iso_country_keys(), private.iso_language_keys() to authenticated, service_role;
