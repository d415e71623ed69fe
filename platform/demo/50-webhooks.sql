-- Demo workspace, part 5: webhooks. Northwind posts new contacts and tags to
-- its warehouse system (delivered, a few failed while it was down) and had a
-- subscription to segment changes it has since switched off; an incoming
-- webhook from its shop created the "shopify" contacts. Deliveries are written
-- finished, as the worker leaves them, for real events; no delivery is left
-- pending, so nothing is posted when the worker starts.

select pg_temp.demo_act_as('d0d0d0d0-0000-4000-8000-000000000001');

-- Section: outgoing
insert into public.webhook_subscriptions (id, org_id, url, description, event_types, secret, enabled, created_by,
  created_at, updated_at)
values
  (pg_temp.demo_id('webhook:warehouse'), pg_temp.demo_id('org:northwind'),
   'https://warehouse.northwind-outfitters.example/hooks/growthdesk', 'Warehouse system: new customers and tags',
   array['contact.created', 'tag.added'], md5('growthdesk-demo:webhook:warehouse:1') || md5('growthdesk-demo:webhook:warehouse:2'),
   true, 'd0d0d0d0-0000-4000-8000-000000000001', pg_temp.demo_now() - interval '21 days', pg_temp.demo_now() - interval '21 days'),
  (pg_temp.demo_id('webhook:analytics'), pg_temp.demo_id('org:northwind'),
   'https://collect.trailmetrics.example/v1/growthdesk', 'Analytics trial (ended)', array['segment.entered'],
   md5('growthdesk-demo:webhook:analytics:1') || md5('growthdesk-demo:webhook:analytics:2'),
   false, pg_temp.demo_id('user:maya'), pg_temp.demo_now() - interval '34 days', pg_temp.demo_now() - interval '27 days');

insert into public.webhook_deliveries (org_id, subscription_id, event_id, event_type, status, attempts,
  response_status, response_body, latency_ms, error, attempt_log, created_at, delivered_at, updated_at)
select d.org_id, d.subscription_id, d.event_id, d.event_type, d.status::public.webhook_delivery_status, d.attempts,
       d.response_status, d.response_body, d.latency_ms, d.error,
       (select jsonb_agg(jsonb_build_object(
                 'at', pg_temp.demo_iso(d.occurred_at + make_interval(secs => 2 ^ n - 1)),
                 'status', case when n = d.attempts and d.status = 'succeeded' then 200 else 503 end,
                 'latency_ms', d.latency_ms,
                 'error', case when n = d.attempts and d.status = 'succeeded' then null else 'HTTP 503' end) order by n)
          from generate_series(1, d.attempts) n),
       d.occurred_at, case when d.status = 'succeeded' then d.occurred_at + make_interval(secs => 2 ^ d.attempts - 1) end,
       d.occurred_at + make_interval(secs => 2 ^ d.attempts - 1)
  from (
    select e.org_id, s.id as subscription_id, e.id as event_id, e.type as event_type, e.occurred_at,
           case when o.outage then 'failed' else 'succeeded' end as status,
           case when o.outage then 10 when pg_temp.demo_rand('webhook-retry:' || e.id) < 0.06 then 2 else 1 end as attempts,
           case when o.outage then 503 else 200 end as response_status,
           case when o.outage then 'Service Unavailable' else '{"ok":true}' end as response_body,
           40 + floor(pg_temp.demo_rand('webhook-latency:' || e.id) * 260)::integer as latency_ms,
           case when o.outage then 'HTTP 503' end as error
      from public.webhook_subscriptions s
      join public.events e on e.org_id = s.org_id and e.type = any (s.event_types)
       and e.occurred_at >= s.created_at and e.occurred_at < coalesce(
         case when s.enabled then null else s.updated_at end, pg_temp.demo_now())
      -- The warehouse was down for an afternoon nine days ago.
     cross join lateral (select e.occurred_at between pg_temp.demo_now() - interval '9 days 6 hours'
                                              and pg_temp.demo_now() - interval '9 days 2 hours' as outage) o
     where s.org_id = pg_temp.demo_id('org:northwind')
  ) d
 order by d.occurred_at, d.event_id, d.subscription_id;

-- Section: incoming
insert into public.inbound_webhooks (id, org_id, name, source, secret, enabled, last_received_at, created_by,
  created_at, updated_at)
values (pg_temp.demo_id('inbound:shopify'), pg_temp.demo_id('org:northwind'), 'Shopify customers', 'shopify',
  md5('growthdesk-demo:inbound:shopify:1') || md5('growthdesk-demo:inbound:shopify:2'), true,
  (select max(c.created_at) from public.contacts c where c.org_id = pg_temp.demo_id('org:northwind') and c.source = 'shopify'),
  'd0d0d0d0-0000-4000-8000-000000000001', pg_temp.demo_now() - interval '92 days', pg_temp.demo_now() - interval '92 days');

insert into public.inbound_webhook_requests (org_id, endpoint_id, received_at, status_code, error, contact_id, event_id)
select x.org_id, pg_temp.demo_id('inbound:shopify'), x.received_at, x.status_code, x.error, x.contact_id, x.event_id
  from (
    select c.org_id, c.created_at as received_at, 200 as status_code, null as error, c.id as contact_id,
           (select e.id from public.events e
             where e.org_id = c.org_id and e.subject_type = 'contact' and e.subject_id = c.id
               and e.type = 'contact.created') as event_id
      from public.contacts c
     where c.org_id = pg_temp.demo_id('org:northwind') and c.source = 'shopify'
    union all
    select pg_temp.demo_id('org:northwind'), pg_temp.demo_now() - make_interval(days => n * 11, hours => n), 401,
           'The signature does not match the endpoint''s secret.', null, null
      from generate_series(1, 3) n
  ) x
 order by x.received_at, x.contact_id;
