-- Feature: sending throughput (issue 15, benchmark), continued. After the
-- marks went in groups (20261205090800_message_marks_in_groups.sql), the
-- report rollup's trigger was the largest part of a group mark: its one
-- statement ranks opens and clicks and creates engagement rows, and ran in
-- full for statements that hold neither (every group of message.sent).
-- Those now only add their counts, as the full statement would have.

-- Section: functions

-- Trigger (statement, insert on events): as 20261205004300_message_tracking.sql,
-- with a first path for statements without opens or clicks.
create or replace function private.message_report_apply()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not exists (select 1 from new_rows e where e.type like 'message.%') then
    return null;
  end if;
  -- Sends, failures, suppressions, deliveries, bounces… and no open or
  -- click (every statement of the sender's marks): no engagement row to
  -- create and nothing unique to rank, so the counts are all there is.
  if not exists (select 1 from new_rows e where e.type in ('message.opened', 'message.clicked')) then
    with ev as materialized (
      select e.org_id, (e.payload->>'campaign_id')::uuid as campaign_id, e.type,
             date_trunc('hour', e.occurred_at, 'UTC') as hour
        from new_rows e
       where e.type in ('message.sent', 'message.failed', 'message.suppressed', 'message.delivered',
                        'message.unsubscribed', 'message.bounced', 'message.complained')
         and e.payload->>'campaign_id' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
         and e.payload->>'recipient_id' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    )
    insert into public.message_report_hours as t (org_id, campaign_id, hour, batch, sent, failed,
      suppressed, delivered, unsubscribes, bounces, complaints)
    select ev.org_id, ev.campaign_id, ev.hour, txid_current(),
           count(*) filter (where ev.type = 'message.sent'),
           count(*) filter (where ev.type = 'message.failed'),
           count(*) filter (where ev.type = 'message.suppressed'),
           count(*) filter (where ev.type = 'message.delivered'),
           count(*) filter (where ev.type = 'message.unsubscribed'),
           count(*) filter (where ev.type = 'message.bounced'),
           count(*) filter (where ev.type = 'message.complained')
      from ev
     where exists (select 1 from public.campaigns c where c.id = ev.campaign_id and c.org_id = ev.org_id)
     group by 1, 2, 3
    on conflict (org_id, campaign_id, hour, batch) do update set
      sent = t.sent + excluded.sent, failed = t.failed + excluded.failed,
      suppressed = t.suppressed + excluded.suppressed, delivered = t.delivered + excluded.delivered,
      unsubscribes = t.unsubscribes + excluded.unsubscribes, bounces = t.bounces + excluded.bounces,
      complaints = t.complaints + excluded.complaints;
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
