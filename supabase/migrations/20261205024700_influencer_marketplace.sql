-- Feature: the influencer marketplace (issue 16, parts 1 and 4, the schema).
-- A global directory of influencers, one profile per platform, refreshed by
-- external data runs (scraping / data providers, Apify-like or InsightIQ-like).
--   * Global rows: every signed-in user reads them (search, the CRM's "add from
--     the marketplace"); no API role writes them. Only verified ingestion (the
--     data-run webhook, through the service role and the functions of the
--     ingestion migration) and migrations write.
--   * No personal contact details here: an organization records its own on its
--     influencer record (public.influencers, the CRM).
--   * A profile is identified by (platform, external_id), the provider's id of
--     the account; a handle can change and is not a key.
--   * Search filters (country, language, categories) live on the profile as
--     the provider reports them per account, so a search at a million profiles
--     reads one table; the influencer keeps the values of its largest profile.
--   * Each run appends one metric row per profile it touched (followers,
--     engagement, views at that time): the history behind the profile's chart.
--   * Data runs: one row per provider run with a status machine enforced here
--     (created → ready → running → succeeded / failed / timed_out / aborted,
--     never backwards, a finished run never changes status) and a log of what
--     happened (status changes, refusals and why, rejected items and why).
-- Who sees runs: runs are global (the marketplace's refreshes) and readable by
-- every signed-in user, except a run an organization asked for (org_id set),
-- which only that organization's members read; data_run.* events go to that
-- organization's outbox (a global run has no organization to tell).

-- Section: types

create type public.social_platform as enum (
  'instagram', 'tiktok', 'youtube', 'twitch', 'x', 'linkedin', 'facebook', 'pinterest', 'snapchat'
);
create type public.data_run_status as enum (
  'created', 'ready', 'running', 'succeeded', 'failed', 'timed_out', 'aborted'
);

-- Section: functions (used by checks)

-- Whether a handle has the shape the platform allows (stored without "@").
create function private.social_handle_ok(p_platform public.social_platform, p_handle text)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  select p_handle ~ case p_platform
    when 'instagram' then '^[A-Za-z0-9._]{1,30}$'
    when 'tiktok' then '^[A-Za-z0-9._]{2,24}$'
    when 'youtube' then '^[A-Za-z0-9._-]{3,30}$'
    when 'twitch' then '^[A-Za-z0-9_]{4,25}$'
    when 'x' then '^[A-Za-z0-9_]{1,15}$'
    when 'linkedin' then '^[A-Za-z0-9-]{3,100}$'
    when 'facebook' then '^[A-Za-z0-9.]{5,50}$'
    when 'pinterest' then '^[A-Za-z0-9_]{3,30}$'
    when 'snapchat' then '^[A-Za-z][A-Za-z0-9._-]{2,14}$'
  end;
$$;
comment on function private.social_handle_ok(public.social_platform, text) is
  'True when the handle (without @) has the format the platform allows.';

-- Whether an audience split is an object of shares between 0 and 1 whose keys
-- pass p_key_pattern, adding up to at most 1 (a little over for rounding).
create function private.audience_split_ok(p_split jsonb, p_key_pattern text)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case when jsonb_typeof(p_split) = 'object' then
    (select coalesce(bool_and(case when jsonb_typeof(e.value) = 'number' and e.key ~ p_key_pattern
                                   then (e.value)::numeric between 0 and 1 else false end), true)
            and coalesce(sum(case when jsonb_typeof(e.value) = 'number' then (e.value)::numeric end), 0) <= 1.01
            and count(*) <= 250
       from jsonb_each(p_split) e)
  else false end;
$$;
comment on function private.audience_split_ok(jsonb, text) is
  'True when an audience split is {key: share} with shares in [0, 1] adding up to at most 1.';

-- The countries that make up at least 10 % of an audience (searchable by a
-- GIN index: "audience in France" means a real part of it is).
create function private.audience_main_countries(p_split jsonb)
returns text[]
language sql
immutable
parallel safe
set search_path = ''
as $$
  select coalesce(array_agg(e.key order by e.key), '{}')
    from jsonb_each(case when jsonb_typeof(p_split) = 'object' then p_split else '{}' end) e
   where case when jsonb_typeof(e.value) = 'number' then (e.value)::numeric >= 0.1 else false end;
$$;
comment on function private.audience_main_countries(jsonb) is
  'Country codes with at least 10 % of an audience split (the audience-country filter).';

-- Section: tables

-- An influencer of the global marketplace (a person or brand behind one or
-- more platform profiles). key is the provider's id of the person when it
-- groups accounts, otherwise "<platform>:<external_id>" of the first profile.
create table public.marketplace_influencers (
  id uuid primary key default gen_random_uuid(),
  key text not null unique check (char_length(key) between 1 and 200),
  display_name text not null check (char_length(display_name) between 1 and 200),
  country text check (country is null or country = any(private.iso_countries())),
  language text check (language is null or language = any(private.iso_languages())),
  categories text[] not null default '{}'
    check (cardinality(categories) <= 20 and private.short_names_ok(categories, 60) and private.distinct_ok(categories)),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.marketplace_influencers is
  'Global marketplace: influencers (one per person or brand), written only by verified data runs; every signed-in user reads it.';

-- One profile of an influencer on one platform, with its latest metrics.
create table public.marketplace_profiles (
  id uuid primary key default gen_random_uuid(),
  influencer_id uuid not null references public.marketplace_influencers (id) on delete cascade,
  platform public.social_platform not null,
  external_id text not null check (char_length(external_id) between 1 and 200),
  handle text not null,
  profile_url text check (profile_url is null or (char_length(profile_url) <= 500 and profile_url ~ '^https://[^[:space:]]+$')),
  display_name text not null check (char_length(display_name) between 1 and 200),
  followers bigint not null default 0 check (followers >= 0),
  -- Interactions per post over followers, as a fraction (0.035 = 3.5 %).
  engagement_rate real not null default 0 check (engagement_rate >= 0 and engagement_rate <= 1),
  avg_views bigint check (avg_views is null or avg_views >= 0),
  country text check (country is null or country = any(private.iso_countries())),
  language text check (language is null or language = any(private.iso_languages())),
  categories text[] not null default '{}'
    check (cardinality(categories) <= 20 and private.short_names_ok(categories, 60) and private.distinct_ok(categories)),
  -- Audience splits, shares in [0, 1]: {"18-24": 0.4, …}, {"female": 0.6, …}, {"FR": 0.5, …}.
  audience_ages jsonb not null default '{}'
    check (private.audience_split_ok(audience_ages, '^(13-17|18-24|25-34|35-44|45-54|55-64|65\+)$')),
  audience_genders jsonb not null default '{}'
    check (private.audience_split_ok(audience_genders, '^(female|male|other)$')),
  audience_countries jsonb not null default '{}'
    check (private.audience_split_ok(audience_countries, '^[A-Z]{2}$')),
  audience_main_countries text[] generated always as (private.audience_main_countries(audience_countries)) stored,
  -- The run that last wrote it and when the provider measured it.
  last_run_id uuid,
  measured_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint marketplace_profiles_handle_check check (private.social_handle_ok(platform, handle)),
  constraint marketplace_profiles_platform_external_id_key unique (platform, external_id),
  -- One profile per platform per influencer.
  constraint marketplace_profiles_influencer_platform_key unique (influencer_id, platform)
);
-- Search: sorted by followers (or engagement) with keyset pages (value, id),
-- narrowed by platform and the most used filters; GIN for the array filters.
create index marketplace_profiles_followers_idx on public.marketplace_profiles (followers desc, id desc);
create index marketplace_profiles_platform_followers_idx on public.marketplace_profiles (platform, followers desc, id desc);
create index marketplace_profiles_country_followers_idx on public.marketplace_profiles (country, followers desc, id desc);
create index marketplace_profiles_engagement_idx on public.marketplace_profiles (engagement_rate desc, id desc);
create index marketplace_profiles_categories_idx on public.marketplace_profiles using gin (categories);
create index marketplace_profiles_audience_countries_idx on public.marketplace_profiles using gin (audience_main_countries);
create index marketplace_profiles_handle_idx on public.marketplace_profiles (platform, lower(handle));
create index marketplace_profiles_last_run_id_idx on public.marketplace_profiles (last_run_id);
comment on table public.marketplace_profiles is
  'Global marketplace: one profile per (influencer, platform) with its latest metrics and audience; unique by (platform, external_id).';

-- A provider's run (scrape or data refresh): one row per provider run id.
create table public.data_runs (
  id uuid primary key default gen_random_uuid(),
  provider text not null check (provider ~ '^[a-z][a-z0-9_-]{0,39}$'),
  -- The provider's ids of the run and of the task (actor, job) it ran.
  run_id text not null check (char_length(run_id) between 1 and 200),
  task_id text check (char_length(task_id) between 1 and 200),
  -- The organization that asked for it (its members see it and get its events); null: global.
  org_id uuid references public.organizations (id) on delete set null,
  status public.data_run_status not null default 'created',
  started_at timestamptz,
  finished_at timestamptz,
  message text check (char_length(message) <= 2000),
  -- What the provider says it produced, and what ingestion did with it.
  results_count integer not null default 0 check (results_count >= 0),
  profiles_created integer not null default 0 check (profiles_created >= 0),
  profiles_updated integer not null default 0 check (profiles_updated >= 0),
  items_rejected integer not null default 0 check (items_rejected >= 0),
  metadata jsonb not null default '{}' check (jsonb_typeof(metadata) = 'object' and pg_column_size(metadata) <= 65536),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint data_runs_provider_run_id_key unique (provider, run_id)
);
create index data_runs_created_at_idx on public.data_runs (created_at desc, id desc);
create index data_runs_org_id_idx on public.data_runs (org_id, created_at desc);
comment on table public.data_runs is
  'External data runs (scrapes, data refreshes): provider run id, task, status machine, counts of what they changed.';

-- What happened during a run, in order: status changes, refused deliveries
-- and rejected items, each with the reason (the run log).
create table public.data_run_entries (
  id bigint generated always as identity primary key,
  run_id uuid not null references public.data_runs (id) on delete cascade,
  kind text not null check (kind in ('status', 'refused', 'rejected', 'ingested')),
  message text not null check (char_length(message) between 1 and 2000),
  -- The item at fault (platform, external id, handle, field) or the statuses involved.
  detail jsonb not null default '{}' check (jsonb_typeof(detail) = 'object' and pg_column_size(detail) <= 8192),
  created_at timestamptz not null default clock_timestamp()
);
create index data_run_entries_run_id_idx on public.data_run_entries (run_id, id);
comment on table public.data_run_entries is
  'The log of a data run: status changes, refused deliveries (a status going backwards) and rejected items, each with why.';

-- A profile's metrics as one run measured them: appended once per (profile, run).
create table public.marketplace_profile_metrics (
  profile_id uuid not null references public.marketplace_profiles (id) on delete cascade,
  run_id uuid not null references public.data_runs (id) on delete cascade,
  measured_at timestamptz not null,
  followers bigint not null check (followers >= 0),
  engagement_rate real not null check (engagement_rate >= 0 and engagement_rate <= 1),
  avg_views bigint check (avg_views is null or avg_views >= 0),
  -- Whether this run created the profile (the runs page's "what it changed").
  created_profile boolean not null default false,
  primary key (profile_id, run_id)
);
create index marketplace_profile_metrics_history_idx on public.marketplace_profile_metrics (profile_id, measured_at);
create index marketplace_profile_metrics_run_id_idx on public.marketplace_profile_metrics (run_id);
comment on table public.marketplace_profile_metrics is
  'Metric history of marketplace profiles: one row per (profile, data run), the chart on a profile.';

alter table public.marketplace_profiles
  add constraint marketplace_profiles_last_run_id_fkey foreign key (last_run_id) references public.data_runs (id) on delete set null;

-- Section: functions

-- The order of run statuses; every finished status ranks last.
create function private.data_run_status_rank(p_status public.data_run_status)
returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case p_status when 'created' then 0 when 'ready' then 1 when 'running' then 2 else 3 end;
$$;
comment on function private.data_run_status_rank(public.data_run_status) is
  'Rank of a data run status: created < ready < running < any finished status.';

-- Why a run cannot go from one status to another (null: it may).
create function private.data_run_transition_refusal(p_from public.data_run_status, p_to public.data_run_status)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case
    when p_from = p_to then null
    when private.data_run_status_rank(p_from) = 3
      then format('The run already finished (%s); it cannot become %s.', p_from, p_to)
    when private.data_run_status_rank(p_to) < private.data_run_status_rank(p_from)
      then format('A run cannot go back from %s to %s.', p_from, p_to)
  end;
$$;
comment on function private.data_run_transition_refusal(public.data_run_status, public.data_run_status) is
  'The reason a data run status change is refused (backwards or after the end), or null when allowed.';

-- Trigger (before update, data_runs): the status machine, for every writer.
create function private.data_runs_check_status()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  refusal text := private.data_run_transition_refusal(old.status, new.status);
begin
  if refusal is not null then
    raise exception '%', refusal using errcode = '23514', column = 'status', table = 'data_runs',
      constraint = 'data_runs_status_check', hint = 'status_backwards';
  end if;
  new.updated_at := now();
  return new;
end;
$$;
comment on function private.data_runs_check_status() is
  'Trigger: refuses a data run status that goes backwards or changes after the run finished.';

-- Section: triggers

create trigger data_runs_check_status before update on public.data_runs
  for each row execute function private.data_runs_check_status();

-- Section: policies

alter table public.marketplace_influencers enable row level security;
alter table public.marketplace_profiles enable row level security;
alter table public.marketplace_profile_metrics enable row level security;
alter table public.data_runs enable row level security;
alter table public.data_run_entries enable row level security;

create policy "Signed-in users can read the marketplace's influencers"
  on public.marketplace_influencers for select to authenticated using (true);
create policy "Signed-in users can read the marketplace's profiles"
  on public.marketplace_profiles for select to authenticated using (true);
create policy "Signed-in users can read the marketplace's metric history"
  on public.marketplace_profile_metrics for select to authenticated using (true);
create policy "Signed-in users can read global runs and their organization's runs"
  on public.data_runs for select to authenticated
  using (org_id is null or org_id in (select private.user_org_ids()));
create policy "Signed-in users can read the log of the runs they can see"
  on public.data_run_entries for select to authenticated
  using (exists (select 1 from public.data_runs r where r.id = data_run_entries.run_id));

-- Section: grants

revoke all on function private.social_handle_ok(public.social_platform, text) from public;
revoke all on function private.audience_split_ok(jsonb, text) from public;
revoke all on function private.audience_main_countries(jsonb) from public;
revoke all on function private.data_run_status_rank(public.data_run_status) from public;
revoke all on function private.data_run_transition_refusal(public.data_run_status, public.data_run_status) from public;
revoke all on function private.data_runs_check_status() from public;
-- Checks and the generated column run as the writer (the service role in
-- ingestion); reads by authenticated never call them.
grant execute on function private.social_handle_ok(public.social_platform, text),
  private.audience_split_ok(jsonb, text), private.audience_main_countries(jsonb),
  private.data_run_status_rank(public.data_run_status),
  private.data_run_transition_refusal(public.data_run_status, public.data_run_status)
  to service_role;

revoke all on public.marketplace_influencers, public.marketplace_profiles, public.marketplace_profile_metrics,
  public.data_runs, public.data_run_entries from anon, authenticated, service_role;
grant select on public.marketplace_influencers, public.marketplace_profiles, public.marketplace_profile_metrics,
  public.data_runs, public.data_run_entries to authenticated;
-- The service role reads (workers, tests); ingestion writes through the
-- security definer functions of the ingestion migration, never row by row.
grant select on public.marketplace_influencers, public.marketplace_profiles, public.marketplace_profile_metrics,
  public.data_runs, public.data_run_entries to service_role;
