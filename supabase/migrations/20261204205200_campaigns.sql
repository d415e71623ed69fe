-- Feature: campaigns. The product's central object: an influencer, email, SMS
-- or WhatsApp campaign run by one brand of the organization, with an
-- objective, KPIs, dates in a time zone, a budget (optionally split into
-- lines), a folder and an owner.
--
-- How a campaign is written:
--   * The wizard saves each section (basics, objective, budget, audience,
--     creative, products) as a JSON draft in campaign_sections, through
--     save_campaign_section() only. Each section carries a revision: a save
--     names the revision it started from, and a save that started from an
--     older one is not written; the caller gets the section as it is now (and
--     who saved it), so two people editing one draft never overwrite each
--     other silently. Drafts are unvalidated (they are half-typed forms); the
--     app validates each step with the same zod schema on client and server.
--   * submit_campaign() takes every section as it is, writes an immutable,
--     numbered submission (the snapshot), and copies the sections' values
--     into the campaign's columns, budget lines and KPIs, where the checks of
--     this file apply (dates in order, known currency, budget within bounds).
--   * Editing a submitted campaign starts a new version: the first section
--     saved after a submission moves campaigns.version one past
--     submitted_version, until the next submission.
--   * The status machine (draft → scheduled or active → completed, or
--     cancelled from draft, scheduled or active) and what may change in each
--     status are enforced by triggers for every writer, the service role
--     included; the UI only offers what these allow.
-- Events: campaign.created, campaign.submitted, campaign.status_changed.

-- Section: types

create type public.campaign_kind as enum ('influencer', 'email', 'sms', 'whatsapp');
create type public.campaign_status as enum ('draft', 'scheduled', 'active', 'completed', 'cancelled');

-- Section: tables

-- ISO 4217 currencies money columns may use (global, read-only through the API).
-- A table rather than a check list: products and finance reuse it, and the app
-- offers it as a picker. minor_units is how many decimals an amount may have.
create table public.currencies (
  code text primary key check (code ~ '^[A-Z]{3}$'),
  name text not null check (char_length(name) between 1 and 100),
  minor_units smallint not null check (minor_units between 0 and 4)
);
comment on table public.currencies is 'ISO 4217 currencies accepted for money amounts; global, read-only.';

-- Brands are referenced together with their organization (a campaign's brand
-- must be one of its organization's brands).
alter table public.brands add constraint brands_org_id_id_key unique (org_id, id);

-- Folders group an organization's campaigns in the workspace.
create table public.campaign_folders (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 80),
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint campaign_folders_org_id_name_key unique (org_id, name),
  constraint campaign_folders_org_id_id_key unique (org_id, id)
);
create index campaign_folders_created_by_idx on public.campaign_folders (created_by);
comment on table public.campaign_folders is 'Folders that group an organization''s campaigns in the workspace.';

-- A campaign: what the list, the timeline and the overview read. Its columns
-- hold the latest submitted values (and, before the first submission, the
-- name and brand it was started with); the wizard's drafts live in
-- campaign_sections.
create table public.campaigns (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  kind public.campaign_kind not null,
  brand_id uuid not null,
  name text not null check (char_length(btrim(name)) between 1 and 120),
  description text not null default '' check (char_length(description) <= 2000),
  objective text not null default '' check (char_length(objective) <= 2000),
  folder_id uuid,
  owner_id uuid default auth.uid(),
  status public.campaign_status not null default 'draft',
  status_changed_at timestamptz not null default now(),
  -- Wall-clock dates are entered in time_zone; stored as instants.
  starts_at timestamptz,
  ends_at timestamptz,
  time_zone text not null default 'UTC' check (char_length(time_zone) between 1 and 64),
  budget_amount numeric(14, 2)
    constraint campaigns_budget_amount_check check (budget_amount >= 0 and budget_amount <= 10000000000),
  currency text references public.currencies (code),
  -- The version being worked on, and the latest one submitted (null: never).
  version integer not null default 1 check (version > 0),
  submitted_version integer check (submitted_version > 0 and submitted_version <= version),
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint campaigns_org_id_id_key unique (org_id, id),
  constraint campaigns_ends_at_check check (ends_at > starts_at),
  constraint campaigns_budget_has_currency check (budget_amount is null or currency is not null),
  foreign key (org_id, brand_id) references public.brands (org_id, id),
  foreign key (org_id, folder_id) references public.campaign_folders (org_id, id) on delete set null (folder_id),
  foreign key (org_id, owner_id) references public.members (org_id, user_id) on delete set null (owner_id)
);
-- The workspace list: newest first, filtered by status, kind, brand, folder
-- or dates, keyset by (created_at, id); the timeline by dates; search by name.
create index campaigns_org_id_created_at_idx on public.campaigns (org_id, created_at desc, id desc);
create index campaigns_org_id_status_created_at_idx on public.campaigns (org_id, status, created_at desc, id desc);
create index campaigns_org_id_brand_id_idx on public.campaigns (org_id, brand_id, created_at desc, id desc);
create index campaigns_org_id_folder_id_idx on public.campaigns (org_id, folder_id, created_at desc, id desc);
create index campaigns_org_id_starts_at_idx on public.campaigns (org_id, starts_at, id);
create index campaigns_name_search_idx on public.campaigns using gin (name extensions.gin_trgm_ops);
create index campaigns_owner_idx on public.campaigns (org_id, owner_id);
create index campaigns_created_by_idx on public.campaigns (created_by);
create index campaigns_currency_idx on public.campaigns (currency);
comment on table public.campaigns is 'Campaigns: kind, brand, dates, budget, KPIs and a database-enforced status machine.';

-- A campaign's budget split into lines (fees, product seeding, paid media…).
create table public.campaign_budget_lines (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  campaign_id uuid not null,
  position smallint not null default 0 check (position between 0 and 99),
  label text not null check (char_length(btrim(label)) between 1 and 100),
  amount numeric(14, 2) not null check (amount >= 0 and amount <= 10000000000),
  foreign key (org_id, campaign_id) references public.campaigns (org_id, id) on delete cascade
);
create index campaign_budget_lines_campaign_idx on public.campaign_budget_lines (org_id, campaign_id, position);
comment on table public.campaign_budget_lines is 'Lines a campaign budget is split into; together at most the budget.';

-- What a campaign is measured by: one target per metric.
create table public.campaign_kpis (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  campaign_id uuid not null,
  metric text not null check (metric in (
    'reach', 'impressions', 'engagements', 'clicks', 'conversions', 'sales', 'revenue',
    'new_followers', 'content_pieces', 'opens', 'replies', 'signups')),
  target numeric(16, 2) not null check (target > 0 and target <= 1000000000000),
  constraint campaign_kpis_campaign_id_metric_key unique (campaign_id, metric),
  foreign key (org_id, campaign_id) references public.campaigns (org_id, id) on delete cascade
);
create index campaign_kpis_org_id_campaign_id_idx on public.campaign_kpis (org_id, campaign_id);
comment on table public.campaign_kpis is 'KPIs of a campaign: a metric and its target.';

-- The wizard's draft of each section of a campaign, with a revision for
-- optimistic concurrency. Written only by save_campaign_section().
create table public.campaign_sections (
  org_id uuid not null,
  campaign_id uuid not null,
  section text not null check (section in ('basics', 'objective', 'budget', 'audience', 'creative', 'products')),
  data jsonb not null default '{}'::jsonb constraint campaign_sections_data_object check (jsonb_typeof(data) = 'object'),
  revision integer not null default 1 check (revision > 0),
  updated_by uuid default auth.uid() references auth.users (id) on delete set null,
  updated_at timestamptz not null default now(),
  primary key (campaign_id, section),
  foreign key (org_id, campaign_id) references public.campaigns (org_id, id) on delete cascade
);
create index campaign_sections_org_id_campaign_id_idx on public.campaign_sections (org_id, campaign_id);
create index campaign_sections_updated_by_idx on public.campaign_sections (updated_by);
comment on table public.campaign_sections is 'Wizard drafts per campaign section (JSON), each with a revision checked on save.';

-- Immutable numbered submissions: every section as it was when submitted.
create table public.campaign_submissions (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  campaign_id uuid not null,
  version integer not null check (version > 0),
  snapshot jsonb not null constraint campaign_submissions_snapshot_object check (jsonb_typeof(snapshot) = 'object'),
  submitted_by uuid default auth.uid() references auth.users (id) on delete set null,
  submitted_at timestamptz not null default now(),
  constraint campaign_submissions_campaign_id_version_key unique (campaign_id, version),
  foreign key (org_id, campaign_id) references public.campaigns (org_id, id) on delete cascade
);
create index campaign_submissions_org_id_campaign_id_idx on public.campaign_submissions (org_id, campaign_id, version desc);
create index campaign_submissions_submitted_by_idx on public.campaign_submissions (submitted_by);
comment on table public.campaign_submissions is 'Immutable, numbered snapshots of every section of a campaign at submission.';

-- Section: functions

-- Which sections a kind of campaign has (the wizard shows these steps; a
-- submission snapshots these). Products are seeded to influencers only.
create function private.campaign_kind_sections(p_kind public.campaign_kind)
returns text[]
language sql
immutable
set search_path = ''
as $$
  select case p_kind
    when 'influencer' then array['basics', 'objective', 'budget', 'audience', 'creative', 'products']
    else array['basics', 'objective', 'budget', 'audience', 'creative'] end;
$$;
comment on function private.campaign_kind_sections(public.campaign_kind) is 'The wizard sections of a kind of campaign.';

-- Raises a check violation on a campaign column with a stable hint.
create function private.campaign_refuse(p_column text, p_message text, p_hint text)
returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception '%', p_message
    using errcode = '23514', column = p_column, table = 'campaigns',
          constraint = 'campaigns_' || p_column || '_check', hint = p_hint;
end;
$$;
comment on function private.campaign_refuse(text, text, text) is 'Raises a check violation naming the campaign column at fault.';

-- Trigger (row, before insert or update of campaigns): the status machine,
-- what may change in each status, the time zone and the currency's decimals.
-- For every writer: a refused transition is refused for the service role too.
--   draft:      anything (the kind only until the first submission)
--   scheduled:  anything but the kind
--   active:     not the kind, brand, start, time zone or currency
--   completed, cancelled: only the folder and the owner
create function private.campaigns_guard()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  decimals smallint;
begin
  if tg_op = 'INSERT' then
    if new.status <> 'draft' then
      perform private.campaign_refuse('status', 'A campaign starts as a draft.', 'campaign_transition_refused');
    end if;
    new.version := 1;
    new.submitted_version := null;
  else
    if new.status is distinct from old.status then
      if not ((old.status, new.status) in (
          ('draft', 'scheduled'), ('draft', 'active'), ('draft', 'cancelled'),
          ('scheduled', 'active'), ('scheduled', 'cancelled'), ('scheduled', 'draft'),
          ('active', 'completed'), ('active', 'cancelled'))) then
        perform private.campaign_refuse('status',
          format('A %s campaign cannot become %s.', old.status, new.status), 'campaign_transition_refused');
      end if;
      if new.status in ('scheduled', 'active') and new.submitted_version is null then
        perform private.campaign_refuse('status', 'Submit the campaign before scheduling or starting it.',
          'campaign_not_submitted');
      end if;
      if new.status = 'scheduled' and (new.starts_at is null or new.starts_at <= now()) then
        perform private.campaign_refuse('status', 'Only a campaign that starts in the future can be scheduled.',
          'campaign_start_passed');
      end if;
      new.status_changed_at := now();
    end if;

    if old.status in ('completed', 'cancelled') and (
        (new.kind, new.brand_id, new.name, new.description, new.objective, new.starts_at, new.ends_at,
         new.time_zone, new.budget_amount, new.currency, new.version, new.submitted_version)
        is distinct from
        (old.kind, old.brand_id, old.name, old.description, old.objective, old.starts_at, old.ends_at,
         old.time_zone, old.budget_amount, old.currency, old.version, old.submitted_version)) then
      perform private.campaign_refuse('status',
        format('A %s campaign can no longer be changed (only moved to a folder or given an owner).', old.status),
        'campaign_closed');
    end if;
    if new.kind is distinct from old.kind and (old.status <> 'draft' or old.submitted_version is not null) then
      perform private.campaign_refuse('kind', 'The kind of a campaign cannot change once it has been submitted.',
        'campaign_field_locked');
    end if;
    if old.status = 'active' then
      if new.brand_id is distinct from old.brand_id then
        perform private.campaign_refuse('brand_id', 'The brand of a running campaign cannot change.', 'campaign_field_locked');
      elsif new.starts_at is distinct from old.starts_at then
        perform private.campaign_refuse('starts_at', 'The start of a running campaign cannot change.', 'campaign_field_locked');
      elsif new.time_zone is distinct from old.time_zone then
        perform private.campaign_refuse('time_zone', 'The time zone of a running campaign cannot change.', 'campaign_field_locked');
      elsif new.currency is distinct from old.currency then
        perform private.campaign_refuse('currency', 'The currency of a running campaign cannot change.', 'campaign_field_locked');
      end if;
    end if;
    new.updated_at := now();
  end if;

  -- pg_timezone_names reads the zone files: skipped for UTC and for the
  -- organization's own zone (checked when it was set), i.e. almost always.
  if (tg_op = 'INSERT' or new.time_zone is distinct from old.time_zone)
     and new.time_zone <> 'UTC'
     and new.time_zone is distinct from (select o.time_zone from public.organizations o where o.id = new.org_id)
     and not exists (select 1 from pg_catalog.pg_timezone_names where name = new.time_zone) then
    perform private.campaign_refuse('time_zone', format('The time zone "%s" is not known.', new.time_zone), 'time_zone_unknown');
  end if;
  if new.budget_amount is not null and new.currency is not null then
    select c.minor_units into decimals from public.currencies c where c.code = new.currency;
    if decimals is not null and round(new.budget_amount, decimals) <> new.budget_amount then
      perform private.campaign_refuse('budget_amount',
        format('Amounts in %s have at most %s decimals.', new.currency, decimals), 'budget_decimals');
    end if;
  end if;
  return new;
end;
$$;
comment on function private.campaigns_guard() is 'Trigger: the campaign status machine and what may change in each status, for every writer.';

-- Trigger (row, before delete of campaigns): only drafts and cancelled
-- campaigns are deleted (the others have a history people will ask about);
-- an organization being deleted takes all of its campaigns with it.
create function private.campaigns_before_delete()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if old.status not in ('draft', 'cancelled')
     and exists (select 1 from public.organizations o where o.id = old.org_id) then
    perform private.campaign_refuse('status',
      format('A %s campaign cannot be deleted; cancel it first.', old.status), 'campaign_not_deletable');
  end if;
  return old;
end;
$$;
comment on function private.campaigns_before_delete() is 'Trigger: only draft and cancelled campaigns can be deleted.';

-- Trigger (row, before any write of campaign_budget_lines and campaign_kpis):
-- they follow their campaign's status (closed campaigns keep theirs; the
-- budget of a running campaign may still be split, KPIs refined).
create function private.campaign_children_guard()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  parent_status public.campaign_status;
begin
  select c.status into parent_status from public.campaigns c
   where c.id = coalesce(new.campaign_id, old.campaign_id);
  if parent_status in ('completed', 'cancelled') then
    raise exception 'A % campaign can no longer be changed.', parent_status
      using errcode = '23514', table = tg_table_name, column = 'campaign_id',
            constraint = tg_table_name || '_campaign_id_check', hint = 'campaign_closed';
  end if;
  return coalesce(new, old);
end;
$$;
comment on function private.campaign_children_guard() is 'Trigger: budget lines and KPIs of completed or cancelled campaigns are frozen.';

-- Constraint trigger (deferred, budget lines and campaigns): the lines of a
-- budget add up to at most the budget, checked at commit so a submission can
-- replace the budget and its lines in any order.
create function private.campaign_budget_lines_within_budget()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  target uuid;
  total numeric;
  budget numeric;
begin
  -- Separate statements: a campaigns row has no campaign_id to plan against.
  if tg_table_name = 'campaigns' then
    target := new.id;
  else
    target := new.campaign_id;
  end if;
  select coalesce(sum(l.amount), 0) into total from public.campaign_budget_lines l where l.campaign_id = target;
  if total = 0 then
    return null;
  end if;
  select c.budget_amount into budget from public.campaigns c where c.id = target;
  if not found then
    return null;
  end if;
  if budget is null or total > budget then
    raise exception 'The budget lines add up to %, more than the budget (%).', total, coalesce(budget, 0)
      using errcode = '23514', table = 'campaigns', column = 'budget_amount',
            constraint = 'campaigns_budget_lines_check', hint = 'budget_lines_exceed_budget';
  end if;
  return null;
end;
$$;
comment on function private.campaign_budget_lines_within_budget() is 'Constraint trigger: budget lines add up to at most the campaign budget.';

-- Trigger (row, before update or delete of campaign_submissions): submissions
-- are history and never change; they go only with their campaign.
create function private.campaign_submissions_immutable()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' and not exists (select 1 from public.campaigns c where c.id = old.campaign_id) then
    return old;
  end if;
  raise exception 'A submission cannot be changed or deleted.'
    using errcode = '23514', table = 'campaign_submissions', hint = 'submission_immutable';
end;
$$;
comment on function private.campaign_submissions_immutable() is 'Trigger: submissions are immutable (they go only with their campaign).';

-- Trigger (row, after insert of campaigns): the wizard's sections, the basics
-- filled with what the campaign was started with; and campaign.created.
create function private.campaigns_after_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.campaign_sections (org_id, campaign_id, section, data, updated_by)
  select new.org_id, new.id, s,
         case s when 'basics' then jsonb_build_object('name', new.name, 'description', new.description,
                                                       'brand_id', new.brand_id)
                else '{}'::jsonb end,
         (select auth.uid())
    from unnest(private.campaign_kind_sections(new.kind)) s;
  perform private.record_event(new.org_id, 'campaign.created', 'campaign', new.id,
    jsonb_build_object('kind', new.kind, 'brand_id', new.brand_id));
  return null;
end;
$$;
comment on function private.campaigns_after_insert() is 'Trigger: creates the wizard sections of a new campaign and records campaign.created.';

-- Trigger (row, after update of campaigns): campaign.status_changed, and the
-- sections a change of kind adds (a draft turned into an influencer campaign
-- gets its products section).
create function private.campaigns_after_update()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.status is distinct from old.status then
    perform private.record_event(new.org_id, 'campaign.status_changed', 'campaign', new.id,
      jsonb_build_object('from', old.status, 'to', new.status));
  end if;
  if new.kind is distinct from old.kind then
    insert into public.campaign_sections (org_id, campaign_id, section, updated_by)
    select new.org_id, new.id, s, (select auth.uid()) from unnest(private.campaign_kind_sections(new.kind)) s
    on conflict do nothing;
  end if;
  return null;
end;
$$;
comment on function private.campaigns_after_update() is 'Trigger: records campaign.status_changed; adds the sections a new kind needs.';

-- Trigger (row, after insert of campaign_submissions): campaign.submitted.
create function private.campaign_submissions_after_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.record_event(new.org_id, 'campaign.submitted', 'campaign', new.campaign_id,
    jsonb_build_object('version', new.version));
  return null;
end;
$$;
comment on function private.campaign_submissions_after_insert() is 'Trigger: records campaign.submitted.';

-- Trigger (row, campaigns): audit entries for campaigns created, changed
-- (the columns people ask about: name, status, brand, folder, owner, dates,
-- budget, submitted version) and deleted. Wizard drafts are not logged.
create function private.audit_campaigns()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  before_row jsonb;
  after_row jsonb;
  watched text[] := array['name', 'kind', 'status', 'brand_id', 'folder_id', 'owner_id', 'starts_at',
                          'ends_at', 'time_zone', 'budget_amount', 'currency', 'submitted_version'];
  changed text[];
begin
  if tg_op = 'INSERT' then
    perform private.audit_write(new.org_id, 'campaigns.insert', 'campaigns', new.id::text, null,
      jsonb_build_object('name', new.name, 'kind', new.kind, 'status', new.status, 'brand_id', new.brand_id));
  elsif tg_op = 'DELETE' then
    perform private.audit_write(old.org_id, 'campaigns.delete', 'campaigns', old.id::text,
      jsonb_build_object('name', old.name, 'kind', old.kind, 'status', old.status), null);
  else
    before_row := to_jsonb(old);
    after_row := to_jsonb(new);
    select array_agg(k) into changed from unnest(watched) k where before_row -> k is distinct from after_row -> k;
    -- The name of a never-submitted draft follows what is typed in the wizard: not logged.
    if changed = array['name'] and new.submitted_version is null then
      changed := null;
    end if;
    if changed is not null then
      perform private.audit_write(new.org_id, 'campaigns.update', 'campaigns', new.id::text,
        (select jsonb_object_agg(k, before_row -> k) from unnest(changed) k) || jsonb_build_object('name', old.name),
        (select jsonb_object_agg(k, after_row -> k) from unnest(changed) k) || jsonb_build_object('name', new.name));
    end if;
  end if;
  return null;
end;
$$;
comment on function private.audit_campaigns() is 'Trigger: audit entries for campaigns created, changed and deleted.';

-- Trigger (row, campaign_folders): audit entries for folders created, renamed, deleted.
create function private.audit_campaign_folders()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.audit_write(new.org_id, 'campaign_folders.insert', 'campaign_folders', new.id::text, null,
      jsonb_build_object('name', new.name));
  elsif tg_op = 'DELETE' then
    perform private.audit_write(old.org_id, 'campaign_folders.delete', 'campaign_folders', old.id::text,
      jsonb_build_object('name', old.name), null);
  elsif new.name is distinct from old.name then
    perform private.audit_write(new.org_id, 'campaign_folders.update', 'campaign_folders', new.id::text,
      jsonb_build_object('name', old.name), jsonb_build_object('name', new.name));
  end if;
  return null;
end;
$$;
comment on function private.audit_campaign_folders() is 'Trigger: audit entries for campaign folders.';

-- Saves one section of the wizard. p_base_revision is the revision the
-- caller's edit started from: when someone saved the section since, nothing is
-- written and the section is returned as it is now (saved = false), so the
-- caller can show what changed and let the person reload or keep theirs (a
-- save with the returned revision). The first save after a submission starts
-- the campaign's next version.
create function public.save_campaign_section(
  p_campaign_id uuid,
  p_section text,
  p_data jsonb,
  p_base_revision integer
)
returns table (saved boolean, revision integer, data jsonb, updated_by uuid, updated_at timestamptz, version integer)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  target public.campaigns;
  current_section public.campaign_sections;
begin
  -- Saves of one campaign take turns (and wait for a submission in flight),
  -- so a save is either in the submitted snapshot or starts the next version.
  select * into target from public.campaigns c where c.id = p_campaign_id for no key update;
  if not found or not private.has_permission(target.org_id, 'campaigns.write') then
    raise exception 'Campaign not found.' using errcode = 'P0002', hint = 'campaign_not_found';
  end if;
  if target.status in ('completed', 'cancelled') then
    raise exception 'A % campaign can no longer be changed.', target.status
      using errcode = '23514', table = 'campaigns', column = 'status', hint = 'campaign_closed';
  end if;
  if jsonb_typeof(p_data) is distinct from 'object' then
    raise exception 'A section is saved as an object.' using errcode = '22023', hint = 'section_invalid';
  end if;
  if octet_length(p_data::text) > 200000 or not private.jsonb_depth_within(p_data, 8) then
    raise exception 'This section is too large to save (at most 200 kB and 8 levels).'
      using errcode = '23514', table = 'campaign_sections', column = 'data', hint = 'json_out_of_bounds';
  end if;

  -- The row lock orders concurrent saves of one section: the second waits,
  -- then sees the first one's revision and is refused.
  select * into current_section from public.campaign_sections s
   where s.campaign_id = p_campaign_id and s.section = p_section for update;
  if not found then
    raise exception 'This campaign has no "%" step.', p_section using errcode = '22023', hint = 'section_unknown';
  end if;
  if current_section.revision <> p_base_revision then
    return query select false, current_section.revision, current_section.data, current_section.updated_by,
                        current_section.updated_at, target.version;
    return;
  end if;

  if current_section.data is distinct from p_data then
    update public.campaign_sections s
       set data = p_data, revision = s.revision + 1, updated_by = (select auth.uid()), updated_at = now()
     where s.campaign_id = p_campaign_id and s.section = p_section
    returning * into current_section;
    if target.submitted_version = target.version then
      update public.campaigns c set version = c.version + 1 where c.id = p_campaign_id
      returning * into target;
    end if;
    -- Before the first submission the list shows the name being typed.
    if p_section = 'basics' and target.submitted_version is null
       and char_length(btrim(coalesce(p_data ->> 'name', ''))) between 1 and 120
       and target.name is distinct from btrim(p_data ->> 'name') then
      update public.campaigns c set name = btrim(p_data ->> 'name') where c.id = p_campaign_id;
    end if;
  end if;
  return query select true, current_section.revision, current_section.data, current_section.updated_by,
                      current_section.updated_at, target.version;
end;
$$;
comment on function public.save_campaign_section(uuid, text, jsonb, integer) is 'Saves a wizard section if nobody saved it since p_base_revision; else returns it as it is now.';

-- A local date-time typed in the wizard ("2027-03-01T09:00") as an instant in a zone.
create function private.campaign_local_instant(p_local text, p_zone text, p_column text)
returns timestamptz
language plpgsql
stable
set search_path = ''
as $$
begin
  if nullif(btrim(coalesce(p_local, '')), '') is null then
    return null;
  end if;
  return (p_local::timestamp) at time zone p_zone;
exception when invalid_datetime_format or datetime_field_overflow or invalid_parameter_value then
  perform private.campaign_refuse(p_column, format('"%s" is not a date and time.', left(p_local, 40)), 'date_invalid');
  return null;
end;
$$;
comment on function private.campaign_local_instant(text, text, text) is 'A wall-clock date-time in a time zone as an instant; refuses what is not a date.';

-- Submits a campaign: every section of its kind as it is now becomes the
-- immutable submission numbered with the campaign's version, and the
-- sections' values are copied into the campaign, its budget lines and KPIs
-- (where this file's checks apply). The app checks each step with its zod
-- schemas first and lists what is missing; this refuses what would break the
-- campaign's own rules whoever calls it. Returns the version submitted.
create function public.submit_campaign(p_campaign_id uuid)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  target public.campaigns;
  sections jsonb;
  v_basics jsonb;
  v_objective jsonb;
  v_budget jsonb;
  zone text;
begin
  select * into target from public.campaigns c where c.id = p_campaign_id for update;
  if not found or not private.has_permission(target.org_id, 'campaigns.write') then
    raise exception 'Campaign not found.' using errcode = 'P0002', hint = 'campaign_not_found';
  end if;
  if target.status in ('completed', 'cancelled') then
    perform private.campaign_refuse('status', format('A %s campaign can no longer be changed.', target.status), 'campaign_closed');
  end if;
  if target.submitted_version = target.version then
    raise exception 'Nothing changed since version % was submitted.', target.version
      using errcode = '22023', hint = 'nothing_to_submit';
  end if;

  select jsonb_object_agg(s.section, s.data) into sections
    from public.campaign_sections s
   where s.campaign_id = target.id and s.section = any (private.campaign_kind_sections(target.kind));
  v_basics := coalesce(sections -> 'basics', '{}');
  v_objective := coalesce(sections -> 'objective', '{}');
  v_budget := coalesce(sections -> 'budget', '{}');

  if nullif(btrim(coalesce(v_basics ->> 'name', '')), '') is null then
    perform private.campaign_refuse('name', 'The campaign needs a name.', 'section_incomplete');
  end if;
  if nullif(v_budget ->> 'starts_at', '') is null or nullif(v_budget ->> 'ends_at', '') is null then
    perform private.campaign_refuse('starts_at', 'The campaign needs a start and an end.', 'section_incomplete');
  end if;
  if jsonb_typeof(v_budget -> 'amount') is distinct from 'number' and jsonb_typeof(v_budget -> 'amount') is distinct from 'string' then
    perform private.campaign_refuse('budget_amount', 'The campaign needs a budget.', 'section_incomplete');
  end if;
  if not exists (select 1 from public.currencies c where c.code = v_budget ->> 'currency') then
    perform private.campaign_refuse('currency',
      format('"%s" is not a known currency.', left(coalesce(v_budget ->> 'currency', ''), 10)), 'currency_unknown');
  end if;
  if coalesce(v_budget ->> 'amount', '') !~ '^[0-9]{1,12}(\.[0-9]{1,4})?$' then
    perform private.campaign_refuse('budget_amount',
      'The budget must be a positive amount, at most 10,000,000,000.', 'section_invalid');
  end if;
  if v_basics ? 'brand_id' and not exists (
      select 1 from public.brands b
       where b.org_id = target.org_id and b.id::text = v_basics ->> 'brand_id') then
    perform private.campaign_refuse('brand_id', 'Pick one of the organization''s brands.', 'brand_unknown');
  end if;
  zone := coalesce(nullif(v_budget ->> 'time_zone', ''), target.time_zone);
  if not exists (select 1 from pg_catalog.pg_timezone_names where name = zone) then
    perform private.campaign_refuse('time_zone', format('The time zone "%s" is not known.', left(zone, 64)), 'time_zone_unknown');
  end if;

  insert into public.campaign_submissions (org_id, campaign_id, version, snapshot)
  values (target.org_id, target.id, target.version, sections);

  update public.campaigns c
       set name = btrim(v_basics ->> 'name'),
           description = coalesce(v_basics ->> 'description', ''),
           brand_id = coalesce((v_basics ->> 'brand_id')::uuid, c.brand_id),
           objective = coalesce(v_objective ->> 'objective', ''),
           time_zone = zone,
           starts_at = private.campaign_local_instant(v_budget ->> 'starts_at', zone, 'starts_at'),
           ends_at = private.campaign_local_instant(v_budget ->> 'ends_at', zone, 'ends_at'),
           budget_amount = (v_budget ->> 'amount')::numeric,
           currency = v_budget ->> 'currency',
           submitted_version = c.version
     where c.id = target.id;

  delete from public.campaign_budget_lines l where l.campaign_id = target.id;
  insert into public.campaign_budget_lines (org_id, campaign_id, position, label, amount)
  select target.org_id, target.id, (l.ord - 1)::smallint, btrim(l.line ->> 'label'), (l.line ->> 'amount')::numeric
    from jsonb_array_elements(case when jsonb_typeof(v_budget -> 'lines') = 'array' then v_budget -> 'lines' else '[]' end)
         with ordinality l (line, ord);
  if (select coalesce(sum(l.amount), 0) from public.campaign_budget_lines l where l.campaign_id = target.id)
     > (v_budget ->> 'amount')::numeric then
    perform private.campaign_refuse('budget_lines', 'The budget lines add up to more than the budget.',
      'budget_lines_exceed_budget');
  end if;

  delete from public.campaign_kpis k where k.campaign_id = target.id;
  insert into public.campaign_kpis (org_id, campaign_id, metric, target)
  select target.org_id, target.id, k.kpi ->> 'metric', (k.kpi ->> 'target')::numeric
    from jsonb_array_elements(case when jsonb_typeof(v_objective -> 'kpis') = 'array' then v_objective -> 'kpis' else '[]' end) k (kpi);

  return target.version;
end;
$$;
comment on function public.submit_campaign(uuid) is 'Snapshots every section as an immutable numbered submission and applies it to the campaign.';

revoke all on function private.campaign_kind_sections(public.campaign_kind) from public;
revoke all on function private.campaign_refuse(text, text, text) from public;
revoke all on function private.campaigns_guard() from public;
revoke all on function private.campaigns_before_delete() from public;
revoke all on function private.campaign_children_guard() from public;
revoke all on function private.campaign_budget_lines_within_budget() from public;
revoke all on function private.campaign_submissions_immutable() from public;
revoke all on function private.campaigns_after_insert() from public;
revoke all on function private.campaigns_after_update() from public;
revoke all on function private.campaign_submissions_after_insert() from public;
revoke all on function private.audit_campaigns() from public;
revoke all on function private.audit_campaign_folders() from public;
revoke all on function private.campaign_local_instant(text, text, text) from public;
revoke all on function public.save_campaign_section(uuid, text, jsonb, integer) from public, anon;
revoke all on function public.submit_campaign(uuid) from public, anon;
-- The guards run as the writer and raise through campaign_refuse().
grant execute on function private.campaign_refuse(text, text, text) to authenticated, service_role;
grant execute on function public.save_campaign_section(uuid, text, jsonb, integer) to authenticated;
grant execute on function public.submit_campaign(uuid) to authenticated;

-- Section: triggers

create trigger campaigns_guard before insert or update on public.campaigns
  for each row execute function private.campaigns_guard();
create trigger campaigns_before_delete before delete on public.campaigns
  for each row execute function private.campaigns_before_delete();
create trigger campaigns_after_insert after insert on public.campaigns
  for each row execute function private.campaigns_after_insert();
create trigger campaigns_after_update after update on public.campaigns
  for each row execute function private.campaigns_after_update();
create trigger audit_campaigns after insert or update or delete on public.campaigns
  for each row execute function private.audit_campaigns();
create constraint trigger campaigns_budget_lines_within_budget after update of budget_amount on public.campaigns
  deferrable initially deferred
  for each row execute function private.campaign_budget_lines_within_budget();

create trigger campaign_budget_lines_guard before insert or update or delete on public.campaign_budget_lines
  for each row execute function private.campaign_children_guard();
create constraint trigger campaign_budget_lines_within_budget after insert or update on public.campaign_budget_lines
  deferrable initially deferred
  for each row execute function private.campaign_budget_lines_within_budget();
create trigger campaign_kpis_guard before insert or update or delete on public.campaign_kpis
  for each row execute function private.campaign_children_guard();

create trigger campaign_submissions_immutable before update or delete on public.campaign_submissions
  for each row execute function private.campaign_submissions_immutable();
create trigger campaign_submissions_after_insert after insert on public.campaign_submissions
  for each row execute function private.campaign_submissions_after_insert();

create trigger campaign_folders_set_updated_at before update on public.campaign_folders
  for each row execute function private.set_updated_at();
create trigger audit_campaign_folders after insert or update or delete on public.campaign_folders
  for each row execute function private.audit_campaign_folders();

-- Section: policies
alter table public.currencies enable row level security;
alter table public.campaign_folders enable row level security;
alter table public.campaigns enable row level security;
alter table public.campaign_budget_lines enable row level security;
alter table public.campaign_kpis enable row level security;
alter table public.campaign_sections enable row level security;
alter table public.campaign_submissions enable row level security;

create policy "Signed-in users can read the currencies"
  on public.currencies for select to authenticated using (true);

create policy "Members can read their organization's campaign folders"
  on public.campaign_folders for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Campaign editors can create campaign folders"
  on public.campaign_folders for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));
create policy "Campaign editors can rename campaign folders"
  on public.campaign_folders for update to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.write')))
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));
create policy "Campaign editors can delete campaign folders"
  on public.campaign_folders for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.write')));

create policy "Members can read their organization's campaigns"
  on public.campaigns for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Campaign editors can create campaigns"
  on public.campaigns for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));
create policy "Campaign editors can change campaigns"
  on public.campaigns for update to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.write')))
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));
create policy "Campaign editors can delete campaigns"
  on public.campaigns for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.write')));

create policy "Members can read their organization's campaign budget lines"
  on public.campaign_budget_lines for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Campaign editors can add budget lines"
  on public.campaign_budget_lines for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));
create policy "Campaign editors can change budget lines"
  on public.campaign_budget_lines for update to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.write')))
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));
create policy "Campaign editors can delete budget lines"
  on public.campaign_budget_lines for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.write')));

create policy "Members can read their organization's campaign KPIs"
  on public.campaign_kpis for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Campaign editors can add KPIs"
  on public.campaign_kpis for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));
create policy "Campaign editors can change KPIs"
  on public.campaign_kpis for update to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.write')))
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));
create policy "Campaign editors can delete KPIs"
  on public.campaign_kpis for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.write')));

create policy "Members can read their organization's campaign drafts"
  on public.campaign_sections for select to authenticated
  using (org_id in (select private.user_org_ids()));

create policy "Members can read their organization's campaign submissions"
  on public.campaign_submissions for select to authenticated
  using (org_id in (select private.user_org_ids()));

-- Section: grants
-- Sections are written by save_campaign_section(), submissions by
-- submit_campaign(), versions by both; never directly by clients.
revoke all on public.currencies, public.campaign_folders, public.campaigns, public.campaign_budget_lines,
  public.campaign_kpis, public.campaign_sections, public.campaign_submissions from anon, authenticated;

grant select on public.currencies to authenticated;
grant select, delete on public.campaign_folders to authenticated;
grant insert (org_id, name), update (name) on public.campaign_folders to authenticated;
grant select, delete on public.campaigns to authenticated;
grant insert (org_id, kind, brand_id, name, description, objective, folder_id, owner_id, time_zone, currency)
  on public.campaigns to authenticated;
grant update (kind, brand_id, name, description, objective, folder_id, owner_id, status, starts_at, ends_at,
              time_zone, budget_amount, currency)
  on public.campaigns to authenticated;
grant select, delete on public.campaign_budget_lines, public.campaign_kpis to authenticated;
grant insert (org_id, campaign_id, position, label, amount), update (position, label, amount)
  on public.campaign_budget_lines to authenticated;
grant insert (org_id, campaign_id, metric, target), update (target)
  on public.campaign_kpis to authenticated;
grant select on public.campaign_sections, public.campaign_submissions to authenticated;

-- Section: data

insert into public.currencies (code, name, minor_units) values
  ('AED', 'UAE dirham', 2), ('ARS', 'Argentine peso', 2), ('AUD', 'Australian dollar', 2),
  ('BGN', 'Bulgarian lev', 2), ('BRL', 'Brazilian real', 2), ('CAD', 'Canadian dollar', 2),
  ('CHF', 'Swiss franc', 2), ('CLP', 'Chilean peso', 0), ('CNY', 'Chinese yuan', 2),
  ('COP', 'Colombian peso', 2), ('CZK', 'Czech koruna', 2), ('DKK', 'Danish krone', 2),
  ('EGP', 'Egyptian pound', 2), ('EUR', 'Euro', 2), ('GBP', 'Pound sterling', 2),
  ('HKD', 'Hong Kong dollar', 2), ('HUF', 'Hungarian forint', 2), ('IDR', 'Indonesian rupiah', 2),
  ('ILS', 'Israeli new shekel', 2), ('INR', 'Indian rupee', 2), ('ISK', 'Icelandic króna', 0),
  ('JPY', 'Japanese yen', 0), ('KES', 'Kenyan shilling', 2), ('KRW', 'South Korean won', 0),
  ('KWD', 'Kuwaiti dinar', 3), ('MAD', 'Moroccan dirham', 2), ('MXN', 'Mexican peso', 2),
  ('MYR', 'Malaysian ringgit', 2), ('NGN', 'Nigerian naira', 2), ('NOK', 'Norwegian krone', 2),
  ('NZD', 'New Zealand dollar', 2), ('PEN', 'Peruvian sol', 2), ('PHP', 'Philippine peso', 2),
  ('PKR', 'Pakistani rupee', 2), ('PLN', 'Polish złoty', 2), ('QAR', 'Qatari riyal', 2),
  ('RON', 'Romanian leu', 2), ('RSD', 'Serbian dinar', 2), ('SAR', 'Saudi riyal', 2),
  ('SEK', 'Swedish krona', 2), ('SGD', 'Singapore dollar', 2), ('THB', 'Thai baht', 2),
  ('TRY', 'Turkish lira', 2), ('TWD', 'New Taiwan dollar', 2), ('UAH', 'Ukrainian hryvnia', 2),
  ('USD', 'US dollar', 2), ('VND', 'Vietnamese đồng', 0), ('ZAR', 'South African rand', 2);
