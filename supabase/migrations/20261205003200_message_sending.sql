-- Feature: sending message campaigns (issue 15, parts 2 and 3). An email
-- campaign's message (template document, subject, sender name, reply-to) and
-- its sending state live in message_sends, one row per campaign. When sending
-- starts, the campaign's audiences are frozen into message_recipients, one row
-- per (campaign, contact): the people who will get the message, and those who
-- will not (unsubscribed, bounced, erased, without consent, a second contact
-- with an address already on the list), marked suppressed with the reason.
--
-- How a message is sent exactly once (src/worker/sending/):
--   * a worker claims a batch of queued recipients (for update skip locked)
--     with a lease (claimed_until) before it calls the provider, and marks each
--     one sent right after the provider accepted it. A killed worker's claims
--     expire and are claimed again; nothing queued is ever skipped.
--   * the recipient row's id is the message's id: its Message-ID header is
--     derived from it before the first attempt, so a message sent again after
--     a crash between the provider's accept and the mark is the same message
--     (receivers and providers that de-duplicate on Message-ID drop it). That
--     window (one round trip) is the residual risk; see the README.
--   * temporary refusals (SMTP 421/450, HTTP 429) put the row back in the
--     queue with a later not_before; they are never counted as sent.
--   * the campaign is finished only when recipients = sent + failed + suppressed.
--   * one token bucket per organization (private.message_throttles) limits
--     messages per second across every worker: a claim takes its tokens.
-- Events (contact subject, for automations and timelines): message.sent,
-- message.failed, message.suppressed with {campaign_id, recipient_id,
-- contact_id, channel} and reason.

-- Section: types

create type public.message_send_status as enum ('draft', 'scheduled', 'sending', 'paused', 'finished', 'cancelled');
create type public.message_recipient_status as enum ('queued', 'claimed', 'sent', 'failed', 'suppressed');

-- Section: tables

-- The message of an email campaign and where its sending stands. The counts
-- are kept by the functions that change recipients, so progress is one row.
create table public.message_sends (
  campaign_id uuid primary key,
  org_id uuid not null,
  -- The template it was made from (message templates, issue 15 part 1) and
  -- the document itself: a copy, so editing the template later does not
  -- change a campaign that was sent or is sending.
  template_id uuid,
  content jsonb constraint message_sends_content_object check (content is null or jsonb_typeof(content) = 'object'),
  subject text not null default '' check (char_length(subject) <= 200),
  preheader text not null default '' check (char_length(preheader) <= 200),
  from_name text not null default '' check (char_length(from_name) <= 100),
  reply_to extensions.citext check (reply_to is null or (char_length(reply_to) <= 254
    and reply_to::text ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$')),
  status public.message_send_status not null default 'draft',
  send_at timestamptz,
  time_zone text not null default 'UTC' check (char_length(time_zone) between 1 and 64),
  started_at timestamptz,
  finished_at timestamptz,
  -- Why a scheduled send did not start when its time came (shown on the campaign).
  problem text check (char_length(problem) <= 500),
  recipients integer not null default 0 check (recipients >= 0),
  sent integer not null default 0 check (sent >= 0),
  failed integer not null default 0 check (failed >= 0),
  suppressed integer not null default 0 check (suppressed >= 0),
  -- Suppressed recipients by reason ({"unsubscribed": 3, "duplicate_address": 1}).
  suppressed_by_reason jsonb not null default '{}'::jsonb,
  updated_by uuid default auth.uid() references auth.users (id) on delete set null,
  updated_at timestamptz not null default now(),
  constraint message_sends_counts_check check (sent + failed + suppressed <= recipients),
  constraint message_sends_finished_check check (status <> 'finished' or sent + failed + suppressed = recipients),
  constraint message_sends_org_id_campaign_id_key unique (org_id, campaign_id),
  foreign key (org_id, campaign_id) references public.campaigns (org_id, id) on delete cascade
);
create index message_sends_org_id_idx on public.message_sends (org_id, status);
create index message_sends_sending_idx on public.message_sends (started_at) where status = 'sending';
create index message_sends_updated_by_idx on public.message_sends (updated_by);
comment on table public.message_sends is
  'The message of an email campaign (template copy, subject, sender, reply-to) and its sending state and counts.';

-- One row per (campaign, contact), frozen when sending starts. The row's id
-- is the message's id (Message-ID header, tracking tokens, events).
create table public.message_recipients (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  campaign_id uuid not null,
  contact_id uuid not null,
  -- The address at freeze time (cleared when the contact is erased).
  address extensions.citext,
  status public.message_recipient_status not null default 'queued',
  -- Why it was suppressed or failed ('unsubscribed', 'duplicate_address', an SMTP reply…).
  reason text check (char_length(reason) <= 500),
  attempts smallint not null default 0 check (attempts >= 0),
  -- A queued row is not claimed before this (backoff after a temporary refusal).
  not_before timestamptz,
  claimed_by text check (char_length(claimed_by) <= 200),
  claimed_until timestamptz,
  sent_at timestamptz,
  -- A/B subject variant (0 = the campaign's subject).
  variant smallint not null default 0 check (variant between 0 and 3),
  constraint message_recipients_campaign_contact_key unique (campaign_id, contact_id),
  foreign key (org_id, campaign_id) references public.message_sends (org_id, campaign_id) on delete cascade,
  foreign key (org_id, contact_id) references public.contacts (org_id, id) on delete cascade
);
-- Claims: queued rows of a campaign, and claims whose lease ran out.
create index message_recipients_queued_idx on public.message_recipients (campaign_id, not_before) where status = 'queued';
create index message_recipients_claimed_idx on public.message_recipients (campaign_id, claimed_until) where status = 'claimed';
create index message_recipients_campaign_status_idx on public.message_recipients (org_id, campaign_id, status);
create index message_recipients_contact_idx on public.message_recipients (org_id, contact_id);
comment on table public.message_recipients is
  'Recipients of a message campaign, one per contact, frozen at the start of sending: queued → claimed → sent / failed, or suppressed.';

-- The token bucket of each organization: messages per second shared by all
-- workers. Not exposed: only the claim function reads and writes it.
create table private.message_throttles (
  org_id uuid primary key references public.organizations (id) on delete cascade,
  rate_per_second numeric not null default 100 check (rate_per_second > 0 and rate_per_second <= 100000),
  tokens numeric not null default 0,
  refilled_at timestamptz not null default clock_timestamp()
);
comment on table private.message_throttles is
  'Per-organization token bucket (messages per second) that every sending worker takes from.';

-- Section: functions

-- Raises a check violation on a message_sends column with a stable hint.
create function private.message_send_refuse(p_column text, p_message text, p_hint text)
returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception '%', p_message
    using errcode = '23514', column = p_column, table = 'message_sends',
          constraint = 'message_sends_' || p_column || '_check', hint = p_hint;
end;
$$;
comment on function private.message_send_refuse(text, text, text) is 'Raises a check violation naming the message_sends column at fault.';

-- Who a campaign's audiences reach right now, and for each contact why they
-- would not get the message (null: they will). Audiences are included
-- segments (everyone when an audience includes none) minus excluded ones,
-- united over the campaign's audiences. A contact whose address another
-- contact already has is a duplicate (the oldest contact keeps it).
create function private.message_targets(p_campaign_id uuid)
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
comment on function private.message_targets(uuid) is
  'Contacts a campaign''s audiences reach, each with the reason they are suppressed (null: they get the message).';

-- Freezes the recipients of a campaign that starts sending, with suppressed
-- rows counted by reason and a message.suppressed event each (set-based).
-- Refuses an audience that reaches nobody.
create function private.message_freeze(p_org_id uuid, p_campaign_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_total integer;
  v_suppressed integer;
  v_reasons jsonb;
begin
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
  'Freezes a campaign''s recipients when it starts sending: suppressed ones counted by reason, with events; refuses an empty audience.';

-- Trigger (row, before insert or update of message_sends): the sending state
-- machine, what may change in each state, and what sending needs.
create function private.message_sends_guard()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_campaign record;
begin
  select c.kind, c.status, c.brand_id, c.org_id into v_campaign from public.campaigns c where c.id = new.campaign_id;
  if v_campaign.kind is distinct from 'email' then
    perform private.message_send_refuse('campaign_id', 'Only email campaigns send messages here.', 'message_kind');
  end if;
  if tg_op = 'INSERT' then
    if new.status <> 'draft' then
      perform private.message_send_refuse('status', 'A message starts as a draft.', 'message_transition_refused');
    end if;
    new.recipients := 0; new.sent := 0; new.failed := 0; new.suppressed := 0;
    new.started_at := null; new.finished_at := null;
    return new;
  end if;

  if new.status is distinct from old.status then
    if not ((old.status, new.status) in (
        ('draft', 'scheduled'), ('draft', 'sending'), ('scheduled', 'draft'), ('scheduled', 'sending'),
        ('scheduled', 'cancelled'), ('draft', 'cancelled'), ('sending', 'paused'), ('sending', 'finished'),
        ('sending', 'cancelled'), ('paused', 'sending'), ('paused', 'cancelled'))) then
      perform private.message_send_refuse('status',
        case old.status
          when 'finished' then 'This campaign has been sent; it cannot be sent again.'
          when 'cancelled' then 'This campaign was cancelled; it cannot be sent.'
          else format('A %s campaign cannot become %s.', old.status, new.status) end,
        'message_transition_refused');
    end if;
    if new.status = 'scheduled' and (new.send_at is null or new.send_at <= now()) then
      perform private.message_send_refuse('send_at',
        'That time has already passed: choose a time in the future, or send now.', 'message_send_at_past');
    end if;
    if new.status in ('scheduled', 'sending') and old.status in ('draft', 'scheduled') then
      if v_campaign.status in ('completed', 'cancelled') then
        perform private.message_send_refuse('status', format('The campaign is %s.', v_campaign.status), 'message_campaign_closed');
      end if;
      if new.content is null then
        perform private.message_send_refuse('content', 'Choose a template for the message before sending.', 'message_no_content');
      end if;
      if btrim(new.subject) = '' then
        perform private.message_send_refuse('subject', 'Add a subject line before sending.', 'message_no_subject');
      end if;
      if not exists (select 1 from public.campaign_audiences a where a.campaign_id = new.campaign_id) then
        perform private.message_send_refuse('campaign_id',
          'Choose who receives this campaign (the Audience step) before sending.', 'message_no_audience');
      end if;
      if not exists (select 1 from public.brands b where b.id = v_campaign.brand_id
                      and coalesce(btrim(b.address), '') <> '' and coalesce(btrim(b.city), '') <> ''
                      and coalesce(btrim(b.country), '') <> '') then
        perform private.message_send_refuse('campaign_id',
          'Add the brand''s postal address (street, city, country) before sending: marketing email must show it.',
          'message_no_postal_address');
      end if;
    end if;
    if new.status = 'scheduled' and old.status = 'draft'
       and not exists (select 1 from private.message_targets(new.campaign_id) t where t.reason is null) then
      perform private.message_send_refuse('status', 'Nobody to send to: the campaign''s audience has no one who can receive email.',
        'message_audience_empty');
    end if;
    if new.status in ('scheduled', 'sending') and old.status = 'draft' then
      new.problem := null;
    end if;
    if new.status = 'sending' and old.status in ('draft', 'scheduled') then
      new.started_at := clock_timestamp();
      if old.status = 'draft' then new.send_at := new.started_at; end if;
    end if;
    if new.status = 'finished' then
      new.finished_at := clock_timestamp();
    end if;
  elsif old.status in ('sending', 'paused', 'finished', 'cancelled')
        and (new.content, new.template_id, new.subject, new.preheader, new.from_name, new.reply_to,
             new.send_at, new.time_zone)
            is distinct from (old.content, old.template_id, old.subject, old.preheader, old.from_name, old.reply_to,
                              old.send_at, old.time_zone) then
    perform private.message_send_refuse('status',
      case old.status
        when 'sending' then 'This campaign is sending: its message can no longer be edited. Cancel it to stop sending.'
        when 'paused' then 'This campaign has started sending: its message can no longer be edited, only resumed or cancelled.'
        when 'finished' then 'This campaign has been sent: its message can no longer be edited.'
        else 'This campaign was cancelled: its message can no longer be edited.' end,
      'message_locked');
  end if;
  new.updated_at := now();
  return new;
end;
$$;
comment on function private.message_sends_guard() is 'Trigger: the sending state machine, what sending needs, and no edits once sending started.';

-- Trigger (row, after update of message_sends): freezes recipients when
-- sending starts, wakes the workers, schedules the start of a scheduled one.
create function private.message_sends_after_update()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.status is distinct from old.status then
    if new.status = 'sending' and old.status in ('draft', 'scheduled') then
      perform private.message_freeze(new.org_id, new.campaign_id);
    end if;
    if new.status = 'scheduled' then
      perform private.enqueue_job('message_send_start', jsonb_build_object('campaign_id', new.campaign_id),
        'message_send_start:' || new.campaign_id, new.send_at, 25, null);
    end if;
    if new.status = 'sending' then
      perform pg_notify('message_send', new.campaign_id::text);
    end if;
  end if;
  return null;
end;
$$;
comment on function private.message_sends_after_update() is
  'Trigger: freezes recipients when sending starts, wakes workers, schedules a scheduled start.';

-- The worker starts a scheduled campaign when its time comes (job
-- message_send_start). A campaign unscheduled or cancelled meanwhile is left.
create function private.message_send_start_due(p_campaign_id uuid)
returns public.message_send_status
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_status public.message_send_status;
begin
  begin
    update public.message_sends s set status = 'sending', problem = null
     where s.campaign_id = p_campaign_id and s.status = 'scheduled' and s.send_at <= now()
    returning s.status into v_status;
  exception when check_violation then
    -- What changed since it was scheduled (an audience now empty, a brand
    -- without its address): back to draft with the reason, not retried.
    update public.message_sends s set status = 'draft', problem = left(sqlerrm, 500)
     where s.campaign_id = p_campaign_id and s.status = 'scheduled'
    returning s.status into v_status;
  end;
  if v_status is null then
    select s.status into v_status from public.message_sends s where s.campaign_id = p_campaign_id;
  end if;
  return v_status;
end;
$$;
comment on function private.message_send_start_due(uuid) is 'Worker: starts a scheduled campaign whose time has come.';

-- A worker's claim: takes tokens from the organization's bucket and claims up
-- to that many recipients of one sending campaign (queued, or claimed by a
-- worker whose lease ran out), for p_lease_seconds. Returns
-- {"campaign_id", "org_id", "recipients": [{id, contact_id, address, attempts}]}
-- or {"wait_ms": n} when the bucket is empty, or {} when nothing is sendable.
-- Finishes campaigns that have nothing left. Claims happen before the
-- provider is called; see the file header.
create function private.message_claim(p_worker text, p_limit integer, p_lease_seconds integer)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_send record;
  v_bucket record;
  v_now timestamptz := clock_timestamp();
  v_take integer;
  v_rows jsonb;
  v_count integer;
  v_ids uuid[];
begin
  -- Campaigns with nothing queued or claimed are done (the counts agree: the
  -- check constraint message_sends_finished_check refuses otherwise).
  update public.message_sends s set status = 'finished'
   where s.status = 'sending'
     and not exists (select 1 from public.message_recipients r where r.campaign_id = s.campaign_id and r.status = 'queued')
     and not exists (select 1 from public.message_recipients r where r.campaign_id = s.campaign_id and r.status = 'claimed');

  select s.campaign_id, s.org_id into v_send
    from public.message_sends s
   where s.status = 'sending'
     and (exists (select 1 from public.message_recipients r
                   where r.campaign_id = s.campaign_id and r.status = 'queued'
                     and (r.not_before is null or r.not_before <= v_now))
          or exists (select 1 from public.message_recipients r
                      where r.campaign_id = s.campaign_id and r.status = 'claimed' and r.claimed_until < v_now))
   order by s.started_at
   limit 1;
  if v_send.campaign_id is null then
    return '{}'::jsonb;
  end if;

  insert into private.message_throttles (org_id, tokens, refilled_at) values (v_send.org_id, 0, v_now)
  on conflict (org_id) do nothing;
  -- The bucket holds at most a fifth of a second's messages (at least one):
  -- over any window the rate stays within the limit plus that burst.
  update private.message_throttles t
     set tokens = least(greatest(1, ceil(t.rate_per_second / 5)),
                        t.tokens + t.rate_per_second * extract(epoch from v_now - t.refilled_at)),
         refilled_at = v_now
   where t.org_id = v_send.org_id
  returning t.tokens, t.rate_per_second into v_bucket;
  v_take := least(p_limit, floor(v_bucket.tokens)::integer);
  if v_take < 1 then
    return jsonb_build_object('wait_ms', ceil((1 - v_bucket.tokens) / v_bucket.rate_per_second * 1000)::integer);
  end if;

  -- Claims whose worker died first (their lease ran out), then the queue.
  select coalesce(array_agg(x.id), '{}') into v_ids
    from (select r.id from public.message_recipients r
           where r.campaign_id = v_send.campaign_id and r.status = 'claimed' and r.claimed_until < v_now
           limit v_take for update skip locked) x;
  if cardinality(v_ids) < v_take then
    select v_ids || coalesce(array_agg(x.id), '{}') into v_ids
      from (select r.id from public.message_recipients r
             where r.campaign_id = v_send.campaign_id and r.status = 'queued'
               and (r.not_before is null or r.not_before <= v_now)
             limit v_take - cardinality(v_ids) for update skip locked) x;
  end if;
  with claimed as (
    update public.message_recipients r
       set status = 'claimed', claimed_by = p_worker,
           claimed_until = v_now + make_interval(secs => p_lease_seconds), attempts = r.attempts + 1
     where r.id = any(v_ids)
    returning r.id, r.contact_id, r.address, r.attempts, r.variant
  )
  select coalesce(jsonb_agg(jsonb_build_object('id', c.id, 'contact_id', c.contact_id, 'address', c.address,
                                               'attempts', c.attempts, 'variant', c.variant)), '[]'), count(*)
    into v_rows, v_count
    from claimed c;

  update private.message_throttles t set tokens = t.tokens - v_count where t.org_id = v_send.org_id;
  return jsonb_build_object('campaign_id', v_send.campaign_id, 'org_id', v_send.org_id, 'recipients', v_rows);
end;
$$;
comment on function private.message_claim(text, integer, integer) is
  'Worker: claims a throttled batch of recipients of a sending campaign before the provider is called.';

-- The provider accepted a claimed message: sent, counted, message.sent. A row
-- no longer claimed (a paused campaign's claim is still honoured) is left.
create function private.message_mark_sent(p_id uuid)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v record;
begin
  update public.message_recipients r set status = 'sent', sent_at = clock_timestamp(), claimed_until = null
   where r.id = p_id and r.status = 'claimed'
  returning r.org_id, r.campaign_id, r.contact_id into v;
  if v.campaign_id is null then
    return false;
  end if;
  update public.message_sends s set sent = s.sent + 1 where s.campaign_id = v.campaign_id;
  perform private.record_event(v.org_id, 'message.sent', 'contact', v.contact_id,
    jsonb_build_object('campaign_id', v.campaign_id, 'recipient_id', p_id, 'contact_id', v.contact_id, 'channel', 'email'));
  return true;
end;
$$;
comment on function private.message_mark_sent(uuid) is 'Worker: marks a claimed message sent after the provider accepted it.';

-- The provider refused a claimed message for good (or temporary refusals ran
-- out): failed, counted, message.failed with the reason.
create function private.message_mark_failed(p_id uuid, p_reason text)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v record;
  v_reason text := left(coalesce(p_reason, 'refused'), 500);
begin
  update public.message_recipients r set status = 'failed', reason = v_reason, claimed_until = null
   where r.id = p_id and r.status = 'claimed'
  returning r.org_id, r.campaign_id, r.contact_id into v;
  if v.campaign_id is null then
    return false;
  end if;
  update public.message_sends s set failed = s.failed + 1 where s.campaign_id = v.campaign_id;
  perform private.record_event(v.org_id, 'message.failed', 'contact', v.contact_id,
    jsonb_build_object('campaign_id', v.campaign_id, 'recipient_id', p_id, 'contact_id', v.contact_id,
                       'channel', 'email', 'reason', v_reason));
  return true;
end;
$$;
comment on function private.message_mark_failed(uuid, text) is 'Worker: marks a claimed message failed for good, with the reason.';

-- A temporary refusal (SMTP 4xx, HTTP 429): back in the queue after a delay,
-- not counted as anything.
create function private.message_retry_later(p_id uuid, p_delay_ms integer, p_reason text)
returns boolean
language sql
security definer
set search_path = ''
as $$
  with r as (
    update public.message_recipients r
       set status = 'queued', claimed_by = null, claimed_until = null, reason = left(p_reason, 500),
           not_before = clock_timestamp() + make_interval(secs => greatest(p_delay_ms, 0) / 1000.0)
     where r.id = p_id and r.status = 'claimed'
    returning 1)
  select exists (select 1 from r);
$$;
comment on function private.message_retry_later(uuid, integer, text) is 'Worker: puts a temporarily refused message back in the queue after a delay.';

-- Trigger (row, after update of contacts): an erased contact's address leaves
-- the recipients of past campaigns too.
create function private.message_recipients_forget_erased()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.message_recipients r set address = null
   where r.org_id = new.org_id and r.contact_id = new.id and r.address is not null;
  return null;
end;
$$;
comment on function private.message_recipients_forget_erased() is 'Trigger: clears an erased contact''s address from campaign recipients.';

-- Trigger (row, campaign_audiences): a campaign's audience cannot change once
-- it started sending (the recipients are frozen; a change would mislead).
create function private.campaign_audiences_send_guard()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (select 1 from public.message_sends s
              where s.campaign_id = coalesce(new.campaign_id, old.campaign_id)
                and s.status in ('sending', 'paused', 'finished')) then
    raise exception 'This campaign has started sending: its audience can no longer change.'
      using errcode = '23514', table = 'campaign_audiences', column = 'audience_id', hint = 'message_locked';
  end if;
  return coalesce(new, old);
end;
$$;
comment on function private.campaign_audiences_send_guard() is 'Trigger: the audience of a campaign that started sending is frozen.';

revoke all on function private.message_send_refuse(text, text, text) from public;
revoke all on function private.message_targets(uuid) from public;
revoke all on function private.message_freeze(uuid, uuid) from public;
revoke all on function private.message_sends_guard() from public;
revoke all on function private.message_sends_after_update() from public;
revoke all on function private.message_send_start_due(uuid) from public;
revoke all on function private.message_claim(text, integer, integer) from public;
revoke all on function private.message_mark_sent(uuid) from public;
revoke all on function private.message_mark_failed(uuid, text) from public;
revoke all on function private.message_retry_later(uuid, integer, text) from public;
revoke all on function private.message_recipients_forget_erased() from public;
revoke all on function private.campaign_audiences_send_guard() from public;
grant execute on function private.message_send_refuse(text, text, text) to authenticated, service_role;
grant execute on function private.message_send_start_due(uuid) to service_role;
grant execute on function private.message_claim(text, integer, integer) to service_role;
grant execute on function private.message_mark_sent(uuid) to service_role;
grant execute on function private.message_mark_failed(uuid, text) to service_role;
grant execute on function private.message_retry_later(uuid, integer, text) to service_role;

-- Section: triggers

create trigger message_sends_guard before insert or update on public.message_sends
  for each row execute function private.message_sends_guard();
create trigger message_sends_after_update after update on public.message_sends
  for each row execute function private.message_sends_after_update();
create trigger message_recipients_forget_erased after update of erased_at on public.contacts
  for each row when (new.erased_at is not null and old.erased_at is null)
  execute function private.message_recipients_forget_erased();
create trigger campaign_audiences_send_guard before insert or update or delete on public.campaign_audiences
  for each row execute function private.campaign_audiences_send_guard();

-- Section: policies

alter table public.message_sends enable row level security;
alter table public.message_recipients enable row level security;

create policy "Members can read their organization's campaign messages"
  on public.message_sends for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Campaign editors can write a campaign's message"
  on public.message_sends for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));
create policy "Campaign editors can change, send, pause and cancel a campaign's message"
  on public.message_sends for update to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.write')))
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));

create policy "Members can read their organization's campaign recipients"
  on public.message_recipients for select to authenticated
  using (org_id in (select private.user_org_ids()));

-- Section: grants
-- Recipients are written only by the freeze and the workers' functions;
-- counts and timestamps only by the triggers.
revoke all on public.message_sends, public.message_recipients from anon, authenticated;
revoke all on private.message_throttles from public;
grant select on public.message_sends, public.message_recipients to authenticated;
grant insert (campaign_id, org_id, template_id, content, subject, preheader, from_name, reply_to)
  on public.message_sends to authenticated;
grant update (template_id, content, subject, preheader, from_name, reply_to, status, send_at, time_zone)
  on public.message_sends to authenticated;
