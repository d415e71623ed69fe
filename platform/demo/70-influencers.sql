-- Demo workspace: Northwind's influencer list. Eighteen creators across the
-- board (Cold, Active, Final) with owners, tags, notes, contact details and
-- their social handles, entered by hand (the marketplace's demo profiles are
-- another module's file), plus the outreach emails sent to those in talks.
-- Set-based and deterministic; placed through the pipeline's own rules
-- (a Final creator is inserted Active, then moved).

-- Section: records
insert into public.influencers (id, org_id, name, status, board_position, owner_id, tags, notes, email, phone,
                                created_by, created_at, updated_at)
select pg_temp.demo_id('influencer:' || v.key), pg_temp.demo_id('org:northwind'), v.name,
       (case when v.col = 'final' then 'active' else v.col end)::public.influencer_status,
       v.pos, case when v.owner is null then null else pg_temp.demo_person(v.owner) end, v.tags, v.notes,
       v.handle || '@creators.example', null, pg_temp.demo_person('maya'),
       pg_temp.demo_now() - make_interval(days => v.age), pg_temp.demo_now() - make_interval(days => v.age)
  from (values
    ('lena-park', 'Lena Park', 'final', 1, 'maya', array['Outdoor', 'Hiking'], 'Signed for the autumn trail launch.', 'lena.park', 90),
    ('omar-haddad', 'Omar Haddad', 'final', 2, 'jonas', array['Climbing'], 'Wants product for two videos.', 'omarclimbs', 75),
    ('sofia-reyes', 'Sofia Reyes', 'final', 3, 'maya', array['Running', 'Outdoor'], '', 'sofia.runs', 70),
    ('ben-carter', 'Ben Carter', 'active', 1, 'jonas', array['Camping'], 'Asked for rates, waiting on his media kit.', 'bencamps', 45),
    ('yuki-tanaka', 'Yuki Tanaka', 'active', 2, 'maya', array['Hiking', 'Photography'], '', 'yuki.trails', 40),
    ('amara-okafor', 'Amara Okafor', 'active', 3, 'maya', array['Running'], 'Met at the Seattle half marathon.', 'amara.okafor', 36),
    ('noah-fischer', 'Noah Fischer', 'active', 4, 'jonas', array['Cycling'], '', 'noahrides', 30),
    ('ines-moreau', 'Inès Moreau', 'active', 5, null, array['Outdoor'], '', 'ines.moreau', 25),
    ('lucas-silva', 'Lucas Silva', 'cold', 1, 'maya', array['Surf'], 'Big on TikTok, no brand deals yet.', 'lucas.surf', 20),
    ('hana-kim', 'Hana Kim', 'cold', 2, null, array['Hiking'], '', 'hanahikes', 18),
    ('mateo-rossi', 'Mateo Rossi', 'cold', 3, 'jonas', array['Climbing', 'Photography'], '', 'mateo.rossi', 16),
    ('chloe-martin', 'Chloé Martin', 'cold', 4, null, array['Camping'], '', 'chloe.camps', 14),
    ('david-cohen', 'David Cohen', 'cold', 5, 'maya', array['Outdoor'], '', 'davidoutdoors', 12),
    ('priya-nair', 'Priya Nair', 'cold', 6, null, array['Yoga', 'Hiking'], '', 'priya.nair', 10),
    ('ethan-brooks', 'Ethan Brooks', 'cold', 7, 'jonas', array['Cycling'], '', 'ethanbrooks', 8),
    ('zara-ahmed', 'Zara Ahmed', 'cold', 8, null, array['Running'], '', 'zara.runs', 6),
    ('leo-novak', 'Leo Novak', 'cold', 9, null, array['Surf', 'Outdoor'], '', 'leonovak', 4),
    ('mia-lopez', 'Mia López', 'cold', 10, 'maya', array['Hiking'], 'Found through a customer''s post.', 'mia.lopez', 2)
  ) v (key, name, col, pos, owner, tags, notes, handle, age);

update public.influencers i set status = 'final', board_position = v.pos
  from (values ('lena-park', 1), ('omar-haddad', 2), ('sofia-reyes', 3)) v (key, pos)
 where i.id = pg_temp.demo_id('influencer:' || v.key);

-- Section: handles
insert into public.influencer_handles (org_id, influencer_id, platform, handle, profile_url)
select i.org_id, i.id, p.platform::public.social_platform, split_part(i.email, '@', 1),
       case p.platform when 'instagram' then 'https://www.instagram.com/' || split_part(i.email, '@', 1)
                       when 'tiktok' then 'https://www.tiktok.com/@' || split_part(i.email, '@', 1)
                       else 'https://www.youtube.com/@' || split_part(i.email, '@', 1) end
  from public.influencers i
  cross join (values ('instagram'), ('tiktok'), ('youtube')) p (platform)
 where i.org_id = pg_temp.demo_id('org:northwind')
   and (p.platform = 'instagram' or (p.platform = 'tiktok' and i.status <> 'cold')
        or (p.platform = 'youtube' and i.status = 'final'));

-- Section: outreach (logged, then marked sent: last contacted follows)
insert into public.influencer_outreach (id, org_id, influencer_id, template_name, subject, to_email, sent_by, created_at)
select pg_temp.demo_id('outreach:' || i.id), i.org_id, i.id, 'Plain letter from the founder',
       'A collaboration with Northwind, ' || split_part(i.name, ' ', 1) || '?', i.email, i.owner_id,
       pg_temp.demo_now() - interval '5 days'
  from public.influencers i
 where i.org_id = pg_temp.demo_id('org:northwind') and i.status in ('active', 'final') and i.email is not null;
update public.influencer_outreach o set status = 'sent'
 where o.org_id = pg_temp.demo_id('org:northwind');

-- Section: when things happened (what triggers stamped with now(), moved back
-- to the moments above; triggers off for these statements only)
set local session_replication_role = replica;
update public.influencer_outreach o set sent_at = o.created_at + interval '2 minutes'
 where o.org_id = pg_temp.demo_id('org:northwind');
update public.influencers i
   set status_changed_at = case when i.status = 'cold' then i.created_at else i.created_at + interval '1 day' end,
       last_contacted_at = (select max(o.sent_at) from public.influencer_outreach o where o.influencer_id = i.id),
       updated_at = i.created_at + interval '1 day'
 where i.org_id = pg_temp.demo_id('org:northwind');
update public.events e
   set occurred_at = case when e.type = 'influencer.created' then i.created_at else i.updated_at end
  from public.influencers i
 where e.subject_type = 'influencer' and e.subject_id = i.id;
update public.audit_log a
   set at = case when a.action = 'influencers.insert' then i.created_at else i.updated_at end
  from public.influencers i
 where a.target_type = 'influencers' and a.target_id = i.id::text;
set local session_replication_role = origin;
