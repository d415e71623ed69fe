-- Demo workspace: collaborations. On the ultra runners' ambassador team (a
-- running influencer campaign) four influencers of Northwind's CRM across
-- the status machine: one completed (jacket delivered, link clicked for
-- weeks, orders with her promo code and from her link), one accepted (the
-- summit and ridge photos already submitted are hers, shoes shipped with a
-- tracking number), one invitation waiting, one declined. Written through
-- the tables and their triggers, acting as Maya (events, audit); clicks and
-- orders are dated over the last weeks; tracking-link codes are fixed so the
-- data is the same every time. The influencers are the CRM's own demo
-- records when it has some (the first four by id), otherwise four are added.

select pg_temp.demo_act_as(pg_temp.demo_person('maya'));

-- Section: influencers
insert into public.influencers (id, org_id, name)
select pg_temp.demo_id('influencer:northwind:collab-' || n.key), pg_temp.demo_id('org:northwind'), n.name
  from (values ('lea', 'Léa Marchand'), ('kofi', 'Kofi Mensah'), ('sara', 'Sara Lindqvist'), ('tom', 'Tom Becker')) n (key, name)
 where (select count(*) from public.influencers i where i.org_id = pg_temp.demo_id('org:northwind')) < 4;

create temporary table demo_collabs on commit drop as
select i.id as influencer_id, x.*
  from (select i.id, row_number() over (order by i.id) as n
          from public.influencers i where i.org_id = pg_temp.demo_id('org:northwind')) i
  join (values
    (1, 'lea', 'completed', 1200.00, 'https://northwind.example/ultra?ref=lea', 'LEA15', 40),
    (2, 'kofi', 'accepted', 850.00, 'https://northwind.example/ultra?ref=kofi', 'KOFI10', 18),
    (3, 'sara', 'pending', 600.00, null, null, 4),
    (4, 'tom', 'rejected', 900.00, null, null, 12)
  ) x (n, key, target, rate, url, promo, days_ago) on x.n = i.n;

-- Section: collaborations and deliverables
insert into public.collaborations (id, org_id, campaign_id, influencer_id, rate_amount, rate_currency, link_code,
                                   link_url, promo_code, created_at)
select pg_temp.demo_id('collaboration:' || c.key), pg_temp.demo_id('org:northwind'), pg_temp.demo_id('campaign:ultra-team'),
       c.influencer_id, c.rate, 'USD', 'demo' || substr(md5('link:' || c.key), 1, 8), c.url, c.promo,
       pg_temp.demo_now() - make_interval(days => c.days_ago)
  from demo_collabs c;

insert into public.collaboration_deliverables (org_id, campaign_id, collaboration_id, requirement_id, count, created_at)
select pg_temp.demo_id('org:northwind'), pg_temp.demo_id('campaign:ultra-team'), pg_temp.demo_id('collaboration:' || c.key),
       pg_temp.demo_id('requirement:' || d.requirement), d.count, pg_temp.demo_now() - make_interval(days => c.days_ago)
  from demo_collabs c
  join (values ('lea', 'ultra-stories', 1), ('lea', 'ultra-review', 1), ('kofi', 'ultra-photos', 2),
               ('sara', 'ultra-photos', 1), ('tom', 'ultra-stories', 1)) d (key, requirement, count) on d.key = c.key;

-- Section: answers
update public.collaborations c set status = 'accepted'
  from demo_collabs d where c.id = pg_temp.demo_id('collaboration:' || d.key) and d.target in ('accepted', 'completed');
update public.collaborations c set status = 'rejected'
  from demo_collabs d where c.id = pg_temp.demo_id('collaboration:' || d.key) and d.target = 'rejected';

-- Kofi's content: the summit and ridge photos of 80-creatives.sql.
update public.creative_assets set collaboration_id = pg_temp.demo_id('collaboration:kofi')
 where id in (pg_temp.demo_id('creative:summit'), pg_temp.demo_id('creative:ridge'));

-- Section: product seeding
insert into public.collaboration_products (id, org_id, collaboration_id, product_id, quantity, created_at)
select pg_temp.demo_id('seeding:' || s.key || ':' || s.sku), pg_temp.demo_id('org:northwind'),
       pg_temp.demo_id('collaboration:' || s.key), pg_temp.demo_id('product:northwind:' || s.sku), s.quantity,
       pg_temp.demo_now() - interval '15 days'
  from (values ('lea', 'NW-JKT-001', 1), ('kofi', 'NW-SHO-010', 2), ('kofi', 'NW-ACC-030', 3), ('sara', 'NW-PCK-020', 1))
       s (key, sku, quantity);
update public.collaboration_products set status = 'ordered'
 where id in (pg_temp.demo_id('seeding:lea:NW-JKT-001'), pg_temp.demo_id('seeding:kofi:NW-SHO-010'),
              pg_temp.demo_id('seeding:kofi:NW-ACC-030'));
update public.collaboration_products set status = 'shipped', tracking_number = '1Z999AA10123456784', carrier = 'UPS'
 where id = pg_temp.demo_id('seeding:lea:NW-JKT-001');
update public.collaboration_products set status = 'shipped', tracking_number = 'JD014600006281', carrier = 'DHL'
 where id = pg_temp.demo_id('seeding:kofi:NW-SHO-010');
update public.collaboration_products set status = 'delivered' where id = pg_temp.demo_id('seeding:lea:NW-JKT-001');

update public.collaborations set status = 'completed' where id = pg_temp.demo_id('collaboration:lea');

-- Section: clicks and orders
insert into public.collaboration_clicks (org_id, collaboration_id, visitor_id, clicked_at)
select pg_temp.demo_id('org:northwind'), pg_temp.demo_id('collaboration:' || k.key), pg_temp.demo_id('visitor:' || k.key || ':' || g),
       pg_temp.demo_now() - make_interval(days => (pg_temp.demo_rand('click:' || k.key || ':' || g) * k.days)::integer,
                                          mins => (pg_temp.demo_rand('min:' || k.key || ':' || g) * 1440)::integer)
  from (values ('lea', 340, 30), ('kofi', 120, 12)) k (key, clicks, days), generate_series(1, k.clicks) g
 order by 4, 3;

select pg_temp.demo_act_as(null);
insert into public.conversions (id, org_id, order_ref, amount, currency, promo_code, visitor_id, occurred_at, created_at)
select pg_temp.demo_id('conversion:' || o.n), pg_temp.demo_id('org:northwind'), 'NW-' || (10400 + o.n)::text, o.amount,
       'USD', o.promo, case when o.visitor is null then null else pg_temp.demo_id('visitor:' || o.visitor) end,
       pg_temp.demo_now() - make_interval(hours => o.hours_ago), pg_temp.demo_now() - make_interval(hours => o.hours_ago)
  from (values (1, 189.00, 'LEA15', null, 300), (2, 139.95, 'lea15', null, 200), (3, 49.00, null, 'lea:7', 2),
               (4, 278.90, null, 'kofi:3', 1), (5, 24.50, null, null, 30)) o (n, amount, promo, visitor, hours_ago);

-- Section: when things happened (the triggers stamped now())
set local session_replication_role = replica;
update public.collaborations c
   set status_changed_at = c.created_at + case c.status when 'completed' then interval '35 days'
                                                       when 'pending' then interval '0 days' else interval '2 days' end,
       accepted_at = case when c.status in ('accepted', 'completed') then c.created_at + interval '2 days' end,
       rejected_at = case when c.status = 'rejected' then c.created_at + interval '2 days' end,
       completed_at = case when c.status = 'completed' then c.created_at + interval '35 days' end,
       updated_at = c.created_at + interval '2 days'
 where c.org_id = pg_temp.demo_id('org:northwind');
update public.collaboration_products s
   set ordered_at = case when s.status <> 'chosen' then s.created_at + interval '1 day' end,
       shipped_at = case when s.status in ('shipped', 'delivered') then s.created_at + interval '2 days' end,
       delivered_at = case when s.status = 'delivered' then s.created_at + interval '5 days' end,
       updated_at = s.created_at + interval '5 days'
 where s.org_id = pg_temp.demo_id('org:northwind');
update public.events e
   set occurred_at = case e.type
         when 'collaboration.created' then c.created_at
         when 'collaboration.product_delivered' then pg_temp.demo_now() - interval '10 days'
         else case e.payload ->> 'to' when 'accepted' then c.accepted_at when 'rejected' then c.rejected_at
                                      else c.completed_at end end
  from public.collaborations c
 where e.subject_id = c.id and e.type like 'collaboration.%';
update public.audit_log a
   set at = case a.action
         when 'collaborations.insert' then c.created_at
         else case a.after ->> 'status' when 'accepted' then c.accepted_at when 'rejected' then c.rejected_at
                                        else c.completed_at end end
  from public.collaborations c
 where a.target_type = 'collaborations' and a.target_id = c.id::text;
-- The influencers this file added (when the CRM's demo has none): their CRM events and audit entries.
update public.influencers i
   set created_at = pg_temp.demo_now() - interval '60 days', updated_at = pg_temp.demo_now() - interval '60 days',
       status_changed_at = pg_temp.demo_now() - interval '60 days'
 where i.id in (select pg_temp.demo_id('influencer:northwind:collab-' || k) from unnest(array['lea', 'kofi', 'sara', 'tom']) k);
update public.events e set occurred_at = pg_temp.demo_now() - interval '60 days'
 where e.subject_id in (select pg_temp.demo_id('influencer:northwind:collab-' || k) from unnest(array['lea', 'kofi', 'sara', 'tom']) k);
update public.audit_log a set at = pg_temp.demo_now() - interval '60 days'
 where a.target_id in (select pg_temp.demo_id('influencer:northwind:collab-' || k)::text from unnest(array['lea', 'kofi', 'sara', 'tom']) k);
set local session_replication_role = origin;
