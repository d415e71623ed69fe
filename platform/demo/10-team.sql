-- Demo workspace, part 1: the team. Northwind Outfitters (the demo user owns
-- it: two brands, teammates in every base role and a custom role, invitations)
-- and Bluebird Coffee Roasters, a smaller organization the demo user is a
-- member of, to show switching. Every teammate signs in with the demo
-- password (growthdesk-demo). Written as the people who did it, so the audit
-- log and member events name them.

-- Section: people
-- The demo account itself comes from supabase/seed.sql.
select pg_temp.demo_user('maya', 'maya.chen@growthdesk.test', 'Maya Chen',
  pg_temp.demo_now() - interval '118 days');
select pg_temp.demo_user('jonas', 'jonas.weber@growthdesk.test', 'Jonas Weber',
  pg_temp.demo_now() - interval '110 days');
select pg_temp.demo_user('priya', 'priya.raman@growthdesk.test', 'Priya Raman',
  pg_temp.demo_now() - interval '96 days');
select pg_temp.demo_user('lucas', 'lucas.moreau@growthdesk.test', 'Lucas Moreau',
  pg_temp.demo_now() - interval '64 days');
select pg_temp.demo_user('amara', 'amara.okafor@growthdesk.test', 'Amara Okafor',
  pg_temp.demo_now() - interval '70 days');

-- Section: Northwind Outfitters (the demo user is its owner)
select pg_temp.demo_act_as('d0d0d0d0-0000-4000-8000-000000000001');

insert into public.organizations (id, name, slug, created_by, created_at, updated_at)
values (pg_temp.demo_id('org:northwind'), 'Northwind Outfitters', 'northwind',
  'd0d0d0d0-0000-4000-8000-000000000001',
  pg_temp.demo_now() - interval '120 days', pg_temp.demo_now() - interval '120 days');

update public.branding_settings
   set primary_color = '#1f6f5c', accent_color = '#f59e0b', font_family = 'Inter'
 where org_id = pg_temp.demo_id('org:northwind');

insert into public.brands (id, org_id, name, email, phone, address, city, state, zip, country, created_at, updated_at)
values
  (pg_temp.demo_id('brand:northwind-trail'), pg_temp.demo_id('org:northwind'), 'Northwind Trail',
   'hello@trail.northwind-outfitters.example', '+1 503 555 0142', '1120 NW Couch St', 'Portland', 'OR',
   '97209', 'United States', pg_temp.demo_now() - interval '119 days', pg_temp.demo_now() - interval '119 days'),
  (pg_temp.demo_id('brand:northwind-coast'), pg_temp.demo_id('org:northwind'), 'Northwind Coast',
   'aloha@coast.northwind-outfitters.example', '+1 619 555 0178', '845 Garnet Ave', 'San Diego', 'CA',
   '92109', 'United States', pg_temp.demo_now() - interval '101 days', pg_temp.demo_now() - interval '101 days');

-- A custom role: members who also report and export.
insert into public.roles (id, org_id, name, description, created_at, updated_at)
values (pg_temp.demo_id('role:northwind-reporting'), pg_temp.demo_id('org:northwind'), 'Reporting',
  'Exports contacts and reads the audit log for the monthly board report.',
  pg_temp.demo_now() - interval '66 days', pg_temp.demo_now() - interval '66 days');
insert into public.role_permissions (org_id, role_id, permission)
values (pg_temp.demo_id('org:northwind'), pg_temp.demo_id('role:northwind-reporting'), 'contacts.export'),
       (pg_temp.demo_id('org:northwind'), pg_temp.demo_id('role:northwind-reporting'), 'audit.read');

-- Priya joined through an invitation (sent, then accepted by her).
insert into public.invitations (id, org_id, email, role, token_hash, expires_at, invited_by, created_at)
values (pg_temp.demo_id('invitation:northwind-priya'), pg_temp.demo_id('org:northwind'),
  'priya.raman@growthdesk.test', 'viewer',
  encode(extensions.digest('growthdesk-demo:invitation:northwind-priya', 'sha256'), 'hex'),
  pg_temp.demo_now() - interval '90 days', 'd0d0d0d0-0000-4000-8000-000000000001',
  pg_temp.demo_now() - interval '97 days');

insert into public.members (org_id, user_id, role, custom_role_id, created_at, updated_at)
select pg_temp.demo_id('org:northwind'), pg_temp.demo_id('user:' || m.who), m.role::public.org_role,
       m.custom_role, pg_temp.demo_now() - m.joined, pg_temp.demo_now() - m.joined
  from (values
    ('maya', 'admin', null::uuid, interval '117 days'),
    ('jonas', 'member', null, interval '109 days'),
    ('lucas', 'member', pg_temp.demo_id('role:northwind-reporting'), interval '63 days')) m (who, role, custom_role, joined);

select pg_temp.demo_act_as(pg_temp.demo_id('user:priya'));
insert into public.members (org_id, user_id, role, created_at, updated_at)
values (pg_temp.demo_id('org:northwind'), pg_temp.demo_id('user:priya'), 'viewer',
  pg_temp.demo_now() - interval '95 days', pg_temp.demo_now() - interval '95 days');
update public.invitations
   set accepted_at = pg_temp.demo_now() - interval '95 days', accepted_by = pg_temp.demo_id('user:priya')
 where id = pg_temp.demo_id('invitation:northwind-priya');

-- Still waiting for an answer.
select pg_temp.demo_act_as('d0d0d0d0-0000-4000-8000-000000000001');
insert into public.invitations (id, org_id, email, role, token_hash, expires_at, invited_by, created_at)
values (pg_temp.demo_id('invitation:northwind-sam'), pg_temp.demo_id('org:northwind'),
  'sam.patel@growthdesk.test', 'member',
  encode(extensions.digest('growthdesk-demo:invitation:northwind-sam', 'sha256'), 'hex'),
  pg_temp.demo_now() + interval '5 days', 'd0d0d0d0-0000-4000-8000-000000000001',
  pg_temp.demo_now() - interval '2 days');

-- Section: Bluebird Coffee Roasters (Maya owns it; the demo user is a member)
select pg_temp.demo_act_as(pg_temp.demo_id('user:maya'));

insert into public.organizations (id, name, slug, created_by, created_at, updated_at)
values (pg_temp.demo_id('org:bluebird'), 'Bluebird Coffee Roasters', 'bluebird-coffee',
  pg_temp.demo_id('user:maya'), pg_temp.demo_now() - interval '75 days', pg_temp.demo_now() - interval '75 days');

update public.branding_settings
   set primary_color = '#1d4ed8', accent_color = '#f97316', font_family = 'Merriweather'
 where org_id = pg_temp.demo_id('org:bluebird');

insert into public.brands (id, org_id, name, email, city, state, country, created_at, updated_at)
values (pg_temp.demo_id('brand:bluebird'), pg_temp.demo_id('org:bluebird'), 'Bluebird Coffee',
  'beans@bluebird-coffee.example', 'Seattle', 'WA', 'United States',
  pg_temp.demo_now() - interval '74 days', pg_temp.demo_now() - interval '74 days');

insert into public.members (org_id, user_id, role, created_at, updated_at)
select pg_temp.demo_id('org:bluebird'), m.user_id, m.role::public.org_role,
       pg_temp.demo_now() - m.joined, pg_temp.demo_now() - m.joined
  from (values
    ('d0d0d0d0-0000-4000-8000-000000000001'::uuid, 'member', interval '73 days'),
    (pg_temp.demo_id('user:amara'), 'viewer', interval '69 days')) m (user_id, role, joined);
