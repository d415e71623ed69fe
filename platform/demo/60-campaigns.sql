-- Demo workspace, part 6: campaigns. Northwind runs influencer and message
-- campaigns for its two brands: some finished, some running, one scheduled,
-- drafts half through the wizard, one cancelled, one on its second version;
-- grouped in folders. Written through the wizard's own functions (sections
-- saved, submit_campaign), so submissions, budget lines, KPIs, events and
-- audit entries are the app's own.

select pg_temp.demo_act_as('d0d0d0d0-0000-4000-8000-000000000001');

-- Section: folders
insert into public.campaign_folders (id, org_id, name, created_by)
values
  (pg_temp.demo_id('folder:launches'), pg_temp.demo_id('org:northwind'), 'Product launches', 'd0d0d0d0-0000-4000-8000-000000000001'),
  (pg_temp.demo_id('folder:newsletters'), pg_temp.demo_id('org:northwind'), 'Newsletters', 'd0d0d0d0-0000-4000-8000-000000000001'),
  (pg_temp.demo_id('folder:always-on'), pg_temp.demo_id('org:northwind'), 'Always on', 'd0d0d0d0-0000-4000-8000-000000000001');

-- Section: campaigns
create temporary table demo_campaigns on commit drop as
select pg_temp.demo_id('campaign:' || v.key) as id, v.*
  from (values
    ('spring-trail', 'influencer', 'northwind-trail', 'Spring trail shoe launch', 'launches', -70, 30, 18000, 'completed',
     'Make the new trail shoe known to runners in the Alps', 'reach', 400000),
    ('ultra-team', 'influencer', 'northwind-trail', 'Ultra runners ambassador team', 'always-on', -20, 90, 42000, 'active',
     'Ten ultra runners wear and review the range all season', 'content_pieces', 60),
    ('coast-summer', 'influencer', 'northwind-coast', 'Coastal summer collection', 'launches', 12, 45, 25000, 'scheduled',
     'Sell the summer collection through sailing creators', 'sales', 1800),
    ('june-newsletter', 'email', 'northwind-trail', 'June newsletter: new arrivals', 'newsletters', -35, 2, 500, 'completed',
     'Bring subscribers back to the shop for the new arrivals', 'clicks', 4000),
    ('restock-sms', 'sms', 'northwind-coast', 'Restock alert: rain jackets', null, -3, 5, 300, 'active',
     'Tell waiting customers the jackets are back', 'conversions', 250),
    ('vip-whatsapp', 'whatsapp', 'northwind-trail', 'VIP early access', 'always-on', -10, 20, 800, 'active',
     'Give VIP customers a day of early access', 'sales', 300),
    ('winter-teaser', 'influencer', 'northwind-coast', 'Winter teaser (cancelled)', 'launches', -50, 20, 9000, 'cancelled',
     'Tease the winter range before the trade fair', 'impressions', 900000),
    ('autumn-newsletter', 'email', 'northwind-coast', 'Autumn newsletter', 'newsletters', 40, 3, 600, 'draft',
     'Announce the autumn range', 'opens', 9000),
    ('trail-camp', 'influencer', 'northwind-trail', 'Trail running camp', null, 60, 10, 15000, 'draft',
     '', null, null)
  ) v (key, kind, brand, name, folder, start_day, days, budget, target_status, objective, metric, target);

insert into public.campaigns (id, org_id, kind, brand_id, name, folder_id, owner_id, created_by)
select d.id, pg_temp.demo_id('org:northwind'), d.kind::public.campaign_kind, pg_temp.demo_id('brand:' || d.brand), d.name,
       case when d.folder is not null then pg_temp.demo_id('folder:' || d.folder) end,
       'd0d0d0d0-0000-4000-8000-000000000001', 'd0d0d0d0-0000-4000-8000-000000000001'
  from demo_campaigns d;

-- The wizard's sections as typed (the last draft stops after its basics).
update public.campaign_sections s
   set revision = s.revision + 1,
       data = case s.section
         when 'objective' then jsonb_build_object('objective', d.objective,
           'kpis', jsonb_build_array(jsonb_build_object('metric', d.metric, 'target', d.target::text)))
         when 'budget' then jsonb_build_object(
           'amount', d.budget::text, 'currency', 'EUR', 'time_zone', 'Europe/Berlin',
           'starts_at', to_char((pg_temp.demo_now() + make_interval(days => d.start_day)) at time zone 'Europe/Berlin', 'YYYY-MM-DD"T"09:00'),
           'ends_at', to_char((pg_temp.demo_now() + make_interval(days => d.start_day + d.days)) at time zone 'Europe/Berlin', 'YYYY-MM-DD"T"18:00'),
           'lines', case when d.kind = 'influencer' then jsonb_build_array(
             jsonb_build_object('label', 'Creator fees', 'amount', round(d.budget * 0.7)::text),
             jsonb_build_object('label', 'Product seeding', 'amount', round(d.budget * 0.2)::text))
             else '[]'::jsonb end)
         end
  from demo_campaigns d
 where s.campaign_id = d.id and s.section in ('objective', 'budget') and d.metric is not null;

-- Submitted: everything but the drafts (a submission records campaign.submitted).
select public.submit_campaign(d.id) from demo_campaigns d where d.target_status <> 'draft';

-- The ambassador team is on its second version (a bigger budget).
select public.save_campaign_section(pg_temp.demo_id('campaign:ultra-team'), 'budget',
  s.data || jsonb_build_object('amount', '48000'), s.revision)
  from public.campaign_sections s where s.campaign_id = pg_temp.demo_id('campaign:ultra-team') and s.section = 'budget';
select public.submit_campaign(pg_temp.demo_id('campaign:ultra-team'));

-- Statuses through the legal moves.
update public.campaigns c set status = 'active'
  from demo_campaigns d where c.id = d.id and d.target_status in ('active', 'completed');
update public.campaigns c set status = 'completed'
  from demo_campaigns d where c.id = d.id and d.target_status = 'completed';
update public.campaigns c set status = d.target_status::public.campaign_status
  from demo_campaigns d where c.id = d.id and d.target_status in ('scheduled', 'cancelled');

-- Dated as they happened: triggers stamped now() on what they wrote (events,
-- audit entries, submissions, drafts); moved back to the moments above, never
-- after demo_now(), with triggers off for these statements only.
set local session_replication_role = replica;

update public.campaigns c
   set created_at = pg_temp.demo_now() + make_interval(days => least(d.start_day, 0) - 14),
       updated_at = least(pg_temp.demo_now(), pg_temp.demo_now() + make_interval(days => least(d.start_day, 0) - 10)),
       status_changed_at = least(pg_temp.demo_now(), case d.target_status
         when 'completed' then c.ends_at when 'active' then c.starts_at
         else pg_temp.demo_now() + make_interval(days => least(d.start_day, 0) - 11) end)
  from demo_campaigns d where c.id = d.id;
update public.campaign_sections s set updated_at = c.created_at + interval '1 hour'
  from public.campaigns c where c.id = s.campaign_id and c.org_id = pg_temp.demo_id('org:northwind');
update public.campaign_submissions s set submitted_at = least(pg_temp.demo_now(), c.created_at + make_interval(days => s.version))
  from public.campaigns c where c.id = s.campaign_id and c.org_id = pg_temp.demo_id('org:northwind');
update public.events e
   set occurred_at = least(pg_temp.demo_now(), case e.type
     when 'campaign.created' then c.created_at
     when 'campaign.submitted' then c.created_at + make_interval(days => (e.payload ->> 'version')::int)
     else case e.payload ->> 'to'
       when 'active' then greatest(c.starts_at, c.created_at + interval '3 days')
       when 'completed' then c.ends_at
       else c.created_at + interval '3 days' end end)
  from public.campaigns c
 where e.subject_type = 'campaign' and e.subject_id = c.id and c.org_id = pg_temp.demo_id('org:northwind');
update public.audit_log a
   set at = least(pg_temp.demo_now(), case a.target_type
     when 'campaign_folders' then pg_temp.demo_now() - interval '90 days'
     else (select case when a.action = 'campaigns.insert' then c.created_at
                       when a.after ? 'status' then c.status_changed_at
                       else c.created_at + make_interval(days => coalesce((a.after ->> 'submitted_version')::int, 1)) end
             from public.campaigns c where c.id::text = a.target_id) end)
 where a.org_id = pg_temp.demo_id('org:northwind') and a.target_type in ('campaigns', 'campaign_folders');

set local session_replication_role = origin;
