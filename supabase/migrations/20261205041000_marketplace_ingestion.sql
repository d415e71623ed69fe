-- Feature: ingestion of external data runs into the marketplace (issue 16,
-- part 4). The data-runs edge function (supabase/functions/data-runs) verifies
-- the provider's signature, then calls private.data_run_receive() as the
-- service role with the delivery: the run (provider, run id, task, status,
-- times, message, results count, metadata) and, when it has them, its items
-- (one profile each). In one transaction, set-based:
--   * the run row is created on its first delivery; a status that goes
--     backwards or changes after the end is refused and logged with why, and
--     nothing else of that delivery is written;
--   * each item is checked (known platform, handle format, followers and
--     views ≥ 0, engagement in [0, 1], ISO country and language, categories,
--     audience splits); items sharing a handle or an account within the run
--     are all refused (which one is right cannot be told); refusals are logged
--     once per run with the item and the reason; good items still land;
--   * profiles are upserted by (platform, external_id); an influencer is found
--     by its key (the provider's person id, or the profile's own id), so the
--     same run delivered twice or runs in any order never duplicate one;
--     a delivery measured earlier than what a profile shows leaves its latest
--     metrics alone;
--   * one metric row per (profile, run): delivering again appends nothing;
--   * the run's counts (created, updated, rejected) are recounted from the
--     metric rows and the log, so they stay right however often it arrives;
--   * runs an organization asked for send data_run.started,
--     data_run.succeeded and data_run.failed (failed, timed out or aborted)
--     to its outbox.

-- Section: functions

-- Receives one delivery of a data run (see the header). Returns what it did:
-- {run_id, status, refused, profiles_created, profiles_updated, items_rejected}.
create function private.data_run_receive(p_run jsonb, p_items jsonb default '[]'::jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  run public.data_runs;
  new_status public.data_run_status;
  refusal text;
  delivered_at timestamptz;
  rejected_now integer := 0;
  landed integer := 0;
  -- The lists items are checked against, read once (not once per item).
  platforms text[] := enum_range(null::public.social_platform)::text[];
  countries text[] := private.iso_countries();
  languages text[] := private.iso_languages();
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
    -- Every item, parsed once, with why it is refused (null: it lands).
    create temporary table if not exists pg_temp.data_run_items (
      n integer, item jsonb, platform public.social_platform, external_id text, handle text,
      influencer_key text, measured_at timestamptz, followers bigint, reason text, field text,
      profile_id uuid, influencer_id uuid, created boolean
    ) on commit drop;
    truncate pg_temp.data_run_items;
    -- The checks, in order (the first that fails is the reason); inline SQL
    -- over the whole batch, the same rules as the tables' constraints.
    with checked as (
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
          when i.item ? 'country' and not coalesce(i.item->>'country' = any(countries), false) then 'country'
          when i.item ? 'language' and not coalesce(i.item->>'language' = any(languages), false) then 'language'
          when i.item ? 'categories' and not coalesce(case when jsonb_typeof(i.item->'categories') = 'array'
                 and jsonb_array_length(i.item->'categories') <= 20
                 and not jsonb_path_exists(i.item->'categories', '$[*] ? (@.type() != "string")')
               then (select coalesce(bool_and(c = btrim(c) and char_length(c) between 1 and 60), true)
                            and count(distinct c) = count(*)
                       from jsonb_array_elements_text(i.item->'categories') c) end, false) then 'categories'
          when not coalesce(case when jsonb_typeof(coalesce(i.item->'audience'->'ages', '{}')) = 'object'
               then (select coalesce(bool_and(case when jsonb_typeof(e.value) = 'number'
                              and e.key ~ '^(13-17|18-24|25-34|35-44|45-54|55-64|65\+)$'
                              then (e.value)::numeric between 0 and 1 else false end), true)
                            and coalesce(sum(case when jsonb_typeof(e.value) = 'number' then (e.value)::numeric end), 0) <= 1.01
                       from jsonb_each(i.item->'audience'->'ages') e) end, false) then 'audience.ages'
          when not coalesce(case when jsonb_typeof(coalesce(i.item->'audience'->'genders', '{}')) = 'object'
               then (select coalesce(bool_and(case when jsonb_typeof(e.value) = 'number'
                              and e.key in ('female', 'male', 'other')
                              then (e.value)::numeric between 0 and 1 else false end), true)
                            and coalesce(sum(case when jsonb_typeof(e.value) = 'number' then (e.value)::numeric end), 0) <= 1.01
                       from jsonb_each(i.item->'audience'->'genders') e) end, false) then 'audience.genders'
          when not coalesce(case when jsonb_typeof(coalesce(i.item->'audience'->'countries', '{}')) = 'object'
               then (select coalesce(bool_and(case when jsonb_typeof(e.value) = 'number' and e.key = any(countries)
                              then (e.value)::numeric between 0 and 1 else false end), true)
                            and coalesce(sum(case when jsonb_typeof(e.value) = 'number' then (e.value)::numeric end), 0) <= 1.01
                            and count(*) <= 250
                       from jsonb_each(i.item->'audience'->'countries') e) end, false) then 'audience.countries'
          when i.item ? 'measured_at' and not coalesce(pg_input_is_valid(i.item->>'measured_at', 'timestamptz'), false)
            then 'measured_at'
          when i.item ? 'influencer_key' and coalesce(char_length(i.item->>'influencer_key') not between 1 and 160, true)
            then 'influencer_key'
        end as fault
        from jsonb_array_elements(p_items) with ordinality as i(item, n)
    )
    insert into pg_temp.data_run_items (n, item, reason, field)
    select c.n, c.item,
           case c.fault
             when 'item' then 'Not a profile object.'
             when 'platform' then format('Unknown platform "%s".', left(coalesce(c.item->>'platform', ''), 40))
             when 'external_id' then 'The account id is missing or longer than 200 characters.'
             when 'handle' then format('"%s" is not a valid handle on this platform.', left(coalesce(c.item->>'handle', ''), 60))
             when 'followers_missing' then 'Followers are missing or not a number.'
             when 'followers_negative' then 'Followers cannot be negative.'
             when 'followers_whole' then 'Followers must be a whole number.'
             when 'engagement_rate' then 'The engagement rate must be between 0 and 1 (0 % to 100 %).'
             when 'avg_views' then 'Average views must be a whole number of at least 0.'
             when 'display_name' then 'The name must be 1 to 200 characters.'
             when 'profile_url' then 'The profile address must be an https:// link.'
             when 'country' then format('"%s" is not an ISO country code.', left(coalesce(c.item->>'country', ''), 10))
             when 'language' then format('"%s" is not an ISO language code.', left(coalesce(c.item->>'language', ''), 10))
             when 'categories' then 'Categories must be up to 20 distinct names of at most 60 characters.'
             when 'audience.ages' then 'Audience ages must be shares between 0 and 1 of the age bands.'
             when 'audience.genders' then 'Audience genders must be shares between 0 and 1 of female, male, other.'
             when 'audience.countries' then 'Audience countries must be shares between 0 and 1 of ISO country codes.'
             when 'measured_at' then 'The measurement time is not a date and time.'
             when 'influencer_key' then 'The influencer key must be 1 to 160 characters.'
           end,
           case when c.fault like 'followers%' then 'followers' else c.fault end
      from checked c;
    update pg_temp.data_run_items
       set platform = (item->>'platform')::public.social_platform,
           external_id = item->>'external_id',
           handle = item->>'handle',
           influencer_key = coalesce(item->>'influencer_key', (item->>'platform') || ':' || (item->>'external_id')),
           measured_at = coalesce((item->>'measured_at')::timestamptz, delivered_at),
           followers = (item->>'followers')::bigint
     where reason is null;
    -- Statistics for the joins below (a temporary table has none).
    analyze pg_temp.data_run_items;

    -- Within a run a handle or an account appears once; all copies are refused.
    update pg_temp.data_run_items d
       set reason = format('The handle "%s" appears %s times in this run.', d.handle, x.copies), field = 'handle'
      from (select platform, lower(handle) as handle, count(*) as copies
              from pg_temp.data_run_items where reason is null
             group by 1, 2 having count(*) > 1) x
     where d.reason is null and d.platform = x.platform and lower(d.handle) = x.handle;
    update pg_temp.data_run_items d
       set reason = format('The account "%s" appears %s times in this run.', d.external_id, x.copies), field = 'external_id'
      from (select platform, external_id, count(*) as copies
              from pg_temp.data_run_items where reason is null
             group by 1, 2 having count(*) > 1) x
     where d.reason is null and d.platform = x.platform and d.external_id = x.external_id;

    -- Profiles already known keep their influencer.
    update pg_temp.data_run_items d
       set profile_id = p.id, influencer_id = p.influencer_id, created = false
      from public.marketplace_profiles p
     where d.reason is null and p.platform = d.platform and p.external_id = d.external_id;

    -- A new profile joins its influencer (found by key); one per platform.
    update pg_temp.data_run_items d
       set influencer_id = i.id
      from public.marketplace_influencers i
     where d.reason is null and d.profile_id is null and i.key = d.influencer_key;
    update pg_temp.data_run_items d
       set reason = format('This influencer already has another %s profile.', d.platform), field = 'influencer_key'
      from (select influencer_key, platform, count(*) as copies
              from pg_temp.data_run_items where reason is null and profile_id is null
             group by 1, 2) x
     where d.reason is null and d.profile_id is null
       and x.influencer_key = d.influencer_key and x.platform = d.platform
       and (x.copies > 1 or exists (select 1 from public.marketplace_profiles p
                                     where p.influencer_id = d.influencer_id and p.platform = d.platform));

    -- Refusals, logged once per run and item.
    with logged as (
      insert into public.data_run_entries (run_id, kind, message, detail)
      select run.id, 'rejected', d.reason,
             jsonb_strip_nulls(jsonb_build_object('field', d.field, 'platform', left(d.item->>'platform', 40),
               'external_id', left(d.item->>'external_id', 200), 'handle', left(d.item->>'handle', 100)))
        from pg_temp.data_run_items d
       where d.reason is not null
         and not exists (select 1 from public.data_run_entries e
                          where e.run_id = run.id and e.kind = 'rejected'
                            and e.detail->>'field' is not distinct from d.field
                            and e.detail->>'platform' is not distinct from left(d.item->>'platform', 40)
                            and e.detail->>'external_id' is not distinct from left(d.item->>'external_id', 200)
                            and e.detail->>'handle' is not distinct from left(d.item->>'handle', 100))
       order by d.n
      returning 1
    )
    select count(*) into rejected_now from logged;

    -- New influencers (the values of their largest new profile).
    with created as (
      insert into public.marketplace_influencers (key, display_name, country, language, categories)
      select distinct on (d.influencer_key) d.influencer_key,
             coalesce(d.item->>'display_name', d.handle), d.item->>'country', d.item->>'language',
             coalesce(array(select jsonb_array_elements_text(d.item->'categories')), '{}')
        from pg_temp.data_run_items d
       where d.reason is null and d.influencer_id is null
       order by d.influencer_key, d.followers desc, d.n
      on conflict (key) do update set updated_at = now()
      returning id, key
    )
    update pg_temp.data_run_items d set influencer_id = c.id from created c
     where d.reason is null and d.influencer_id is null and d.influencer_key = c.key;

    -- Profiles: inserted, or updated unless what they show was measured later.
    with upserted as (
      insert into public.marketplace_profiles as p (influencer_id, platform, external_id, handle, profile_url,
        display_name, followers, engagement_rate, avg_views, country, language, categories,
        audience_ages, audience_genders, audience_countries, last_run_id, measured_at)
      select d.influencer_id, d.platform, d.external_id, d.handle, d.item->>'profile_url',
             coalesce(d.item->>'display_name', d.handle), d.followers,
             coalesce((d.item->>'engagement_rate')::real, 0), (d.item->>'avg_views')::bigint,
             d.item->>'country', d.item->>'language',
             coalesce(array(select jsonb_array_elements_text(d.item->'categories')), '{}'),
             coalesce(d.item->'audience'->'ages', '{}'), coalesce(d.item->'audience'->'genders', '{}'),
             coalesce(d.item->'audience'->'countries', '{}'), run.id, d.measured_at
        from pg_temp.data_run_items d
       where d.reason is null
      on conflict (platform, external_id) do update
        set handle = excluded.handle, profile_url = excluded.profile_url, display_name = excluded.display_name,
            followers = excluded.followers, engagement_rate = excluded.engagement_rate, avg_views = excluded.avg_views,
            country = excluded.country, language = excluded.language, categories = excluded.categories,
            audience_ages = excluded.audience_ages, audience_genders = excluded.audience_genders,
            audience_countries = excluded.audience_countries, last_run_id = excluded.last_run_id,
            measured_at = excluded.measured_at, updated_at = now()
        where p.measured_at <= excluded.measured_at
      returning p.id, p.platform, p.external_id
    )
    update pg_temp.data_run_items d set profile_id = u.id, created = coalesce(d.created, true)
      from upserted u
     where d.reason is null and d.profile_id is null and u.platform = d.platform and u.external_id = d.external_id;

    -- History: one row per (profile, run).
    insert into public.marketplace_profile_metrics (profile_id, run_id, measured_at, followers, engagement_rate,
                                                    avg_views, created_profile)
    select d.profile_id, run.id, d.measured_at, d.followers, coalesce((d.item->>'engagement_rate')::real, 0),
           (d.item->>'avg_views')::bigint, coalesce(d.created, false)
      from pg_temp.data_run_items d
     where d.reason is null and d.profile_id is not null
    on conflict (profile_id, run_id) do nothing;
    get diagnostics landed = row_count;

    -- Influencers take the name, place, language and categories of their largest profile.
    update public.marketplace_influencers i
       set display_name = p.display_name, country = p.country, language = p.language,
           categories = p.categories, updated_at = now()
      from (select distinct on (p.influencer_id) p.influencer_id, p.display_name, p.country, p.language, p.categories
              from public.marketplace_profiles p
             where p.influencer_id in (select d.influencer_id from pg_temp.data_run_items d where d.reason is null)
             order by p.influencer_id, p.followers desc, p.id) p
     where i.id = p.influencer_id
       and (i.display_name, i.country, i.language, i.categories)
           is distinct from (p.display_name, p.country, p.language, p.categories);

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

revoke all on function private.data_run_receive(jsonb, jsonb) from public;
-- Only the verified webhook (service role) ingests.
grant execute on function private.data_run_receive(jsonb, jsonb) to service_role;

-- Section: functions (refused deliveries)

-- Logs a delivery refused before it could be read (a bad signature, a body
-- that is not a run) on the run it names, when that run exists: the run log
-- says why a delivery did not count. Nothing is created for an unknown run
-- (an unsigned request cannot make rows appear).
create function private.data_run_refused(p_provider text, p_run_id text, p_message text)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into public.data_run_entries (run_id, kind, message)
  select r.id, 'refused', left(p_message, 2000)
    from public.data_runs r
   where r.provider = p_provider and r.run_id = p_run_id;
$$;
comment on function private.data_run_refused(text, text, text) is
  'Logs a refused delivery (bad signature, unreadable body) on the run it names, if that run exists.';

revoke all on function private.data_run_refused(text, text, text) from public;
grant execute on function private.data_run_refused(text, text, text) to service_role;
