-- A campaign report's rebuild keeps who already unsubscribed from a message.
--
-- private.rebuild_message_report recounts a campaign's rollups from its
-- events and recreates the per-message markers (first open, first click,
-- first click per link). The marker for a message's unsubscribe (-6, added
-- with message.unsubscribed) was deleted by the rebuild and not recreated, so
-- a second unsubscribe from the same message after a rebuild would have been
-- recorded and counted again. The rebuild now recreates it from the first
-- message.unsubscribed event of each message, like the others.

-- Section: functions
-- Recomputes one campaign's report rollups and unique engagements from its
-- events (a recount by scanning): for data written with triggers off, as bulk
-- seeds do. Locks the campaign's rollups against the trigger meanwhile.
create or replace function private.rebuild_message_report(p_campaign_id uuid)
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
  select recipient_id, case type when 'message.opened' then -1 when 'message.clicked' then -2 else -6 end,
         p_campaign_id
    from pg_temp.message_rebuild
   where first and type in ('message.opened', 'message.clicked', 'message.unsubscribed')
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
