-- Demo workspace: the product catalogue and reusable audiences. Northwind
-- sells outdoor gear (a few products archived); Bluebird sells coffee. The
-- audiences target by demographics, places, languages and interests, and two
-- reach Northwind's segments (VIP and newsletter subscribers, without the
-- wholesale accounts). Written as the demo user, so the audit entries are the
-- app's own; dated here (their trigger stamps now()).

select pg_temp.demo_act_as('d0d0d0d0-0000-4000-8000-000000000001');

-- Section: products
insert into public.products (id, org_id, name, sku, description, price, currency, archived_at,
                             created_by, created_at, updated_at)
select pg_temp.demo_id('product:' || p.org || ':' || p.sku), pg_temp.demo_id('org:' || p.org), p.name, p.sku,
       p.description, p.price, p.currency,
       case when p.archived then pg_temp.demo_now() - p.age / 3 end,
       pg_temp.demo_person(p.author), pg_temp.demo_now() - p.age, pg_temp.demo_now() - p.age
  from (values
    ('northwind', 'NW-JKT-001', 'Ridgeline rain jacket', 'Three-layer waterproof shell, taped seams, pit zips.', 189.00, 'USD', false, interval '110 days', 'maya'),
    ('northwind', 'NW-JKT-002', 'Summit down jacket', '800-fill responsibly sourced down, packs into its pocket.', 249.00, 'USD', false, interval '108 days', 'maya'),
    ('northwind', 'NW-SHO-010', 'Trailblazer running shoes', 'Grippy lugs, rock plate, 6 mm drop.', 139.95, 'USD', false, interval '100 days', 'jonas'),
    ('northwind', 'NW-SHO-011', 'Trailblazer GTX', 'The Trailblazer with a waterproof membrane.', 164.95, 'USD', false, interval '90 days', 'jonas'),
    ('northwind', 'NW-PCK-020', 'Canyon 28 L daypack', 'Ventilated back panel, hydration sleeve.', 95.00, 'USD', false, interval '95 days', 'maya'),
    ('northwind', 'NW-PCK-021', 'Basecamp 65 L pack', 'Adjustable torso, removable lid.', 229.00, 'USD', false, interval '80 days', 'demo'),
    ('northwind', 'NW-ACC-030', 'Merino hiking socks (2 pairs)', 'Cushioned, odour-resistant merino blend.', 24.50, 'USD', false, interval '70 days', 'jonas'),
    ('northwind', 'NW-ACC-031', 'Trekking poles', 'Carbon, foldable, cork grips.', 119.00, 'USD', false, interval '60 days', 'demo'),
    ('northwind', 'NW-ACC-032', 'Headlamp 400', '400 lumens, rechargeable.', 49.00, 'USD', false, interval '50 days', 'maya'),
    ('northwind', 'NW-TNT-040', 'Ridge 2 tent', 'Two-person, 1.6 kg, freestanding.', 379.00, 'USD', false, interval '45 days', 'demo'),
    ('northwind', 'NW-TNT-039', 'Ridge 2 tent (2025)', 'Last season''s model.', 329.00, 'USD', true, interval '115 days', 'maya'),
    ('northwind', 'NW-EU-JKT-001', 'Ridgeline rain jacket (EU)', 'For the EU warehouse launch.', 179.00, 'EUR', false, interval '40 days', 'jonas'),
    ('bluebird', 'BB-ESP-250', 'House espresso, 250 g', 'Chocolate, hazelnut, a long finish.', 12.50, 'EUR', false, interval '60 days', 'maya'),
    ('bluebird', 'BB-ETH-250', 'Ethiopia Guji, 250 g', 'Washed, bright, bergamot and peach.', 15.00, 'EUR', false, interval '55 days', 'maya'),
    ('bluebird', 'BB-SUB-M', 'Monthly beans subscription', 'Two bags a month, roasted to order.', 26.00, 'EUR', false, interval '50 days', 'maya'),
    ('bluebird', 'BB-MUG-01', 'Enamel mug', 'Our bird, on a mug.', 18.00, 'EUR', true, interval '58 days', 'maya'))
    p (org, sku, name, description, price, currency, archived, age, author);

-- Section: audiences
insert into public.audiences (id, org_id, name, description, age_ranges, genders, countries, regions, cities,
                              languages, interests, created_by, created_at, updated_at)
select pg_temp.demo_id('audience:' || a.org || ':' || a.key), pg_temp.demo_id('org:' || a.org), a.name,
       a.description, a.ages::public.audience_age_range[], a.genders::public.audience_gender[], a.countries,
       a.regions, a.cities, a.languages, a.interests, pg_temp.demo_person(a.author),
       pg_temp.demo_now() - a.age, pg_temp.demo_now() - a.age
  from (values
    ('northwind', 'trail-runners-eu', 'Trail runners in Europe', 'For the Trailblazer launch with running creators.',
     '{25-34,35-44}', '{}', '{FR,DE,NL,ES,IT}'::text[], '{}'::text[], '{}'::text[], '{fr,de,nl,es,it,en}'::text[],
     '{fitness.running,outdoors.hiking,outdoors}'::text[], interval '35 days', 'jonas'),
    ('northwind', 'weekend-hikers-uk', 'Weekend hikers, UK', 'Lake District and Peak District day hikers.',
     '{25-34,35-44,45-54}', '{}', '{GB}'::text[], '{GB-CMA,GB-DBY}'::text[], '{Manchester,Leeds}'::text[], '{en}'::text[],
     '{outdoors.hiking,outdoors.camping,travel.adventure}'::text[], interval '28 days', 'maya'),
    ('northwind', 'gear-creators', 'Outdoor gear creators', 'Creators who review tents, packs and jackets.',
     '{18-24,25-34}', '{female,male,non_binary}', '{US,CA}'::text[], '{US-CO,US-WA,CA-BC}'::text[], '{Denver,Seattle,Vancouver}'::text[],
     '{en}'::text[], '{outdoors.camping,outdoors.climbing,tech.photography}'::text[], interval '20 days', 'demo'),
    ('northwind', 'vip-newsletter', 'VIPs and newsletter readers', 'Message campaigns: loyal customers, not wholesale accounts.',
     '{}', '{}', '{}'::text[], '{}'::text[], '{}'::text[], '{}'::text[], '{}'::text[], interval '15 days', 'demo'),
    ('bluebird', 'home-brewers', 'Home brewers', 'Espresso at home, in Berlin and Hamburg.',
     '{25-34,35-44}', '{}', '{DE}'::text[], '{}'::text[], '{Berlin,Hamburg}'::text[], '{de,en}'::text[],
     '{food.coffee}'::text[], interval '40 days', 'maya'))
    a (org, key, name, description, ages, genders, countries, regions, cities, languages, interests, age, author);

insert into public.audience_segments (org_id, audience_id, segment_id, excluded)
select pg_temp.demo_id('org:northwind'), pg_temp.demo_id('audience:northwind:' || s.audience),
       pg_temp.demo_id('segment:' || s.segment), s.excluded
  from (values
    ('vip-newsletter', 'vip', false),
    ('vip-newsletter', 'newsletter', false),
    ('vip-newsletter', 'wholesale-big', true),
    ('trail-runners-eu', 'trail-runners', false)) s (audience, segment, excluded);

-- Section: audit entries, dated when the rows were made (triggers off for this statement)
set local session_replication_role = replica;
update public.audit_log a
   set at = least(pg_temp.demo_now(), coalesce(case a.target_type
     when 'products' then (select p.created_at from public.products p where p.id::text = a.target_id)
     when 'audiences' then (select x.created_at from public.audiences x where x.id::text = a.target_id)
     end, a.at))
 where a.target_type in ('products', 'audiences');
set local session_replication_role = origin;
