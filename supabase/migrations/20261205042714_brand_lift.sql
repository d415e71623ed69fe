-- Feature: brand lift studies (issue 17, parts 4–8). A study on a campaign asks
-- the same questions (awareness, ad recall, consideration, favourability,
-- purchase intent) of people who were exposed to the campaign and of a holdout
-- (control) group that was kept out of its sends; the difference in the share
-- of positive answers is the lift.
--
--   * A study goes draft → in_review → approved or changes_requested (→ back to
--     in_review after changes) → live → closed, with threaded comments for the
--     review. Only an approved study goes live; a study whose planned sample
--     cannot detect its target lift (two-proportion test, α 0.05 two-sided,
--     power 0.8) is refused at launch with the numbers. Questions and options
--     change only while the study is a draft or has changes requested.
--   * The holdout: when a study goes live, every contact the campaign reaches
--     is assigned to exposed or control by a hash of (contact, study), stored
--     once and never re-rolled (a later send assigns only newcomers). Control
--     contacts of a live study are left out of the campaign's sends:
--     private.message_targets (sending's audience freeze) is redefined here to
--     leave them out, and private.message_freeze assigns newcomers first.
--   * The survey: each assigned contact has a respondent row with a random
--     token (the link /s/<token>); the public page answers through the survey
--     schema's functions, the only thing anon may call: one response per
--     token, only while the study is live, only the study's own questions and
--     options (also enforced by foreign keys), rate-limited per IP address.
--   * The report reads rollups per (question, group) and (option, group), kept
--     by the submit function in the response's own transaction, never a scan of
--     the responses.
-- Permissions: studies.write (set up, submit, launch, close a study; download
-- its survey links) for owners, admins and members; studies.review (approve
-- or request changes) for owners and admins.
-- Events: study.status_changed {campaign_id, from, to} (subject: study).

-- Section: permissions

insert into public.permissions (name, description) values
  ('studies.write', 'Set up, launch and close brand lift studies'),
  ('studies.review', 'Approve brand lift studies or ask for changes');

insert into public.base_role_permissions (role, permission) values
  ('owner', 'studies.write'),
  ('admin', 'studies.write'),
  ('member', 'studies.write'),
  ('owner', 'studies.review'),
  ('admin', 'studies.review');

-- Section: types

create type public.study_status as enum ('draft', 'in_review', 'changes_requested', 'approved', 'live', 'closed');
create type public.study_question_kind as enum ('awareness', 'ad_recall', 'consideration', 'favourability', 'purchase_intent');
create type public.study_group as enum ('exposed', 'control');

-- Section: tables

-- A brand lift study of a campaign (one per campaign): its design (holdout
-- share, expected baseline, target lift, planned answers per group) and
-- where its review and fieldwork stand.
create table public.brand_lift_studies (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  campaign_id uuid not null,
  name text not null check (char_length(btrim(name)) between 1 and 120),
  status public.study_status not null default 'draft',
  -- Share of the campaign's audience kept out of its sends, in percent.
  holdout_percent numeric(5, 2) not null default 10
    constraint brand_lift_studies_holdout_percent_check check (holdout_percent >= 1 and holdout_percent <= 50),
  -- The positive rate expected without the campaign, in percent (for the power check).
  baseline_percent numeric(5, 2) not null default 30
    constraint brand_lift_studies_baseline_percent_check check (baseline_percent >= 1 and baseline_percent <= 95),
  -- The smallest lift worth detecting, in percentage points.
  target_lift_points numeric(5, 2) not null default 3
    constraint brand_lift_studies_target_lift_points_check check (target_lift_points >= 0.5 and target_lift_points <= 50),
  -- Answers expected per group.
  planned_sample integer not null default 4000
    constraint brand_lift_studies_planned_sample_check check (planned_sample >= 10 and planned_sample <= 10000000),
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  status_changed_at timestamptz not null default now(),
  launched_at timestamptz,
  closed_at timestamptz,
  constraint brand_lift_studies_campaign_id_key unique (campaign_id),
  constraint brand_lift_studies_org_id_id_key unique (org_id, id),
  foreign key (org_id, campaign_id) references public.campaigns (org_id, id) on delete cascade
);
create index brand_lift_studies_org_id_idx on public.brand_lift_studies (org_id, status);
create index brand_lift_studies_campaign_idx on public.brand_lift_studies (org_id, campaign_id);
create index brand_lift_studies_created_by_idx on public.brand_lift_studies (created_by);
comment on table public.brand_lift_studies is
  'Brand lift study of a campaign: holdout share, power design and review/fieldwork status (draft → in_review → approved → live → closed).';

-- Threaded comments of a study's review (parent_id: the comment answered).
create table public.brand_lift_comments (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  study_id uuid not null,
  parent_id uuid references public.brand_lift_comments (id) on delete cascade,
  author_id uuid default auth.uid() references auth.users (id) on delete set null,
  body text not null check (char_length(btrim(body)) between 1 and 4000),
  created_at timestamptz not null default now(),
  foreign key (org_id, study_id) references public.brand_lift_studies (org_id, id) on delete cascade
);
create index brand_lift_comments_study_idx on public.brand_lift_comments (org_id, study_id, created_at);
create index brand_lift_comments_parent_idx on public.brand_lift_comments (parent_id);
create index brand_lift_comments_author_idx on public.brand_lift_comments (author_id);
comment on table public.brand_lift_comments is 'Threaded review comments on a brand lift study.';

-- The questions of a study, in order.
create table public.brand_lift_questions (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  study_id uuid not null,
  position smallint not null default 0 check (position between 0 and 99),
  kind public.study_question_kind not null,
  prompt text not null check (char_length(btrim(prompt)) between 1 and 300),
  -- Several options may be chosen (otherwise exactly one).
  multiple boolean not null default false,
  constraint brand_lift_questions_study_id_id_key unique (study_id, id),
  foreign key (org_id, study_id) references public.brand_lift_studies (org_id, id) on delete cascade
);
create index brand_lift_questions_org_study_idx on public.brand_lift_questions (org_id, study_id, position);
comment on table public.brand_lift_questions is 'Questions of a brand lift study (kind, prompt, single or multiple choice).';

-- The options of a question; positive ones count towards its positive rate.
create table public.brand_lift_options (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  study_id uuid not null,
  question_id uuid not null,
  position smallint not null default 0 check (position between 0 and 99),
  label text not null check (char_length(btrim(label)) between 1 and 200),
  positive boolean not null default false,
  constraint brand_lift_options_question_id_id_key unique (question_id, id),
  foreign key (study_id, question_id) references public.brand_lift_questions (study_id, id) on delete cascade
);
create index brand_lift_options_org_study_idx on public.brand_lift_options (org_id, study_id);
create index brand_lift_options_question_idx on public.brand_lift_options (question_id, position);
create index brand_lift_options_study_question_idx on public.brand_lift_options (study_id, question_id);
comment on table public.brand_lift_options is 'Answer options of a brand lift question; positive marks the answers that count as a yes.';

-- Who is in which group: assigned once by a hash of (contact, study) when the
-- study goes live (or when a later send reaches someone new), never re-rolled.
create table public.brand_lift_assignments (
  org_id uuid not null,
  study_id uuid not null,
  contact_id uuid not null,
  "group" public.study_group not null,
  assigned_at timestamptz not null default now(),
  primary key (study_id, contact_id),
  foreign key (org_id, study_id) references public.brand_lift_studies (org_id, id) on delete cascade,
  foreign key (org_id, contact_id) references public.contacts (org_id, id) on delete cascade
);
create index brand_lift_assignments_org_idx on public.brand_lift_assignments (org_id, study_id, "group");
create index brand_lift_assignments_contact_idx on public.brand_lift_assignments (org_id, contact_id);
comment on table public.brand_lift_assignments is
  'Holdout assignment of each contact a study covers (exposed or control), stored once and never re-rolled.';

-- A person who may answer the survey, with the token of their link
-- (/s/<token>); one response per token.
create table public.brand_lift_respondents (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  study_id uuid not null,
  contact_id uuid,
  "group" public.study_group not null,
  token text not null default encode(extensions.gen_random_bytes(16), 'hex')
    constraint brand_lift_respondents_token_check check (token ~ '^[0-9a-f]{32}$'),
  responded_at timestamptz,
  constraint brand_lift_respondents_token_key unique (token),
  constraint brand_lift_respondents_study_contact_key unique (study_id, contact_id),
  foreign key (org_id, study_id) references public.brand_lift_studies (org_id, id) on delete cascade,
  foreign key (org_id, contact_id) references public.contacts (org_id, id) on delete cascade
);
create index brand_lift_respondents_org_idx on public.brand_lift_respondents (org_id, study_id);
create index brand_lift_respondents_contact_idx on public.brand_lift_respondents (org_id, contact_id);
comment on table public.brand_lift_respondents is
  'Survey invitations of a study: one per person, with the token of their personal link; one response each.';

-- One response per respondent (the unique key is the "answered twice" guard).
create table public.brand_lift_responses (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  study_id uuid not null,
  respondent_id uuid not null references public.brand_lift_respondents (id) on delete cascade,
  "group" public.study_group not null,
  submitted_at timestamptz not null default now(),
  constraint brand_lift_responses_respondent_id_key unique (respondent_id),
  constraint brand_lift_responses_study_id_id_key unique (study_id, id),
  foreign key (org_id, study_id) references public.brand_lift_studies (org_id, id) on delete cascade
);
create index brand_lift_responses_org_idx on public.brand_lift_responses (org_id, study_id);
comment on table public.brand_lift_responses is 'Survey responses of a study, one per respondent, with the group they were in.';

-- The options chosen in a response. The foreign keys make an answer to
-- another study's question, or an option of another question, impossible.
create table public.brand_lift_answers (
  org_id uuid not null,
  study_id uuid not null,
  response_id uuid not null,
  question_id uuid not null,
  option_id uuid not null,
  primary key (response_id, option_id),
  foreign key (study_id, response_id) references public.brand_lift_responses (study_id, id) on delete cascade,
  foreign key (study_id, question_id) references public.brand_lift_questions (study_id, id) on delete cascade,
  foreign key (question_id, option_id) references public.brand_lift_options (question_id, id) on delete cascade
);
create index brand_lift_answers_question_idx on public.brand_lift_answers (study_id, question_id);
create index brand_lift_answers_org_idx on public.brand_lift_answers (org_id, study_id);
create index brand_lift_answers_response_idx on public.brand_lift_answers (study_id, response_id);
create index brand_lift_answers_option_idx on public.brand_lift_answers (question_id, option_id);
comment on table public.brand_lift_answers is 'Options chosen in a survey response (only the study''s own questions and options).';

-- Rollup per (question, group): respondents who answered, and those who chose
-- at least one positive option. Kept by survey.submit; the report reads it.
create table public.brand_lift_question_totals (
  org_id uuid not null,
  study_id uuid not null,
  question_id uuid not null,
  "group" public.study_group not null,
  answered integer not null default 0 check (answered >= 0),
  positive integer not null default 0 check (positive >= 0 and positive <= answered),
  primary key (question_id, "group"),
  foreign key (study_id, question_id) references public.brand_lift_questions (study_id, id) on delete cascade
);
create index brand_lift_question_totals_org_idx on public.brand_lift_question_totals (org_id, study_id);
create index brand_lift_question_totals_question_idx on public.brand_lift_question_totals (study_id, question_id);
comment on table public.brand_lift_question_totals is
  'Report rollup per question and group: answers and positive answers (kept by each survey submission).';

-- Rollup per (option, group): how often each option was chosen.
create table public.brand_lift_option_totals (
  org_id uuid not null,
  study_id uuid not null,
  question_id uuid not null,
  option_id uuid not null,
  "group" public.study_group not null,
  answers integer not null default 0 check (answers >= 0),
  primary key (option_id, "group"),
  foreign key (question_id, option_id) references public.brand_lift_options (question_id, id) on delete cascade
);
create index brand_lift_option_totals_org_idx on public.brand_lift_option_totals (org_id, study_id);
create index brand_lift_option_totals_question_idx on public.brand_lift_option_totals (question_id, option_id);
comment on table public.brand_lift_option_totals is 'Report rollup per option and group: how often it was chosen.';

-- Survey submissions per IP address and minute (the public survey's rate
-- limit, shared by every app instance). One row per address: older minutes
-- are dropped on the next submission.
create table private.survey_rate_limits (
  ip text primary key check (char_length(ip) <= 100),
  minute timestamptz not null,
  hits integer not null default 0
);
comment on table private.survey_rate_limits is 'Public survey submissions per IP address in the current minute (rate limit).';

-- Section: schemas

-- The public survey's functions, callable by anon (people who are not signed
-- in), as the unsubscribe link's are: not exposed through the Data API, and
-- not in private (so no private helper is within anon's reach).
create schema survey;
comment on schema survey is 'Functions of the public brand lift survey (/s/<token>), for anon; not exposed through the Data API.';
revoke all on schema survey from public;
grant usage on schema survey to anon, authenticated;

-- Section: reserved addresses
-- /s/<token> is the public survey: an organization at /s would lose its
-- two-segment pages to it, so "s" joins the reserved addresses (NOT VALID, as
-- for "t" and "u": an existing organization called "s" keeps its address).
alter table public.organizations
  drop constraint organizations_slug_reserved,
  add constraint organizations_slug_reserved check (slug not in (
    'account', 'admin', 'api', 'app', 'auth', 'forgot-password', 'functions', 'invitations',
    'login', 'logout', 'mailbox', 'new', 'onboarding', 'reset-password', 'settings', 'signup',
    's', 'static', 'storage', 't', 'u')) not valid;

-- Section: functions

-- Raises a check violation naming the column at fault, with a stable hint.
create function private.study_refuse(p_table text, p_column text, p_message text, p_hint text,
                                     p_errcode text default '23514')
returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception '%', p_message
    using errcode = p_errcode, column = p_column, table = p_table,
          constraint = p_table || '_' || p_column || '_check', hint = p_hint;
end;
$$;
comment on function private.study_refuse(text, text, text, text, text) is 'Raises a refusal naming the brand lift table and column at fault.';

-- Answers needed per group to detect a lift of p_lift points over a baseline
-- of p_baseline percent with a two-proportion z-test, α 0.05 two-sided and
-- power 0.8 (the same formula as src/lib/brand-lift/power.ts; 3,763 for +3
-- points on 30 %).
create function private.study_sample_size(p_baseline numeric, p_lift numeric)
returns integer
language sql
immutable
set search_path = ''
as $$
  with p as (select p_baseline / 100.0 as p1, least((p_baseline + p_lift) / 100.0, 0.9999) as p2)
  select ceil(power(1.959963984540054 * sqrt(2 * ((p1 + p2) / 2) * (1 - (p1 + p2) / 2))
                    + 0.8416212335729143 * sqrt(p1 * (1 - p1) + p2 * (1 - p2)), 2)
              / power(p2 - p1, 2))::integer
    from p;
$$;
comment on function private.study_sample_size(numeric, numeric) is
  'Answers per group a two-proportion z-test needs (α 0.05 two-sided, power 0.8) to detect a lift over a baseline.';

-- Everyone a campaign's audiences reach, each with the reason they would not
-- get its message (null: they would). The body of sending's
-- private.message_targets (20261205003200_message_sending.sql) before the
-- holdout: the study's assignment needs the whole reach, sends leave the
-- control group out.
create function private.message_targets_all(p_campaign_id uuid)
returns table (contact_id uuid, address extensions.citext, reason text)
language sql
stable
security definer
set search_path = ''
as $$
  with camp as (
    select c.org_id, c.id from public.campaigns c where c.id = p_campaign_id
  ), aud as (
    select ca.audience_id,
           exists (select 1 from public.audience_segments s
                    where s.org_id = ca.org_id and s.audience_id = ca.audience_id and not s.excluded) as has_include
      from public.campaign_audiences ca join camp on ca.campaign_id = camp.id and ca.org_id = camp.org_id
  ), included as (
    select m.contact_id, a.audience_id
      from aud a
      join public.audience_segments s on s.audience_id = a.audience_id and not s.excluded
      join public.segment_memberships m on m.org_id = s.org_id and m.segment_id = s.segment_id
    union
    select c.id, a.audience_id
      from aud a cross join camp join public.contacts c on c.org_id = camp.org_id
     where not a.has_include
  ), reached as (
    select distinct i.contact_id
      from included i cross join camp
     where not exists (select 1 from public.audience_segments s
                        join public.segment_memberships m
                          on m.org_id = s.org_id and m.segment_id = s.segment_id and m.contact_id = i.contact_id
                       where s.org_id = camp.org_id and s.audience_id = i.audience_id and s.excluded)
  ), base as (
    select c.id, c.email, c.created_at,
           case when c.erased_at is not null then 'erased'
                when c.email is null then 'no_address'
                when c.status = 'unsubscribed' then 'unsubscribed'
                when c.status = 'bounced' then 'bounced'
                when (select r.status from public.consent_records r
                       where r.org_id = c.org_id and r.contact_id = c.id and r.channel = 'email'
                       order by r.recorded_at desc, r.id desc limit 1) = 'withdrawn' then 'no_consent'
           end as reason
      from reached x cross join camp join public.contacts c on c.org_id = camp.org_id and c.id = x.contact_id
  )
  select b.id,
         case when b.reason = 'erased' then null else b.email end,
         coalesce(b.reason, case when row_number() over (partition by b.reason is null, b.email
                                                          order by b.created_at, b.id) > 1
                                 then 'duplicate_address' end)
    from base b;
$$;
comment on function private.message_targets_all(uuid) is
  'Everyone a campaign''s audiences reach with the reason they are suppressed, before the brand lift holdout.';

-- Redefined (was 20261205003200_message_sending.sql): the campaign's reach
-- minus the control group of its live brand lift study, who must not get it.
create or replace function private.message_targets(p_campaign_id uuid)
returns table (contact_id uuid, address extensions.citext, reason text)
language sql
stable
security definer
set search_path = ''
as $$
  select t.contact_id, t.address, t.reason
    from private.message_targets_all(p_campaign_id) t
   where not exists (select 1
                       from public.brand_lift_studies s
                       join public.brand_lift_assignments a on a.study_id = s.id and a.contact_id = t.contact_id
                      where s.campaign_id = p_campaign_id and s.status = 'live' and a."group" = 'control');
$$;
comment on function private.message_targets(uuid) is
  'Contacts a campaign''s audiences reach (less the control group of its live brand lift study), each with the reason they are suppressed (null: they get the message).';

-- Assigns every contact the study's campaign reaches (and could receive it)
-- to exposed or control by a hash of (contact, study), and gives each a
-- survey link. Assignments already made are kept as they are (never
-- re-rolled). Set-based.
create function private.study_assign(p_study_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_study record;
begin
  select s.org_id, s.campaign_id, s.holdout_percent into v_study from public.brand_lift_studies s where s.id = p_study_id;
  insert into public.brand_lift_assignments (org_id, study_id, contact_id, "group")
  select v_study.org_id, p_study_id, t.contact_id,
         case when ((('x' || left(md5(t.contact_id::text || ':' || p_study_id::text), 8))::bit(32)::bigint) % 10000)
                   < v_study.holdout_percent * 100
              then 'control' else 'exposed' end::public.study_group
    from private.message_targets_all(v_study.campaign_id) t
   where t.reason is null
  on conflict (study_id, contact_id) do nothing;
  insert into public.brand_lift_respondents (org_id, study_id, contact_id, "group")
  select a.org_id, a.study_id, a.contact_id, a."group"
    from public.brand_lift_assignments a
   where a.study_id = p_study_id
  on conflict (study_id, contact_id) do nothing;
end;
$$;
comment on function private.study_assign(uuid) is
  'Assigns a study''s reach to exposed/control by a hash of (contact, study), once, and creates their survey links.';

-- Redefined (was 20261205003200_message_sending.sql): assigns newcomers to
-- the live brand lift study's groups first, so its control group is known
-- before recipients are frozen. The rest is unchanged.
create or replace function private.message_freeze(p_org_id uuid, p_campaign_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_total integer;
  v_suppressed integer;
  v_reasons jsonb;
  v_study uuid;
begin
  for v_study in select s.id from public.brand_lift_studies s where s.campaign_id = p_campaign_id and s.status = 'live' loop
    perform private.study_assign(v_study);
  end loop;

  insert into public.message_recipients (org_id, campaign_id, contact_id, address, status, reason)
  select p_org_id, p_campaign_id, t.contact_id, t.address,
         case when t.reason is null then 'queued' else 'suppressed' end::public.message_recipient_status, t.reason
    from private.message_targets(p_campaign_id) t
  on conflict (campaign_id, contact_id) do nothing;

  select count(*), count(*) filter (where x.status = 'suppressed')
    into v_total, v_suppressed
    from public.message_recipients x where x.campaign_id = p_campaign_id;
  select coalesce(jsonb_object_agg(x.reason, x.n), '{}') into v_reasons
    from (select r.reason, count(*) as n from public.message_recipients r
           where r.campaign_id = p_campaign_id and r.status = 'suppressed' group by r.reason) x;
  if v_total - v_suppressed = 0 then
    perform private.message_send_refuse('status',
      case when v_total = 0 then 'Nobody to send to: the campaign''s audience has no contacts.'
           else format('Nobody to send to: all %s contacts of the audience are unsubscribed, bounced, without consent or duplicates.', v_total) end,
      'message_audience_empty');
  end if;

  insert into public.events (org_id, type, subject_type, subject_id, actor_id, payload)
  select p_org_id, 'message.suppressed', 'contact', r.contact_id, (select auth.uid()),
         jsonb_build_object('campaign_id', p_campaign_id, 'recipient_id', r.id, 'contact_id', r.contact_id,
                            'channel', 'email', 'reason', r.reason)
    from public.message_recipients r
   where r.campaign_id = p_campaign_id and r.status = 'suppressed';

  update public.message_sends s
     set recipients = v_total, suppressed = v_suppressed, suppressed_by_reason = v_reasons
   where s.campaign_id = p_campaign_id;
end;
$$;
comment on function private.message_freeze(uuid, uuid) is
  'Freezes a campaign''s recipients when it starts sending (after assigning its live brand lift study''s newcomers): suppressed ones counted by reason, with events; refuses an empty audience.';

-- Trigger (row, before insert or update of brand_lift_studies): the status
-- machine, who may decide a review, what launching needs (an approved study,
-- questions with a positive answer, a sample big enough for the target lift)
-- and no design changes once the study was approved.
create function private.study_guard()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_needed integer;
  v_uid uuid := (select auth.uid());
begin
  if tg_op = 'INSERT' then
    if new.status <> 'draft' then
      perform private.study_refuse('brand_lift_studies', 'status', 'A study starts as a draft.', 'study_transition_refused');
    end if;
    new.launched_at := null; new.closed_at := null;
    return new;
  end if;
  if new.campaign_id <> old.campaign_id or new.org_id <> old.org_id then
    perform private.study_refuse('brand_lift_studies', 'campaign_id', 'A study stays on its campaign.', 'study_campaign_fixed');
  end if;
  if new.status is distinct from old.status then
    if not ((old.status, new.status) in (
        ('draft', 'in_review'), ('in_review', 'approved'), ('in_review', 'changes_requested'),
        ('in_review', 'draft'), ('changes_requested', 'in_review'), ('changes_requested', 'draft'),
        ('approved', 'live'), ('approved', 'draft'), ('live', 'closed'))) then
      perform private.study_refuse('brand_lift_studies', 'status',
        case when new.status = 'live' then 'Only an approved study can go live: submit it for review first.'
             when old.status = 'closed' then 'This study is closed.'
             when old.status = 'live' then 'A live study can only be closed.'
             else format('A study that is %s cannot become %s.', replace(old.status::text, '_', ' '),
                         replace(new.status::text, '_', ' ')) end,
        'study_transition_refused');
    end if;
    if new.status in ('approved', 'changes_requested') and v_uid is not null
       and not private.has_permission(new.org_id, 'studies.review') then
      perform private.study_refuse('brand_lift_studies', 'status',
        'Only someone who can review studies may approve one or ask for changes.', 'study_review_permission', '42501');
    end if;
    if new.status = 'in_review' then
      if not exists (select 1 from public.brand_lift_questions q where q.study_id = new.id) then
        perform private.study_refuse('brand_lift_studies', 'status', 'Add at least one question before submitting the study.',
          'study_no_questions');
      end if;
      if exists (select 1 from public.brand_lift_questions q where q.study_id = new.id
                  and ((select count(*) from public.brand_lift_options o where o.question_id = q.id) < 2
                       or not exists (select 1 from public.brand_lift_options o where o.question_id = q.id and o.positive))) then
        perform private.study_refuse('brand_lift_studies', 'status',
          'Every question needs at least two answers, one of them marked as positive.', 'study_question_incomplete');
      end if;
    end if;
    if new.status = 'live' then
      v_needed := private.study_sample_size(new.baseline_percent, new.target_lift_points);
      if new.planned_sample < v_needed then
        perform private.study_refuse('brand_lift_studies', 'planned_sample',
          format('%s answers per group cannot detect a lift of %s points on a %s%% baseline: it needs %s per group (95%% confidence, 80%% power).',
                 to_char(new.planned_sample, 'FM999,999,999'), trim_scale(new.target_lift_points),
                 trim_scale(new.baseline_percent), to_char(v_needed, 'FM999,999,999')),
          'study_underpowered');
      end if;
      new.launched_at := clock_timestamp();
    end if;
    if new.status = 'closed' then new.closed_at := clock_timestamp(); end if;
    new.status_changed_at := now();
  end if;
  if old.status not in ('draft', 'changes_requested') and new.status = old.status
     and (new.name, new.holdout_percent, new.baseline_percent, new.target_lift_points, new.planned_sample)
         is distinct from (old.name, old.holdout_percent, old.baseline_percent, old.target_lift_points, old.planned_sample) then
    perform private.study_refuse('brand_lift_studies', 'status',
      'This study is ' || replace(old.status::text, '_', ' ') || ': its design can no longer be changed.', 'study_locked');
  end if;
  new.updated_at := now();
  return new;
end;
$$;
comment on function private.study_guard() is
  'Trigger: the study status machine, review permission, launch needs (power check) and no design edits once submitted.';

-- Trigger (row, after update of brand_lift_studies): the holdout assignment
-- at launch and the study.status_changed event.
create function private.study_after_update()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.status is distinct from old.status then
    if new.status = 'live' then
      perform private.study_assign(new.id);
    end if;
    insert into public.events (org_id, type, subject_type, subject_id, actor_id, payload)
    values (new.org_id, 'study.status_changed', 'study', new.id, (select auth.uid()),
            jsonb_build_object('campaign_id', new.campaign_id, 'from', old.status, 'to', new.status));
  end if;
  return null;
end;
$$;
comment on function private.study_after_update() is 'Trigger: holdout assignment when a study goes live; study.status_changed events.';

-- Trigger (row, questions and options): their study's design is editable only
-- while it is a draft or has changes requested.
create function private.study_design_guard()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_status public.study_status;
begin
  select s.status into v_status from public.brand_lift_studies s
   where s.id = case when tg_op = 'DELETE' then old.study_id else new.study_id end;
  if v_status is not null and v_status not in ('draft', 'changes_requested') then
    perform private.study_refuse(tg_table_name, 'study_id',
      'This study is ' || replace(v_status::text, '_', ' ') || ': its questions can no longer be changed.', 'study_locked');
  end if;
  if tg_op = 'DELETE' then return old; end if;
  return new;
end;
$$;
comment on function private.study_design_guard() is 'Trigger: a study''s questions and options change only while it is a draft or has changes requested.';

-- Trigger (row, before insert of brand_lift_comments): a reply stays in the
-- thread's study, and the author is the person writing.
create function private.study_comment_guard()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.parent_id is not null and not exists (select 1 from public.brand_lift_comments c
                                                where c.id = new.parent_id and c.study_id = new.study_id) then
    perform private.study_refuse('brand_lift_comments', 'parent_id', 'That comment is not on this study.', 'study_comment_parent');
  end if;
  if (select auth.uid()) is not null then new.author_id := (select auth.uid()); end if;
  return new;
end;
$$;
comment on function private.study_comment_guard() is 'Trigger: replies stay in their study; the author is the signed-in person.';

-- The survey page of a token: the study's questions and whether it can be
-- answered. Null for an unknown token. For anon.
create function survey.open(p_token text)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
           'study', s.name,
           'organization', o.name,
           'status', s.status,
           'answered', r.responded_at is not null,
           'questions', coalesce((
             select jsonb_agg(jsonb_build_object(
                      'id', q.id, 'prompt', q.prompt, 'multiple', q.multiple,
                      'options', (select coalesce(jsonb_agg(jsonb_build_object('id', o2.id, 'label', o2.label)
                                                            order by o2.position, o2.id), '[]')
                                    from public.brand_lift_options o2 where o2.question_id = q.id))
                    order by q.position, q.id)
               from public.brand_lift_questions q where q.study_id = s.id), '[]'))
    from public.brand_lift_respondents r
    join public.brand_lift_studies s on s.id = r.study_id
    join public.organizations o on o.id = s.org_id
   where p_token ~ '^[0-9a-f]{32}$' and r.token = p_token;
$$;
comment on function survey.open(text) is 'Public survey: the questions behind a respondent token (null when unknown).';

-- The one write of the public survey: a response to a live study by the
-- token's respondent, once. p_answers is {"<question id>": ["<option id>", …]}
-- and must answer every question of the study with its own options (one for
-- a single-choice question). Keeps the report's rollups. Refusals raise with
-- a hint the app maps: survey_unknown, survey_closed, survey_answered,
-- survey_invalid. The app counts the attempt first (survey.count_attempt, in
-- its own transaction, so refused attempts count too).
create function survey.submit(p_token text, p_answers jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_resp record;
  v_status public.study_status;
  v_response uuid;
  v_missing text;
  v_chosen integer;
begin
  select r.id, r.org_id, r.study_id, r."group", r.responded_at into v_resp
    from public.brand_lift_respondents r
   where p_token ~ '^[0-9a-f]{32}$' and r.token = p_token
   for update;
  if v_resp.id is null then
    raise exception 'This survey link is not valid.' using errcode = 'P0002', hint = 'survey_unknown';
  end if;
  select s.status into v_status from public.brand_lift_studies s where s.id = v_resp.study_id for share;
  if v_status <> 'live' then
    raise exception '%', case when v_status = 'closed' then 'This survey has closed. Thank you all the same.'
                              else 'This survey is not open yet.' end
      using errcode = 'P0001', hint = 'survey_closed';
  end if;
  if v_resp.responded_at is not null then
    raise exception 'You have already answered this survey. Thank you!' using errcode = '23505', hint = 'survey_answered';
  end if;
  if jsonb_typeof(p_answers) is distinct from 'object' or pg_column_size(p_answers) > 20000 then
    raise exception 'The answers are not in the expected form.' using errcode = '22023', hint = 'survey_invalid';
  end if;
  if exists (select 1 from jsonb_each(p_answers) e
              where e.key !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                 or jsonb_typeof(e.value) <> 'array'
                 or exists (select 1 from jsonb_array_elements(e.value) v
                             where jsonb_typeof(v) <> 'string'
                                or v #>> '{}' !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')) then
    raise exception 'The answers are not in the expected form.' using errcode = '22023', hint = 'survey_invalid';
  end if;
  if exists (select 1 from jsonb_object_keys(p_answers) k
              where not exists (select 1 from public.brand_lift_questions q
                                 where q.study_id = v_resp.study_id and q.id = k::uuid)) then
    raise exception 'Those answers are for questions of another survey.'
      using errcode = '23503', column = 'question_id', hint = 'survey_invalid';
  end if;
  if exists (select 1 from jsonb_each(p_answers) e cross join jsonb_array_elements(e.value) v
              where not exists (select 1 from public.brand_lift_options o
                                 where o.question_id = e.key::uuid and o.id = (v #>> '{}')::uuid)) then
    raise exception 'Those answers are not options of this survey''s questions.'
      using errcode = '23503', column = 'option_id', hint = 'survey_invalid';
  end if;
  select q.prompt, jsonb_array_length(coalesce(p_answers -> q.id::text, '[]')) into v_missing, v_chosen
    from public.brand_lift_questions q
   where q.study_id = v_resp.study_id
     and (jsonb_array_length(coalesce(p_answers -> q.id::text, '[]')) = 0
          or (not q.multiple and jsonb_array_length(p_answers -> q.id::text) > 1))
   order by q.position, q.id limit 1;
  if v_missing is not null then
    raise exception '%', case when v_chosen = 0 then format('Please answer "%s".', v_missing)
                              else format('Choose only one answer to "%s".', v_missing) end
      using errcode = '23514', column = 'question_id', hint = 'survey_invalid';
  end if;

  insert into public.brand_lift_responses (org_id, study_id, respondent_id, "group")
  values (v_resp.org_id, v_resp.study_id, v_resp.id, v_resp."group")
  returning id into v_response;
  -- Options of another question or study fail the foreign keys (23503).
  begin
    insert into public.brand_lift_answers (org_id, study_id, response_id, question_id, option_id)
    select distinct v_resp.org_id, v_resp.study_id, v_response, e.key::uuid, (v #>> '{}')::uuid
      from jsonb_each(p_answers) e cross join jsonb_array_elements(e.value) v;
  exception
    when foreign_key_violation then
      raise exception 'Those answers are not options of this survey''s questions.'
        using errcode = '23503', column = 'option_id', hint = 'survey_invalid';
  end;
  update public.brand_lift_respondents set responded_at = now() where id = v_resp.id;

  insert into public.brand_lift_question_totals as t (org_id, study_id, question_id, "group", answered, positive)
  select v_resp.org_id, v_resp.study_id, a.question_id, v_resp."group", 1, bool_or(o.positive)::integer
    from public.brand_lift_answers a
    join public.brand_lift_options o on o.id = a.option_id
   where a.response_id = v_response
   group by a.question_id
   order by a.question_id
  on conflict (question_id, "group") do update
    set answered = t.answered + 1, positive = t.positive + excluded.positive;
  insert into public.brand_lift_option_totals as t (org_id, study_id, question_id, option_id, "group", answers)
  select v_resp.org_id, v_resp.study_id, a.question_id, a.option_id, v_resp."group", 1
    from public.brand_lift_answers a
   where a.response_id = v_response
   order by a.option_id
  on conflict (option_id, "group") do update set answers = t.answers + 1;
end;
$$;
comment on function survey.submit(text, jsonb) is
  'Public survey: records a respondent''s answers to a live study once and keeps the report rollups.';

-- The public survey's rate limit: counts one submission attempt from an IP
-- address and says whether it is within 30 a minute. Called by the app in
-- its own transaction before survey.submit, so refused attempts count too.
create function survey.count_attempt(p_ip text)
returns boolean
language sql
security definer
set search_path = ''
as $$
  insert into private.survey_rate_limits as l (ip, minute, hits)
  values (left(coalesce(p_ip, ''), 100), date_trunc('minute', clock_timestamp()), 1)
  on conflict (ip) do update
    set hits = case when l.minute = excluded.minute then l.hits + 1 else 1 end, minute = excluded.minute
  returning l.hits <= 30;
$$;
comment on function survey.count_attempt(text) is
  'Public survey rate limit: counts an attempt from an IP address; false beyond 30 a minute.';

-- The public survey's one call per submission (one transaction): counts the
-- attempt against the address's limit, then submits. A refusal is returned
-- ({"refused": hint, "message", "column"}) rather than raised, so the attempt
-- stays counted while everything the submission wrote is undone (the inner
-- block's savepoint). Anything that is not a survey refusal is raised as is.
create function survey.answer(p_token text, p_answers jsonb, p_ip text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_hint text;
  v_message text;
  v_column text;
begin
  if not survey.count_attempt(p_ip) then
    return jsonb_build_object('refused', 'survey_rate_limited',
                              'message', 'Too many answers from this address: wait a minute and try again.');
  end if;
  begin
    perform survey.submit(p_token, p_answers);
  exception when others then
    get stacked diagnostics v_hint = pg_exception_hint, v_message = message_text, v_column = column_name;
    if coalesce(v_hint, '') not like 'survey\_%' then raise; end if;
    return jsonb_build_object('refused', v_hint, 'message', v_message, 'column', nullif(v_column, ''));
  end;
  return '{}'::jsonb;
end;
$$;
comment on function survey.answer(text, jsonb, text) is
  'Public survey: counts the attempt against the address''s limit and submits; refusals returned, the attempt kept.';

-- Section: triggers

create trigger brand_lift_studies_guard
  before insert or update on public.brand_lift_studies
  for each row execute function private.study_guard();
create trigger brand_lift_studies_after_update
  after update on public.brand_lift_studies
  for each row execute function private.study_after_update();
create trigger brand_lift_questions_design_guard
  before insert or update or delete on public.brand_lift_questions
  for each row execute function private.study_design_guard();
create trigger brand_lift_options_design_guard
  before insert or update or delete on public.brand_lift_options
  for each row execute function private.study_design_guard();
create trigger brand_lift_comments_guard
  before insert on public.brand_lift_comments
  for each row execute function private.study_comment_guard();

-- Section: policies

alter table public.brand_lift_studies enable row level security;
alter table public.brand_lift_comments enable row level security;
alter table public.brand_lift_questions enable row level security;
alter table public.brand_lift_options enable row level security;
alter table public.brand_lift_assignments enable row level security;
alter table public.brand_lift_respondents enable row level security;
alter table public.brand_lift_responses enable row level security;
alter table public.brand_lift_answers enable row level security;
alter table public.brand_lift_question_totals enable row level security;
alter table public.brand_lift_option_totals enable row level security;

create policy "Members can read their organization's brand lift studies"
  on public.brand_lift_studies for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Study managers can create brand lift studies"
  on public.brand_lift_studies for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('studies.write')));
create policy "Study managers and reviewers can change brand lift studies"
  on public.brand_lift_studies for update to authenticated
  using (org_id in (select private.org_ids_with_permission('studies.write'))
         or org_id in (select private.org_ids_with_permission('studies.review')))
  with check (org_id in (select private.org_ids_with_permission('studies.write'))
              or org_id in (select private.org_ids_with_permission('studies.review')));
create policy "Study managers can delete draft brand lift studies"
  on public.brand_lift_studies for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('studies.write')) and status = 'draft');

create policy "Members can read their organization's study comments"
  on public.brand_lift_comments for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Study managers and reviewers can comment on studies"
  on public.brand_lift_comments for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('studies.write'))
              or org_id in (select private.org_ids_with_permission('studies.review')));

create policy "Members can read their organization's study questions"
  on public.brand_lift_questions for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Study managers can add study questions"
  on public.brand_lift_questions for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('studies.write')));
create policy "Study managers can edit study questions"
  on public.brand_lift_questions for update to authenticated
  using (org_id in (select private.org_ids_with_permission('studies.write')))
  with check (org_id in (select private.org_ids_with_permission('studies.write')));
create policy "Study managers can delete study questions"
  on public.brand_lift_questions for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('studies.write')));

create policy "Members can read their organization's study answer options"
  on public.brand_lift_options for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Study managers can add study answer options"
  on public.brand_lift_options for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('studies.write')));
create policy "Study managers can edit study answer options"
  on public.brand_lift_options for update to authenticated
  using (org_id in (select private.org_ids_with_permission('studies.write')))
  with check (org_id in (select private.org_ids_with_permission('studies.write')));
create policy "Study managers can delete study answer options"
  on public.brand_lift_options for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('studies.write')));

create policy "Members can read their organization's holdout assignments"
  on public.brand_lift_assignments for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Study managers can read their organization's survey links"
  on public.brand_lift_respondents for select to authenticated
  using (org_id in (select private.org_ids_with_permission('studies.write')));
create policy "Members can read their organization's survey responses"
  on public.brand_lift_responses for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Members can read their organization's survey answers"
  on public.brand_lift_answers for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Members can read their organization's brand lift question totals"
  on public.brand_lift_question_totals for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Members can read their organization's brand lift answer totals"
  on public.brand_lift_option_totals for select to authenticated
  using (org_id in (select private.user_org_ids()));

-- Section: grants

revoke all on public.brand_lift_studies, public.brand_lift_comments, public.brand_lift_questions,
  public.brand_lift_options, public.brand_lift_assignments, public.brand_lift_respondents,
  public.brand_lift_responses, public.brand_lift_answers, public.brand_lift_question_totals,
  public.brand_lift_option_totals from anon, authenticated;
grant select, insert, delete on public.brand_lift_studies to authenticated;
grant update (name, status, holdout_percent, baseline_percent, target_lift_points, planned_sample)
  on public.brand_lift_studies to authenticated;
grant select, insert on public.brand_lift_comments to authenticated;
grant select, insert, update, delete on public.brand_lift_questions, public.brand_lift_options to authenticated;
-- Written only by the functions above (assignment at launch, the survey).
grant select on public.brand_lift_assignments, public.brand_lift_respondents, public.brand_lift_responses,
  public.brand_lift_answers, public.brand_lift_question_totals, public.brand_lift_option_totals to authenticated;
revoke all on private.survey_rate_limits from public;

revoke all on function private.study_refuse(text, text, text, text, text) from public;
revoke all on function private.study_sample_size(numeric, numeric) from public;
revoke all on function private.message_targets_all(uuid) from public;
revoke all on function private.study_assign(uuid) from public;
revoke all on function private.study_guard() from public;
revoke all on function private.study_after_update() from public;
revoke all on function private.study_design_guard() from public;
revoke all on function private.study_comment_guard() from public;
revoke all on function survey.open(text) from public;
revoke all on function survey.submit(text, jsonb) from public;
revoke all on function survey.count_attempt(text) from public;
revoke all on function survey.answer(text, jsonb, text) from public;
grant execute on function survey.open(text) to anon, authenticated;
grant execute on function survey.submit(text, jsonb) to anon, authenticated;
grant execute on function survey.count_attempt(text) to anon, authenticated;
grant execute on function survey.answer(text, jsonb, text) to anon, authenticated;
