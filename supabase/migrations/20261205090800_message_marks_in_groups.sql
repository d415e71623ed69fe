-- Feature: sending throughput at 100,000 recipients (issue 15, benchmark).
-- Two costs of the sender grew with the campaign or with each message:
--   * every accepted email was marked by its own transaction: one update of
--     the campaign's message_sends row (which every mark of the campaign waits
--     on until the one before commits), one events insert whose statement
--     triggers (report rollups, automations, webhooks, segments) ran once per
--     message, one commit. A worker now marks the messages its send slots had
--     accepted meanwhile in one call (private.message_mark_sent_many): the
--     same rows, events and counts, one statement's triggers and one commit
--     per group. Each slot still waits for its own mark's commit before it
--     sends again, so a killed worker repeats at most as many messages as it
--     has send slots, as before.
--   * the claim's plan: a queue's statistics always lag (rows leave the queue
--     in the order they sit in the table), so the planner read queued rows by
--     a sequential scan that walked every row already sent, and checked for a
--     finished campaign on each claim by scanning the queue. The claim now
--     reads the queue's partial indexes only, and looks for queued or claimed
--     rows of a campaign only once its counts say everything was sent.

-- Section: functions

-- Marks a group of claimed messages sent after the provider accepted them:
-- each one sent, counted on its campaign, with its message.sent event, in one
-- transaction. Rows no longer claimed (a lease that ran out and was claimed
-- again) are left, as message_mark_sent does. Returns how many were marked.
create function private.message_mark_sent_many(p_ids uuid[])
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id uuid;
  v record;
  v_ids uuid[] := '{}';
  v_orgs uuid[] := '{}';
  v_campaigns uuid[] := '{}';
  v_contacts uuid[] := '{}';
  v_counts jsonb;
  v_total integer := 0;
begin
  -- Row by row on the primary key: a set-based update (id = any(...)) was
  -- planned on the partial index of claimed rows, which keeps an entry for
  -- every row claimed since the last vacuum and grows with the campaign.
  foreach v_id in array p_ids loop
    update public.message_recipients r set status = 'sent', sent_at = clock_timestamp(), claimed_until = null
     where r.id = v_id and r.status = 'claimed'
    returning r.org_id, r.campaign_id, r.contact_id into v;
    if found then
      v_ids := v_ids || v_id;
      v_orgs := v_orgs || v.org_id;
      v_campaigns := v_campaigns || v.campaign_id;
      v_contacts := v_contacts || v.contact_id;
    end if;
  end loop;
  if cardinality(v_ids) = 0 then
    return 0;
  end if;

  -- One insert: the events' statement triggers run once for the group.
  insert into public.events (org_id, type, subject_type, subject_id, actor_id, payload)
  select m.org_id, 'message.sent', 'contact', m.contact_id, (select auth.uid()),
         jsonb_build_object('campaign_id', m.campaign_id, 'recipient_id', m.id, 'contact_id', m.contact_id,
                            'channel', 'email')
    from unnest(v_ids, v_orgs, v_campaigns, v_contacts) as m (id, org_id, campaign_id, contact_id);

  select coalesce(jsonb_object_agg(x.campaign_id, x.n), '{}') into v_counts
    from (select c.campaign_id, count(*) as n from unnest(v_campaigns) as c (campaign_id) group by c.campaign_id) x;

  -- The counts last, in campaign order: the campaign row is held only for
  -- the rest of this transaction, and two workers lock campaigns alike.
  for v in select key::uuid as campaign_id, value::integer as n from jsonb_each_text(v_counts) order by 1 loop
    update public.message_sends s set sent = s.sent + v.n where s.campaign_id = v.campaign_id;
    v_total := v_total + v.n;
  end loop;
  return v_total;
end;
$$;
comment on function private.message_mark_sent_many(uuid[]) is
  'Worker: marks a group of claimed messages sent after the provider accepted them (events and counts in one transaction).';

-- The claim (see 20261205003200_message_sending.sql), same answers, with its
-- reads on the queue's partial indexes whatever the statistics say, and the
-- finished check gated by the campaign's counts (kept exactly by the mark
-- functions): the queue is scanned for leftovers only once the counts add up.
create or replace function private.message_claim(p_worker text, p_limit integer, p_lease_seconds integer)
returns jsonb
language plpgsql
security definer
set search_path = ''
-- A queue's statistics lag behind it: a sequential scan "stopping at the
-- first 200 queued rows" walks every row sent before them.
set enable_seqscan = off
set enable_bitmapscan = off
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
     and s.sent + s.failed + s.suppressed = s.recipients
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

revoke all on function private.message_mark_sent_many(uuid[]) from public;
grant execute on function private.message_mark_sent_many(uuid[]) to service_role;
