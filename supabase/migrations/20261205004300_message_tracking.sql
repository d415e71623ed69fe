-- Feature: tracking and reports of message campaigns (issue 15, parts 4 and 6).
-- Opens and clicks arrive at the app's public routes (/t/o/<token>,
-- /t/c/<token>) with a signed token naming the message (the
-- message_recipients row) and, for a click, the position of a link the
-- campaign registered here (message_links): the redirect goes only there,
-- never to a URL the request carries. Bounces and complaints arrive at a
-- signed webhook. Each is an event in the outbox (message.opened,
-- message.clicked, message.delivered, message.bounced, message.complained),
-- so automations can start on them and contact timelines show them.
--
-- Reports read rollups, never the events: a statement-level trigger on
-- public.events sums each statement's message.* events by campaign and hour
-- into rows keyed by its own transaction (`batch`), as the dashboard rollups
-- do, so writers never wait on a shared counter; the worker folds committed
-- deltas into `batch = 0` every minute. Unique opens and clicks are decided
-- once per message by private.message_engagements (first open, first click,
-- first click of each link): its primary key makes two concurrent first
-- opens count once.

-- Section: tables

-- The links of a campaign's message that may redirect, by position. The send
-- worker registers them (private.message_register_links) before the first
-- message goes out; a click token carries only the position.
create table public.message_links (
  org_id uuid not null,
  campaign_id uuid not null,
  position integer not null check (position between 0 and 65535),
  url text not null check (char_length(url) <= 2000 and url ~* '^https?://[^[:space:]]+$'),
  primary key (org_id, campaign_id, position),
  foreign key (org_id, campaign_id) references public.campaigns (org_id, id) on delete cascade
);
comment on table public.message_links is
  'Links of a campaign''s message that tracked clicks may redirect to, by position (the click token carries the position).';

-- First engagements per message: -1 first open, -2 first click (any link),
-- -3 bounce, -4 complaint, -5 delivery, n >= 0 first click of link n. Decides
-- unique counts and makes webhooks retried by providers count once.
create table private.message_engagements (
  recipient_id uuid not null,
  what integer not null check (what >= -5),
  campaign_id uuid not null references public.campaigns (id) on delete cascade,
  primary key (recipient_id, what)
);
create index message_engagements_campaign_idx on private.message_engagements (campaign_id);
comment on table private.message_engagements is
  'The first open, click, click per link, bounce, complaint and delivery of each message (unique counts, idempotent webhooks).';

-- Report rollup: a campaign's counts per hour (UTC). Sum over batches.
create table public.message_report_hours (
  org_id uuid not null,
  campaign_id uuid not null,
  hour timestamptz not null,
  -- 0: folded history; otherwise the transaction that wrote this delta.
  batch bigint not null default 0,
  sent bigint not null default 0,
  failed bigint not null default 0,
  suppressed bigint not null default 0,
  delivered bigint not null default 0,
  opens bigint not null default 0,
  unique_opens bigint not null default 0,
  clicks bigint not null default 0,
  unique_clicks bigint not null default 0,
  unsubscribes bigint not null default 0,
  bounces bigint not null default 0,
  complaints bigint not null default 0,
  primary key (org_id, campaign_id, hour, batch),
  foreign key (org_id, campaign_id) references public.campaigns (org_id, id) on delete cascade
);
comment on table public.message_report_hours is
  'Message report rollup: a campaign''s sends, deliveries, opens, clicks, unsubscribes, bounces and complaints per hour (sum over batches).';

-- Report rollup: clicks per link of a campaign. Sum over batches.
create table public.message_link_clicks (
  org_id uuid not null,
  campaign_id uuid not null,
  position integer not null,
  batch bigint not null default 0,
  clicks bigint not null default 0,
  unique_clicks bigint not null default 0,
  primary key (org_id, campaign_id, position, batch),
  foreign key (org_id, campaign_id) references public.campaigns (org_id, id) on delete cascade
);
comment on table public.message_link_clicks is
  'Message report rollup: total and unique clicks per link of a campaign (sum over batches).';

-- Section: functions

-- The public routes' functions live in their own schema (not exposed through
-- the Data API, like unsubscribe's): the app calls them for a token whose
-- signature it verified.
create schema if not exists tracking;
comment on schema tracking is 'Open and click tracking and provider webhooks: called by the app after verifying a signature.';
revoke all on schema tracking from public;
grant usage on schema tracking to anon, authenticated, service_role;

-- Worker: registers the links of a campaign's message before it sends. The
-- same list again is a no-op; a different URL at a registered position is
-- refused (tokens already sent name those positions).
create function private.message_register_links(p_campaign_id uuid, p_links text[])
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_org uuid;
begin
  select c.org_id into v_org from public.campaigns c where c.id = p_campaign_id;
  if v_org is null then
    raise exception 'No such campaign: %', p_campaign_id using errcode = 'P0002';
  end if;
  insert into public.message_links (org_id, campaign_id, position, url)
  select v_org, p_campaign_id, (l.n - 1)::integer, l.url
    from unnest(p_links) with ordinality as l (url, n)
  on conflict (org_id, campaign_id, position) do nothing;
  if exists (select 1 from unnest(p_links) with ordinality as l (url, n)
               join public.message_links m
                 on m.org_id = v_org and m.campaign_id = p_campaign_id and m.position = l.n - 1
              where m.url <> l.url) then
    raise exception 'The campaign''s links changed after its first message was sent.'
      using errcode = '23514', table = 'message_links', column = 'url', hint = 'message_links_changed';
  end if;
end;
$$;
comment on function private.message_register_links(uuid, text[]) is
  'Worker: registers the links tracked clicks of a campaign may redirect to (same list again: no-op).';

-- Records a message event for a message (recipient row), with its campaign,
-- contact and channel; `what`, when given, must be the message's first of its
-- kind (an engagement row), else nothing is recorded and false is returned.
create function private.message_record(
  p_recipient_id uuid, p_type text, p_what integer, p_extra jsonb default '{}'::jsonb)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v record;
begin
  select r.org_id, r.campaign_id, r.contact_id into v
    from public.message_recipients r where r.id = p_recipient_id and r.status = 'sent';
  if v.campaign_id is null then
    return false;
  end if;
  if p_what is not null then
    insert into private.message_engagements (recipient_id, what, campaign_id)
    values (p_recipient_id, p_what, v.campaign_id)
    on conflict do nothing;
    if not found then
      return false;
    end if;
  end if;
  perform private.record_event(v.org_id, p_type, 'contact', v.contact_id,
    jsonb_build_object('campaign_id', v.campaign_id, 'recipient_id', p_recipient_id,
                       'contact_id', v.contact_id, 'channel', 'email') || coalesce(p_extra, '{}'::jsonb));
  return true;
end;
$$;
comment on function private.message_record(uuid, text, integer, jsonb) is
  'Records a message.* event for a sent message (optionally only its first of a kind).';

-- The open pixel: a message.opened event for a sent message (every open; the
-- rollup counts the first as unique). False when the message is unknown.
create function tracking.open(p_recipient_id uuid)
returns boolean
language sql
security definer
set search_path = ''
as $$
  select private.message_record(p_recipient_id, 'message.opened', null);
$$;
comment on function tracking.open(uuid) is 'Open pixel: records message.opened for a message whose token the app verified.';

-- A click: the registered URL of the link at the position, and a
-- message.clicked event; null (nothing recorded) when the message or the
-- link is unknown, so the route answers 404 and redirects nowhere.
create function tracking.click(p_recipient_id uuid, p_position integer)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_url text;
begin
  select l.url into v_url
    from public.message_recipients r
    join public.message_links l on l.org_id = r.org_id and l.campaign_id = r.campaign_id and l.position = p_position
   where r.id = p_recipient_id and r.status = 'sent';
  if v_url is null then
    return null;
  end if;
  perform private.message_record(p_recipient_id, 'message.clicked', null,
    jsonb_build_object('url', v_url, 'link', p_position));
  return v_url;
end;
$$;
comment on function tracking.click(uuid, integer) is
  'Click redirect: the registered URL of a message''s link, recording message.clicked; null when unknown.';

-- The bounce and complaint webhook (signature verified by the app): the
-- contact's consent for the channel is withdrawn and recorded (so every later
-- send suppresses it at once), a hard bounce marks the contact bounced, and
-- message.bounced / message.complained is recorded. A provider's retry of the
-- same report changes nothing. 'delivered' records message.delivered.
-- Returns 'recorded', 'duplicate' or 'unknown' (no such sent message).
create function tracking.provider_report(p_recipient_id uuid, p_kind text, p_reason text)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v record;
  v_reason text := left(nullif(btrim(coalesce(p_reason, '')), ''), 500);
  v_what integer := case p_kind when 'bounce' then -3 when 'soft_bounce' then -3
                                when 'complaint' then -4 when 'delivered' then -5 end;
begin
  if v_what is null then
    raise exception 'Unknown report type: %', p_kind using errcode = '22023';
  end if;
  select r.org_id, r.campaign_id, r.contact_id into v
    from public.message_recipients r where r.id = p_recipient_id and r.status = 'sent';
  if v.campaign_id is null then
    return 'unknown';
  end if;
  if not private.message_record(p_recipient_id,
      case p_kind when 'delivered' then 'message.delivered'
                  when 'complaint' then 'message.complained' else 'message.bounced' end,
      v_what,
      case when p_kind = 'delivered' then '{}'::jsonb
           else jsonb_build_object('reason', coalesce(v_reason, p_kind)) end) then
    return 'duplicate';
  end if;
  -- A soft bounce (mailbox full, try later) is reported but keeps the contact.
  if p_kind in ('bounce', 'complaint') then
    insert into public.consent_records (org_id, contact_id, channel, status, source, recorded_by)
    select v.org_id, v.contact_id, 'email', 'withdrawn',
           case p_kind when 'bounce' then left('Email bounced: ' || coalesce(v_reason, 'address refused'), 200)
                       else 'Marked a campaign email as spam' end,
           null
      from public.contacts c
     where c.org_id = v.org_id and c.id = v.contact_id and c.erased_at is null;
  end if;
  if p_kind = 'bounce' then
    update public.contacts c set status = 'bounced'
     where c.org_id = v.org_id and c.id = v.contact_id and c.erased_at is null and c.status <> 'bounced';
  end if;
  return 'recorded';
end;
$$;
comment on function tracking.provider_report(uuid, text, text) is
  'Bounce/complaint/delivery webhook: records the event once, withdraws consent and marks a bounced contact.';

-- Trigger (statement, insert on events): adds the statement's message.*
-- events to the report rollups, by campaign and hour, in this transaction's
-- batch. Unique opens and clicks are the ones that create an engagement row.
-- Events naming a campaign or message that does not exist are skipped.
create function private.message_report_apply()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not exists (select 1 from new_rows e where e.type like 'message.%') then
    return null;
  end if;
  -- One statement: the engagement rows it creates (RETURNING) are what the
  -- two rollups count as unique; every CTE runs to completion.
  with ev as (
    select e.id, e.org_id, (e.payload->>'campaign_id')::uuid as campaign_id,
           (e.payload->>'recipient_id')::uuid as recipient_id, e.type,
           date_trunc('hour', e.occurred_at, 'UTC') as hour,
           case when e.payload->>'link' ~ '^[0-9]{1,5}$' then (e.payload->>'link')::integer end as link
      from new_rows e
     where e.type in ('message.sent', 'message.failed', 'message.suppressed', 'message.delivered',
                      'message.opened', 'message.clicked', 'message.unsubscribed', 'message.bounced',
                      'message.complained')
       and e.payload->>'campaign_id' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
       and e.payload->>'recipient_id' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
  ), known as (
    select ev.* from ev
     where exists (select 1 from public.campaigns c where c.id = ev.campaign_id and c.org_id = ev.org_id)
  ), firsts as (
    insert into private.message_engagements (recipient_id, what, campaign_id)
    select distinct k.recipient_id, w.what, k.campaign_id
      from known k
     cross join lateral (values (case when k.type = 'message.opened' then -1 else -2 end),
                                (case when k.type = 'message.clicked' then k.link end)) w (what)
     where k.type in ('message.opened', 'message.clicked') and w.what is not null
    on conflict do nothing
    returning recipient_id, what
  ), ranked as (
    select k.*,
           row_number() over (partition by k.recipient_id, k.type order by k.id) as nth,
           row_number() over (partition by k.recipient_id, k.type, k.link order by k.id) as nth_of_link
      from known k
  ), flagged as (
    select r.*,
           (r.nth = 1 and exists (select 1 from firsts f where f.recipient_id = r.recipient_id
                                   and f.what = case r.type when 'message.opened' then -1 else -2 end)) as first,
           (r.type = 'message.clicked' and r.nth_of_link = 1
             and exists (select 1 from firsts f where f.recipient_id = r.recipient_id and f.what = r.link)) as first_of_link
      from ranked r
  ), links as (
    insert into public.message_link_clicks as t (org_id, campaign_id, position, batch, clicks, unique_clicks)
    select f.org_id, f.campaign_id, f.link, txid_current(), count(*), count(*) filter (where f.first_of_link)
      from flagged f
     where f.type = 'message.clicked' and f.link is not null
     group by 1, 2, 3
    on conflict (org_id, campaign_id, position, batch) do update set
      clicks = t.clicks + excluded.clicks, unique_clicks = t.unique_clicks + excluded.unique_clicks
  )
  insert into public.message_report_hours as t (org_id, campaign_id, hour, batch, sent, failed,
    suppressed, delivered, opens, unique_opens, clicks, unique_clicks, unsubscribes, bounces, complaints)
  select f.org_id, f.campaign_id, f.hour, txid_current(),
         count(*) filter (where f.type = 'message.sent'),
         count(*) filter (where f.type = 'message.failed'),
         count(*) filter (where f.type = 'message.suppressed'),
         count(*) filter (where f.type = 'message.delivered'),
         count(*) filter (where f.type = 'message.opened'),
         count(*) filter (where f.type = 'message.opened' and f.first),
         count(*) filter (where f.type = 'message.clicked'),
         count(*) filter (where f.type = 'message.clicked' and f.first),
         count(*) filter (where f.type = 'message.unsubscribed'),
         count(*) filter (where f.type = 'message.bounced'),
         count(*) filter (where f.type = 'message.complained')
    from flagged f
   group by 1, 2, 3
  on conflict (org_id, campaign_id, hour, batch) do update set
    sent = t.sent + excluded.sent, failed = t.failed + excluded.failed,
    suppressed = t.suppressed + excluded.suppressed, delivered = t.delivered + excluded.delivered,
    opens = t.opens + excluded.opens, unique_opens = t.unique_opens + excluded.unique_opens,
    clicks = t.clicks + excluded.clicks, unique_clicks = t.unique_clicks + excluded.unique_clicks,
    unsubscribes = t.unsubscribes + excluded.unsubscribes, bounces = t.bounces + excluded.bounces,
    complaints = t.complaints + excluded.complaints;
  return null;
end;
$$;
comment on function private.message_report_apply() is 'Trigger: adds message.* events to the campaign report rollups, once per statement.';

-- Folds committed deltas into the `batch = 0` rows (the worker's
-- message_reports_fold cron task, every minute), as fold_dashboard_rollups
-- does. Returns the number of deltas folded.
create function private.fold_message_reports()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  folded bigint := 0;
  moved bigint;
begin
  with gone as (
    delete from public.message_report_hours where batch <> 0
    returning org_id, campaign_id, hour, sent, failed, suppressed, delivered, opens, unique_opens,
              clicks, unique_clicks, unsubscribes, bounces, complaints
  ), summed as (
    select org_id, campaign_id, hour, sum(sent) as sent, sum(failed) as failed, sum(suppressed) as suppressed,
           sum(delivered) as delivered, sum(opens) as opens, sum(unique_opens) as unique_opens,
           sum(clicks) as clicks, sum(unique_clicks) as unique_clicks, sum(unsubscribes) as unsubscribes,
           sum(bounces) as bounces, sum(complaints) as complaints, count(*) as rows
      from gone group by 1, 2, 3
  ), kept as (
    insert into public.message_report_hours as t (org_id, campaign_id, hour, batch, sent, failed,
      suppressed, delivered, opens, unique_opens, clicks, unique_clicks, unsubscribes, bounces, complaints)
    select org_id, campaign_id, hour, 0, sent, failed, suppressed, delivered, opens, unique_opens,
           clicks, unique_clicks, unsubscribes, bounces, complaints
      from summed
    on conflict (org_id, campaign_id, hour, batch) do update set
      sent = t.sent + excluded.sent, failed = t.failed + excluded.failed,
      suppressed = t.suppressed + excluded.suppressed, delivered = t.delivered + excluded.delivered,
      opens = t.opens + excluded.opens, unique_opens = t.unique_opens + excluded.unique_opens,
      clicks = t.clicks + excluded.clicks, unique_clicks = t.unique_clicks + excluded.unique_clicks,
      unsubscribes = t.unsubscribes + excluded.unsubscribes, bounces = t.bounces + excluded.bounces,
      complaints = t.complaints + excluded.complaints
  )
  select coalesce(sum(rows), 0) into moved from summed;
  folded := moved;
  with gone as (
    delete from public.message_link_clicks where batch <> 0
    returning org_id, campaign_id, position, clicks, unique_clicks
  ), summed as (
    select org_id, campaign_id, position, sum(clicks) as clicks, sum(unique_clicks) as unique_clicks,
           count(*) as rows
      from gone group by 1, 2, 3
  ), kept as (
    insert into public.message_link_clicks as t (org_id, campaign_id, position, batch, clicks, unique_clicks)
    select org_id, campaign_id, position, 0, clicks, unique_clicks from summed
    on conflict (org_id, campaign_id, position, batch) do update set
      clicks = t.clicks + excluded.clicks, unique_clicks = t.unique_clicks + excluded.unique_clicks
  )
  select coalesce(sum(rows), 0) into moved from summed;
  return folded + moved;
end;
$$;
comment on function private.fold_message_reports() is 'Folds committed message report deltas into one row per campaign and hour / link (worker cron).';

-- Recomputes one campaign's report rollups and unique engagements from its
-- events (a recount by scanning): for data written with triggers off, as bulk
-- seeds do. Locks the campaign's rollups against the trigger meanwhile.
create function private.rebuild_message_report(p_campaign_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_org uuid;
begin
  select c.org_id into v_org from public.campaigns c where c.id = p_campaign_id for update;
  if v_org is null then
    return;
  end if;
  delete from public.message_report_hours where org_id = v_org and campaign_id = p_campaign_id;
  delete from public.message_link_clicks where org_id = v_org and campaign_id = p_campaign_id;
  delete from private.message_engagements where campaign_id = p_campaign_id and what not in (-3, -4, -5);
  create temporary table message_rebuild on commit drop as
  select e.id, e.type, date_trunc('hour', e.occurred_at, 'UTC') as hour,
         (e.payload->>'recipient_id')::uuid as recipient_id,
         case when e.payload->>'link' ~ '^[0-9]{1,5}$' then (e.payload->>'link')::integer end as link,
         row_number() over (partition by e.payload->>'recipient_id', e.type order by e.id) = 1 as first,
         row_number() over (partition by e.payload->>'recipient_id', e.type, e.payload->>'link' order by e.id) = 1
           as first_of_link
    from public.events e
   where e.org_id = v_org and e.type like 'message.%' and e.payload->>'campaign_id' = p_campaign_id::text
     and e.payload->>'recipient_id' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
  insert into private.message_engagements (recipient_id, what, campaign_id)
  select recipient_id, case type when 'message.opened' then -1 else -2 end, p_campaign_id
    from pg_temp.message_rebuild where first and type in ('message.opened', 'message.clicked')
  union
  select recipient_id, link, p_campaign_id
    from pg_temp.message_rebuild where first_of_link and type = 'message.clicked' and link is not null
  on conflict do nothing;
  insert into public.message_report_hours (org_id, campaign_id, hour, batch, sent, failed, suppressed,
    delivered, opens, unique_opens, clicks, unique_clicks, unsubscribes, bounces, complaints)
  select v_org, p_campaign_id, hour, 0,
         count(*) filter (where type = 'message.sent'),
         count(*) filter (where type = 'message.failed'),
         count(*) filter (where type = 'message.suppressed'),
         count(*) filter (where type = 'message.delivered'),
         count(*) filter (where type = 'message.opened'),
         count(*) filter (where type = 'message.opened' and first),
         count(*) filter (where type = 'message.clicked'),
         count(*) filter (where type = 'message.clicked' and first),
         count(*) filter (where type = 'message.unsubscribed'),
         count(*) filter (where type = 'message.bounced'),
         count(*) filter (where type = 'message.complained')
    from pg_temp.message_rebuild group by hour;
  insert into public.message_link_clicks (org_id, campaign_id, position, batch, clicks, unique_clicks)
  select v_org, p_campaign_id, link, 0, count(*), count(*) filter (where first_of_link)
    from pg_temp.message_rebuild where type = 'message.clicked' and link is not null group by link;
  drop table pg_temp.message_rebuild;
end;
$$;
comment on function private.rebuild_message_report(uuid) is
  'Recomputes a campaign''s report rollups from its events (bulk seeds with triggers off; the benchmark''s baseline).';

revoke all on function private.message_register_links(uuid, text[]) from public;
revoke all on function private.message_record(uuid, text, integer, jsonb) from public;
revoke all on function tracking.open(uuid) from public;
revoke all on function tracking.click(uuid, integer) from public;
revoke all on function tracking.provider_report(uuid, text, text) from public;
revoke all on function private.message_report_apply() from public;
revoke all on function private.fold_message_reports() from public;
revoke all on function private.rebuild_message_report(uuid) from public;
grant execute on function private.message_register_links(uuid, text[]) to service_role;
grant execute on function tracking.open(uuid) to anon, authenticated, service_role;
grant execute on function tracking.click(uuid, integer) to anon, authenticated, service_role;
grant execute on function tracking.provider_report(uuid, text, text) to anon, authenticated, service_role;
grant execute on function private.fold_message_reports() to service_role;
grant execute on function private.rebuild_message_report(uuid) to service_role;

-- Section: triggers

create trigger events_message_report after insert on public.events
  referencing new table as new_rows
  for each statement execute function private.message_report_apply();

-- Section: reserved addresses
-- /t/… are the tracking routes: an organization at /t would lose its
-- two-segment pages to them, so "t" joins the reserved addresses (NOT VALID,
-- as for "u": an existing organization called "t" keeps its address).
alter table public.organizations
  drop constraint organizations_slug_reserved,
  add constraint organizations_slug_reserved check (slug not in (
    'account', 'admin', 'api', 'app', 'auth', 'forgot-password', 'functions', 'invitations',
    'login', 'logout', 'mailbox', 'new', 'onboarding', 'reset-password', 'settings', 'signup',
    'static', 'storage', 't', 'u')) not valid;

-- Section: policies

alter table public.message_links enable row level security;
alter table public.message_report_hours enable row level security;
alter table public.message_link_clicks enable row level security;

create policy "Members can read their organization's campaign links"
  on public.message_links for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Members can read their organization's campaign reports"
  on public.message_report_hours for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Members can read their organization's campaign link clicks"
  on public.message_link_clicks for select to authenticated
  using (org_id in (select private.user_org_ids()));

-- Section: grants
-- Written only by the functions above.
revoke all on public.message_links, public.message_report_hours, public.message_link_clicks from anon, authenticated;
revoke all on private.message_engagements from public;
grant select on public.message_links, public.message_report_hours, public.message_link_clicks to authenticated;
