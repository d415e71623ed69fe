-- Demo workspace, part 2: contacts. 3,000 people for Northwind Outfitters and
-- 260 for Bluebird, with custom fields of every type, tags, consent per
-- channel and timelines, created over the last 90 days (more of them lately,
-- fewer at weekends, one import's worth on a single day). Written through the
-- contact tables' own triggers, so the events a timeline shows (contact
-- created, tag added, consent changed, …) are the ones the app records; they
-- are then moved back to when each thing happened.
--
-- Every contact is created between 2 and 22 hours past a whole number of days
-- before demo_now(), so a "within the last N days" segment never has a
-- contact on its edge while the demo is seeded and checked.

select pg_temp.demo_act_as(null);

-- Section: custom fields and tags
insert into public.contact_fields (id, org_id, key, label, type, options, position, created_at, updated_at)
select pg_temp.demo_id('field:northwind:' || f.key), pg_temp.demo_id('org:northwind'), f.key, f.label,
       f.type::public.contact_field_type, f.options, f.position,
       pg_temp.demo_now() - interval '115 days', pg_temp.demo_now() - interval '115 days'
  from (values
    ('country', 'Country', 'select', array['United States', 'Canada', 'United Kingdom', 'Germany', 'France',
      'Netherlands', 'Sweden', 'Norway', 'Spain', 'Italy', 'Australia', 'Japan'], 1),
    ('city', 'City', 'text', '{}'::text[], 2),
    ('loyalty_tier', 'Loyalty tier', 'select', array['Bronze', 'Silver', 'Gold', 'Platinum'], 3),
    ('orders_count', 'Orders', 'number', '{}', 4),
    ('lifetime_value', 'Lifetime value (USD)', 'number', '{}', 5),
    ('last_order_on', 'Last order', 'date', '{}', 6),
    ('birthday', 'Birthday', 'date', '{}', 7),
    ('interests', 'Interests', 'multi_select', array['Hiking', 'Camping', 'Climbing', 'Trail running', 'Surf',
      'Swim', 'Kids & family', 'Travel'], 8),
    ('preferred_brand', 'Preferred brand', 'select', array['Northwind Trail', 'Northwind Coast'], 9),
    ('wholesale', 'Wholesale account', 'boolean', '{}', 10)) f (key, label, type, options, position);

insert into public.contact_fields (id, org_id, key, label, type, options, position, created_at, updated_at)
select pg_temp.demo_id('field:bluebird:' || f.key), pg_temp.demo_id('org:bluebird'), f.key, f.label,
       f.type::public.contact_field_type, f.options, f.position,
       pg_temp.demo_now() - interval '74 days', pg_temp.demo_now() - interval '74 days'
  from (values
    ('favorite_roast', 'Favorite roast', 'select', array['Light', 'Medium', 'Dark', 'Decaf'], 1),
    ('subscriber', 'Coffee subscription', 'boolean', '{}'::text[], 2),
    ('cups_per_day', 'Cups per day', 'number', '{}', 3)) f (key, label, type, options, position);

insert into public.tags (id, org_id, name, color, created_at, updated_at)
select pg_temp.demo_id('tag:' || t.org || ':' || t.name), pg_temp.demo_id('org:' || t.org), t.name, t.color,
       pg_temp.demo_now() - t.age, pg_temp.demo_now() - t.age
  from (values
    ('northwind', 'VIP', '#b45309', interval '114 days'),
    ('northwind', 'Newsletter', '#2563eb', interval '114 days'),
    ('northwind', 'Trail Club', '#15803d', interval '100 days'),
    ('northwind', 'Wholesale', '#7c3aed', interval '100 days'),
    ('northwind', 'Abandoned cart', '#dc2626', interval '80 days'),
    ('northwind', 'Early access', '#0891b2', interval '60 days'),
    ('northwind', 'Spring sale', '#db2777', interval '40 days'),
    ('bluebird', 'Subscriber', '#1d4ed8', interval '73 days'),
    ('bluebird', 'Wholesale cafe', '#92400e', interval '73 days')) t (org, name, color, age);

-- Section: the people, computed once (dropped at the end of the seeding)
create temp table demo_people on commit drop as
with names as (
  select array['Emma', 'Liam', 'Olivia', 'Noah', 'Ava', 'Lucas', 'Mia', 'Ethan', 'Sofia', 'Mateo', 'Chloé',
    'Jonas', 'Freya', 'Oscar', 'Ingrid', 'Hugo', 'Léa', 'Elias', 'Hanna', 'Finn', 'Aiko', 'Haruto', 'Yuki',
    'Priya', 'Arjun', 'Zoë', 'Isabella', 'Santiago', 'Lucía', 'Marco', 'Giulia', 'Lars', 'Astrid', 'Nora',
    'Sebastian', 'Charlotte', 'James', 'Amelia', 'Benjamin', 'Grace', 'Daniel', 'Ruby', 'Samuel', 'Isla',
    'Henry', 'Maya', 'Leo', 'Ella', 'Jack', 'Zara', 'Omar', 'Amara', 'Kofi', 'Chen', 'Mei', 'Wei', 'Anna',
    'Felix', 'Clara', 'Théo', 'Manon', 'Erik', 'Sigrid', 'Tom'] as first,
         array['Smith', 'Johnson', 'Williams', 'Brown', 'Garcia', 'Miller', 'Davis', 'Martinez', 'Anderson',
    'Taylor', 'Thomas', 'Moore', 'Jackson', 'Lee', 'Walker', 'Hall', 'Young', 'King', 'Wright', 'Scott',
    'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Dubois', 'Martin', 'Bernard', 'Lefèvre', 'Moreau',
    'Jansen', 'de Vries', 'van Dijk', 'Bakker', 'Larsen', 'Johansson', 'Lindqvist', 'Nilsen', 'Hansen',
    'Fernández', 'López', 'Rossi', 'Bianchi', 'Romano', 'Tanaka', 'Suzuki', 'Sato', 'Takahashi', 'Patel',
    'Shah', 'Okafor', 'Mensah', 'Nguyen', 'Kim', 'Park', 'Wang', 'Li', 'O''Brien', 'Murphy', 'Kelly',
    'Campbell', 'Stewart', 'Ross', 'Reid'] as last
),
countries as (
  -- Weighted: the United States most, then the UK and Germany, …
  select array['United States', 'United States', 'United States', 'United States', 'United States',
    'United States', 'United States', 'United States', 'Canada', 'Canada', 'United Kingdom', 'United Kingdom',
    'United Kingdom', 'Germany', 'Germany', 'Germany', 'France', 'France', 'Netherlands', 'Netherlands',
    'Sweden', 'Norway', 'Spain', 'Italy', 'Australia', 'Australia', 'Japan'] as list
),
people as (
  select o.org, i,
         pg_temp.demo_pick(n.first, pg_temp.demo_rand(o.org || ':first:' || i)) as first_name,
         pg_temp.demo_pick(n.last, pg_temp.demo_rand(o.org || ':last:' || i)) as last_name,
         pg_temp.demo_pick(c.list, pg_temp.demo_rand(o.org || ':country:' || i)) as country,
         case when pg_temp.demo_rand(o.org || ':company?:' || i) < o.companies then pg_temp.demo_pick(array[
           'Alpine Ridge Guides', 'Cascade Climbing Co.', 'Summit & Sons', 'Bluewater Surf School',
           'Trailhead Coffee', 'Evergreen Outdoor Club', 'Fjord Adventures', 'Redwood Scouts', 'Granite Peak Gym',
           'Pacific Paddle Co.', 'Lakeside Lodge', 'Northstar Expeditions', 'Wildflower Yoga', 'Basecamp Rentals',
           'Coastal Kayak Tours', 'Highline Apparel', 'Urban Trail Runners', 'Blue Ridge Outfitters',
           'Sierra Field Studies', 'Ironwood Fitness', 'Tidewater Marina', 'Pinecone Preschool',
           'Glacier Point Hotels', 'Harbor Swim Academy', 'Timberline Events', 'Sunset Surf Camp',
           'Moss & Stone Design', 'Driftwood Café', 'Compass Travel', 'Little Fern Daycare'],
           pg_temp.demo_rand(o.org || ':company:' || i)) end as company,
         pg_temp.demo_rand(o.org || ':source:' || i) as r_source,
         pg_temp.demo_rand(o.org || ':day:' || i) as r_day,
         pg_temp.demo_rand(o.org || ':time:' || i) as r_time,
         pg_temp.demo_rand(o.org || ':weekend:' || i) as r_weekend,
         pg_temp.demo_rand(o.org || ':email:' || i) as r_email,
         pg_temp.demo_rand(o.org || ':phone:' || i) as r_phone,
         pg_temp.demo_rand(o.org || ':status:' || i) as r_status,
         pg_temp.demo_rand(o.org || ':orders:' || i) as r_orders,
         o.days, o.import_share
    from (values ('northwind', 3000, 0.45, 90, 0.25), ('bluebird', 260, 0.2, 70, 0.0))
           o (org, n, companies, days, import_share)
   cross join generate_series(1, o.n) i
   cross join names n cross join countries c
),
timed as (
  select p.*,
         case when p.r_source < p.import_share then 'import'
              when p.r_source < p.import_share + 0.40 then 'form'
              when p.r_source < p.import_share + 0.55 then 'shopify'
              else 'manual' end as source,
         -- Density rising towards today (1 - sqrt: three times as many lately as 90 days ago).
         floor((p.days - 0.001) * (1 - sqrt(p.r_day)))::integer as d0
    from people p
),
dated as (
  select t.*,
         case when t.source = 'import' then 61
              -- Weekends are quieter: some of their sign-ups move to the Friday before.
              when extract(isodow from pg_temp.demo_now() - make_interval(days => t.d0)) in (6, 7)
                   and t.r_weekend < 0.45
                then least(t.days - 1, t.d0 + (extract(isodow from pg_temp.demo_now() - make_interval(days => t.d0))::integer - 5))
              else t.d0 end as d
    from timed t
),
addressed as (
  select d.*,
         pg_temp.demo_now() - make_interval(days => d.d)
           - case when d.source = 'import' then interval '5 hours'
                  else make_interval(secs => 7200 + floor(d.r_time * 72000)) end as created_at,
         translate(lower(d.first_name), 'áàâäéèêëíïóöôúüçñøåæ''', 'aaaaeeeeiiooouucnoaa') as fn,
         translate(lower(replace(d.last_name, ' ', '')), 'áàâäéèêëíïóöôúüçñøåæ''', 'aaaaeeeeiiooouucnoaa') as ln,
         case when d.company is not null and d.r_email < 0.6
                then regexp_replace(lower(translate(d.company, 'é', 'e')), '[^a-z0-9]+', '', 'g') || '.example'
              else pg_temp.demo_pick(array['example.com', 'example.net', 'example.org', 'mail.example',
                'inbox.example'], pg_temp.demo_rand(d.org || ':domain:' || d.i)) end as domain
    from dated d
),
emailed as (
  select a.*,
         case when a.r_email < 0.7 then a.fn || '.' || a.ln
              when a.r_email < 0.85 then left(a.fn, 1) || '.' || a.ln
              else a.fn || a.ln || (10 + floor(pg_temp.demo_rand(a.org || ':digits:' || a.i) * 89))::integer end
           as local
    from addressed a
)
select e.org, e.i, pg_temp.demo_id('contact:' || e.org || ':' || e.i) as id,
       pg_temp.demo_id('org:' || e.org) as org_id,
       e.first_name, e.last_name, e.company, e.country, e.source, e.d, e.created_at, e.r_status, e.r_orders,
       e.local || case when row_number() over (partition by e.org, e.local, e.domain order by e.i) > 1
                       then (row_number() over (partition by e.org, e.local, e.domain order by e.i))::text
                       else '' end || '@' || e.domain as email,
       case when e.r_phone < 0.65 then
         case e.country when 'United States' then '+1' when 'Canada' then '+1' when 'United Kingdom' then '+44'
           when 'Germany' then '+49' when 'France' then '+33' when 'Netherlands' then '+31'
           when 'Sweden' then '+46' when 'Norway' then '+47' when 'Spain' then '+34' when 'Italy' then '+39'
           when 'Australia' then '+61' else '+81' end
         || ' ' || (200 + floor(pg_temp.demo_rand(e.org || ':area:' || e.i) * 700))::integer
         || ' ' || lpad(floor(pg_temp.demo_rand(e.org || ':number:' || e.i) * 10000000)::integer::text, 7, '0')
       end as phone
  from emailed e;

-- Section: Northwind's contacts
insert into public.contacts (id, org_id, email, phone, first_name, last_name, company, source, status, custom,
  created_at, updated_at)
select p.id, p.org_id, p.email, p.phone, p.first_name, p.last_name, p.company, p.source,
       case when p.r_status < 0.025 then 'bounced' else 'subscribed' end::public.contact_status,
       jsonb_strip_nulls(jsonb_build_object(
         'country', p.country,
         'city', case when pg_temp.demo_rand('northwind:city?:' || p.i) < 0.8 then pg_temp.demo_pick(
           case p.country
             when 'United States' then array['Portland', 'Seattle', 'Denver', 'San Diego', 'Austin', 'Boston',
               'Minneapolis', 'Salt Lake City', 'Asheville', 'Bend']
             when 'Canada' then array['Vancouver', 'Calgary', 'Toronto', 'Montréal']
             when 'United Kingdom' then array['London', 'Manchester', 'Edinburgh', 'Bristol', 'Keswick']
             when 'Germany' then array['Munich', 'Berlin', 'Hamburg', 'Freiburg']
             when 'France' then array['Lyon', 'Paris', 'Annecy', 'Grenoble']
             when 'Netherlands' then array['Amsterdam', 'Utrecht', 'Rotterdam']
             when 'Sweden' then array['Stockholm', 'Gothenburg', 'Åre']
             when 'Norway' then array['Oslo', 'Bergen', 'Tromsø']
             when 'Spain' then array['Barcelona', 'Madrid', 'Valencia']
             when 'Italy' then array['Milan', 'Turin', 'Bolzano']
             when 'Australia' then array['Sydney', 'Melbourne', 'Brisbane']
             else array['Tokyo', 'Osaka', 'Sapporo'] end,
           pg_temp.demo_rand('northwind:city:' || p.i)) end,
         'orders_count', o.orders,
         'lifetime_value', case when o.orders > 0 then o.ltv end,
         'loyalty_tier', case when o.orders = 0 then null when o.ltv > 1500 then 'Platinum'
                              when o.ltv > 800 then 'Gold' when o.ltv > 300 then 'Silver' else 'Bronze' end,
         'last_order_on', case when o.orders > 0 then to_char(p.created_at
           + (pg_temp.demo_now() - p.created_at) * pg_temp.demo_rand('northwind:last-order:' || p.i), 'YYYY-MM-DD') end,
         'birthday', case when pg_temp.demo_rand('northwind:birthday?:' || p.i) < 0.6 then to_char(make_date(
           1962 + floor(pg_temp.demo_rand('northwind:born:' || p.i) * 42)::integer,
           1 + floor(pg_temp.demo_rand('northwind:born-month:' || p.i) * 12)::integer,
           1 + floor(pg_temp.demo_rand('northwind:born-day:' || p.i) * 28)::integer), 'YYYY-MM-DD') end,
         'interests', nullif(i.interests, '[]'::jsonb),
         'preferred_brand', case when pg_temp.demo_rand('northwind:brand?:' || p.i) < 0.7 then
           case when i.interests ?| array['Surf', 'Swim'] then 'Northwind Coast' else 'Northwind Trail' end end,
         'wholesale', case when p.company is not null then pg_temp.demo_rand('northwind:wholesale:' || p.i) < 0.3 end)),
       p.created_at, p.created_at
  from demo_people p
 cross join lateral (
   -- Half have ordered; a few order a lot.
   select floor(p.r_orders ^ 4 * 16)::integer as orders,
          round((floor(p.r_orders ^ 4 * 16) * (45 + pg_temp.demo_rand('northwind:basket:' || p.i) * 150))::numeric, 2) as ltv
 ) o
 cross join lateral (
   select coalesce(jsonb_agg(x.o order by x.n), '[]'::jsonb) as interests
     from unnest(array['Hiking', 'Camping', 'Climbing', 'Trail running', 'Surf', 'Swim', 'Kids & family',
                       'Travel']) with ordinality x (o, n)
    where pg_temp.demo_rand('northwind:interest:' || p.i || ':' || x.o) < 0.22
 ) i
 where p.org = 'northwind'
 order by p.i;

-- Section: Bluebird's contacts
insert into public.contacts (id, org_id, email, phone, first_name, last_name, company, source, status, custom,
  created_at, updated_at)
select p.id, p.org_id, p.email, p.phone, p.first_name, p.last_name, p.company,
       case p.source when 'shopify' then 'form' else p.source end,
       case when p.r_status < 0.02 then 'bounced' else 'subscribed' end::public.contact_status,
       jsonb_strip_nulls(jsonb_build_object(
         'favorite_roast', pg_temp.demo_pick(array['Light', 'Medium', 'Medium', 'Dark', 'Decaf'],
           pg_temp.demo_rand('bluebird:roast:' || p.i)),
         'subscriber', pg_temp.demo_rand('bluebird:subscriber:' || p.i) < 0.35,
         'cups_per_day', case when p.r_orders < 0.7 then 1 + floor(p.r_orders * 5)::integer end)),
       p.created_at, p.created_at
  from demo_people p
 where p.org = 'bluebird'
 order by p.i;

-- Imported contacts have no contact.created of their own: the import records
-- one contacts.imported (as the worker's import does).
delete from public.events e
 using demo_people p
 where p.source = 'import' and e.org_id = p.org_id and e.type = 'contact.created' and e.subject_id = p.id;

-- Section: tags on contacts
insert into public.contact_tags (org_id, contact_id, tag_id, created_at)
select c.org_id, c.id, pg_temp.demo_id('tag:northwind:' || t.name),
       c.created_at + (pg_temp.demo_now() - c.created_at) * t.delay
         * pg_temp.demo_rand('northwind:tag-time:' || t.name || ':' || c.id)
  from public.contacts c
 cross join lateral (values
   ('VIP', 0.6, c.custom ->> 'loyalty_tier' = 'Platinum'
      or (c.custom ->> 'loyalty_tier' = 'Gold' and pg_temp.demo_rand('northwind:vip:' || c.id) < 0.4)),
   ('Newsletter', 0.05, pg_temp.demo_rand('northwind:newsletter:' || c.id) < case when c.source = 'form' then 0.85 else 0.4 end),
   ('Trail Club', 0.8, coalesce(c.custom -> 'interests' ?| array['Hiking', 'Trail running'], false)
      and pg_temp.demo_rand('northwind:trail-club:' || c.id) < 0.45),
   ('Wholesale', 0.3, coalesce((c.custom ->> 'wholesale')::boolean, false)),
   ('Abandoned cart', 1.0, pg_temp.demo_rand('northwind:cart:' || c.id) < 0.07),
   ('Early access', 0.7, pg_temp.demo_rand('northwind:early:' || c.id) < 0.10),
   ('Spring sale', 1.0, c.created_at < pg_temp.demo_now() - interval '10 days'
      and pg_temp.demo_rand('northwind:spring:' || c.id) < 0.14)) t (name, delay, wanted)
 where c.org_id = pg_temp.demo_id('org:northwind') and t.wanted
 order by 4, c.id, 3;

insert into public.contact_tags (org_id, contact_id, tag_id, created_at)
select c.org_id, c.id, pg_temp.demo_id('tag:bluebird:' || t.name), c.created_at + interval '1 hour'
  from public.contacts c
 cross join lateral (values
   ('Subscriber', (c.custom ->> 'subscriber')::boolean),
   ('Wholesale cafe', c.company is not null)) t (name, wanted)
 where c.org_id = pg_temp.demo_id('org:bluebird') and t.wanted
 order by 4, c.id, 3;

-- Section: consent per channel (the latest record of a channel decides)
insert into public.consent_records (org_id, contact_id, channel, status, source, recorded_at, recorded_by)
select x.org_id, x.contact_id, x.channel::public.consent_channel, x.status::public.consent_status, x.source,
       x.recorded_at, null
  from (
    select c.org_id, c.id as contact_id, 'email' as channel, 'granted' as status,
           case c.source when 'form' then 'Signup form' when 'shopify' then 'Shopify checkout'
                when 'import' then 'Imported: northwind-customers-2026.csv' else 'Added by a teammate' end as source,
           c.created_at as recorded_at
      from public.contacts c where c.status = 'subscribed'
    union all
    select c.org_id, c.id, 'sms', 'granted', 'SMS opt-in at checkout', c.created_at + interval '2 minutes'
      from public.contacts c
     where c.phone is not null and pg_temp.demo_rand('sms:' || c.id) < 0.35
    union all
    select c.org_id, c.id, 'whatsapp', 'granted', 'WhatsApp opt-in', c.created_at + interval '3 minutes'
      from public.contacts c
     where c.phone is not null and pg_temp.demo_rand('whatsapp:' || c.id) < 0.12
    union all
    -- Some unsubscribe later (which also unsubscribes them, through the consent trigger).
    select c.org_id, c.id, 'email', 'withdrawn', 'Unsubscribe link',
           c.created_at + (pg_temp.demo_now() - c.created_at) * (0.2 + 0.75 * pg_temp.demo_rand('unsubscribed-at:' || c.id))
      from public.contacts c
     where c.status = 'subscribed' and pg_temp.demo_rand('unsubscribed:' || c.id) < 0.08
  ) x
 order by x.recorded_at, x.contact_id, x.channel;

-- Section: the finished import (and an earlier one that failed)
insert into public.contact_imports (id, org_id, file_name, file_size, format, encoding, headers, mapping, options,
  status, progress, total_rows, processed_rows, inserted_rows, updated_rows, merged_rows, failed_rows,
  created_by, created_at, updated_at, started_at, finished_at)
select pg_temp.demo_id('import:northwind-customers'), pg_temp.demo_id('org:northwind'),
       'northwind-customers-2026.csv', 0, 'csv', 'utf-8',
       array['Email', 'First name', 'Last name', 'Company', 'Phone', 'Country', 'City', 'Loyalty tier', 'Orders',
             'Lifetime value'],
       '["email", "first_name", "last_name", "company", "phone", "custom.country", "custom.city", "custom.loyalty_tier", "custom.orders_count", "custom.lifetime_value"]',
       '{"skipInvalidRows": true, "updateExisting": true, "tagIds": []}',
       'completed', 1, n.inserted + 14 + 9, n.inserted + 14 + 9, n.inserted, 0, 14, 9,
       pg_temp.demo_id('user:jonas'),
       pg_temp.demo_now() - interval '61 days 5 hours 4 minutes', pg_temp.demo_now() - interval '61 days 5 hours',
       pg_temp.demo_now() - interval '61 days 5 hours 3 minutes', pg_temp.demo_now() - interval '61 days 5 hours'
  from (select count(*)::integer as inserted from public.contacts
         where org_id = pg_temp.demo_id('org:northwind') and source = 'import') n;
update public.contact_imports set file_size = 84 * total_rows where id = pg_temp.demo_id('import:northwind-customers');

insert into public.contact_import_errors (org_id, import_id, row_number, column_name, reason, value)
select pg_temp.demo_id('org:northwind'), pg_temp.demo_id('import:northwind-customers'), e.row_number, e.column_name,
       e.reason, e.value
  from (values
    (48, 'Email', 'is not a valid email address', 'mark.jensen@@example.com'),
    (131, 'Phone', 'is not a valid phone number', 'call after 5pm'),
    (207, 'Email', 'is not a valid email address', 'olivia.brown@example'),
    (388, 'Lifetime value', 'is not a number', '$1,240'),
    (412, 'Loyalty tier', 'is not one of the field''s options', 'Diamond'),
    (590, 'Email', 'is not a valid email address', 'j.garcia example.com'),
    (644, 'Orders', 'is not a number', 'twelve'),
    (702, 'Country', 'is not one of the field''s options', 'Deutschland'),
    (733, 'Email', 'is not a valid email address', 'sam@')) e (row_number, column_name, reason, value)
 order by e.row_number;

insert into public.events (org_id, type, subject_type, subject_id, actor_id, payload, occurred_at)
select i.org_id, 'contacts.imported', 'import', i.id, null,
       jsonb_build_object('inserted', i.inserted_rows, 'updated', i.updated_rows), i.finished_at
  from public.contact_imports i where i.id = pg_temp.demo_id('import:northwind-customers');

insert into public.contact_imports (id, org_id, file_name, file_size, format, encoding, headers, mapping, options,
  status, error, created_by, created_at, updated_at, started_at, finished_at)
values (pg_temp.demo_id('import:northwind-shopify'), pg_temp.demo_id('org:northwind'),
  'shopify-export-march.csv', 20480, 'csv', 'utf-8', array['Customer', 'Total spent', 'Orders'],
  '[null, null, null]', '{"skipInvalidRows": false, "updateExisting": true, "tagIds": []}',
  'failed', 'Map at least an email or a phone column.', pg_temp.demo_id('user:jonas'),
  pg_temp.demo_now() - interval '62 days', pg_temp.demo_now() - interval '62 days',
  pg_temp.demo_now() - interval '62 days', pg_temp.demo_now() - interval '62 days');

-- Section: timelines, moved back to when things happened
update public.events e set occurred_at = c.created_at
  from public.contacts c
 where e.type = 'contact.created' and e.subject_id = c.id and e.org_id = c.org_id;
update public.events e set occurred_at = ct.created_at
  from public.contact_tags ct
 where e.type = 'tag.added' and e.subject_id = ct.contact_id and e.org_id = ct.org_id
   and (e.payload ->> 'tag_id')::uuid = ct.tag_id;
update public.events e set occurred_at = r.recorded_at
  from public.consent_records r
 where e.type = 'consent.changed' and e.subject_id = r.contact_id and e.org_id = r.org_id
   and e.payload ->> 'channel' = r.channel::text and e.payload ->> 'status' = r.status::text;
-- The status change that a withdrawn email consent made.
update public.events e set occurred_at = r.recorded_at
  from public.consent_records r
 where e.type = 'contact.updated' and e.subject_id = r.contact_id and e.org_id = r.org_id
   and r.channel = 'email' and r.status = 'withdrawn';

-- The planner's statistics, for the parts that follow (everything above is new to it).
analyze public.contacts, public.contact_tags, public.consent_records, public.events;
