-- Demo workspace, part 3: segments with current memberships. The rules are
-- those of the segment builder (src/lib/server/segments/rules.ts); the members
-- are computed here with the same meaning as the compiled rules
-- (tests/demo/demo-workspace.test.ts rebuilds every segment with the app's
-- compiler and expects no change). Members present when a segment was saved
-- came in with its first build (no events, as in the app); later ones have a
-- segment.entered event on their timeline, at the time they entered. The
-- worker's reconcile (queued by the segments' own trigger) finds nothing to do.

select pg_temp.demo_act_as('d0d0d0d0-0000-4000-8000-000000000001');

-- Section: segments
create temp table demo_segments on commit drop as
select pg_temp.demo_id('segment:' || s.key) as id, pg_temp.demo_id('org:' || s.org) as org_id, s.key, s.name,
       s.description, s.rules::jsonb as rules, pg_temp.demo_now() - s.age as created_at,
       pg_temp.demo_person(s.author) as author
  from (values
    ('northwind', 'vip', 'VIP customers', 'Everyone tagged VIP: first to hear about new gear.',
     format('{"kind":"group","match":"all","rules":[{"kind":"tag","operator":"has","tagId":"%s"}]}',
       pg_temp.demo_id('tag:northwind:VIP')), interval '100 days', 'maya'),
    ('northwind', 'newsletter', 'Newsletter subscribers', 'Subscribed and signed up for the newsletter.',
     format('{"kind":"group","match":"all","rules":[{"kind":"tag","operator":"has","tagId":"%s"},{"kind":"field","field":"status","operator":"equals","value":"subscribed"}]}',
       pg_temp.demo_id('tag:northwind:Newsletter')), interval '95 days', 'jonas'),
    ('northwind', 'gold-platinum', 'Gold & Platinum members', 'Loyalty tiers that get free shipping.',
     '{"kind":"group","match":"all","rules":[{"kind":"field","field":"custom.loyalty_tier","operator":"in","value":["Gold","Platinum"]}]}',
     interval '90 days', 'maya'),
    ('northwind', 'new-this-month', 'New this month', 'Joined in the last 30 days.',
     '{"kind":"group","match":"all","rules":[{"kind":"field","field":"created_at","operator":"within_last_days","value":30}]}',
     interval '88 days', 'jonas'),
    ('northwind', 'europe', 'Customers in Europe', 'For the EU warehouse launch.',
     '{"kind":"group","match":"all","rules":[{"kind":"field","field":"custom.country","operator":"in","value":["United Kingdom","Germany","France","Netherlands","Sweden","Norway","Spain","Italy"]}]}',
     interval '45 days', 'demo'),
    ('northwind', 'trail-runners', 'Trail runners', 'Interested in trail running, or in the Trail Club.',
     format('{"kind":"group","match":"any","rules":[{"kind":"field","field":"custom.interests","operator":"contains","value":"Trail running"},{"kind":"tag","operator":"has","tagId":"%s"}]}',
       pg_temp.demo_id('tag:northwind:Trail Club')), interval '30 days', 'jonas'),
    ('northwind', 'wholesale-big', 'Wholesale, high spend', 'Wholesale accounts worth over $500.',
     format('{"kind":"group","match":"all","rules":[{"kind":"tag","operator":"has","tagId":"%s"},{"kind":"field","field":"custom.lifetime_value","operator":"greater_than","value":500}]}',
       pg_temp.demo_id('tag:northwind:Wholesale')), interval '20 days', 'demo'),
    ('bluebird', 'subscribers', 'Coffee subscribers', 'On a monthly beans subscription.',
     '{"kind":"group","match":"all","rules":[{"kind":"field","field":"custom.subscriber","operator":"equals","value":true}]}',
     interval '60 days', 'maya')) s (org, key, name, description, rules, age, author);

insert into public.segments (id, org_id, name, description, rules, created_by, created_at, updated_at)
select s.id, s.org_id, s.name, s.description, s.rules, s.author, s.created_at, s.created_at
  from demo_segments s order by s.created_at;

-- Section: members, and since when (the rules above, written as SQL)
create temp table demo_members on commit drop as
select s.id as segment_id, s.org_id, m.contact_id, greatest(m.since, s.created_at) as entered_at,
       m.since > s.created_at as later
  from demo_segments s
  join lateral (
    select c.id as contact_id,
           case s.key
             when 'vip' then (select ct.created_at from public.contact_tags ct
                               where ct.org_id = c.org_id and ct.contact_id = c.id and ct.tag_id = pg_temp.demo_id('tag:northwind:VIP'))
             when 'newsletter' then (select ct.created_at from public.contact_tags ct
                                      where ct.org_id = c.org_id and ct.contact_id = c.id and ct.tag_id = pg_temp.demo_id('tag:northwind:Newsletter'))
             when 'trail-runners' then least(c.created_at, (select ct.created_at from public.contact_tags ct
                                      where ct.org_id = c.org_id and ct.contact_id = c.id and ct.tag_id = pg_temp.demo_id('tag:northwind:Trail Club')))
             when 'wholesale-big' then (select ct.created_at from public.contact_tags ct
                                         where ct.org_id = c.org_id and ct.contact_id = c.id and ct.tag_id = pg_temp.demo_id('tag:northwind:Wholesale'))
             else c.created_at end as since
      from public.contacts c
     where c.org_id = s.org_id and c.erased_at is null
       and case s.key
             when 'vip' then exists (select 1 from public.contact_tags ct
                                      where ct.org_id = c.org_id and ct.contact_id = c.id and ct.tag_id = pg_temp.demo_id('tag:northwind:VIP'))
             when 'newsletter' then c.status = 'subscribed' and exists (select 1 from public.contact_tags ct
                                      where ct.org_id = c.org_id and ct.contact_id = c.id and ct.tag_id = pg_temp.demo_id('tag:northwind:Newsletter'))
             when 'gold-platinum' then c.custom ->> 'loyalty_tier' in ('Gold', 'Platinum')
             when 'new-this-month' then c.created_at >= pg_temp.demo_now() - interval '30 days'
             when 'europe' then c.custom ->> 'country' in ('United Kingdom', 'Germany', 'France', 'Netherlands',
                                                           'Sweden', 'Norway', 'Spain', 'Italy')
             when 'trail-runners' then coalesce(c.custom -> 'interests' ? 'Trail running', false)
                                       or exists (select 1 from public.contact_tags ct
                                                   where ct.org_id = c.org_id and ct.contact_id = c.id and ct.tag_id = pg_temp.demo_id('tag:northwind:Trail Club'))
             when 'wholesale-big' then (c.custom ->> 'lifetime_value')::numeric > 500
                                       and exists (select 1 from public.contact_tags ct
                                                    where ct.org_id = c.org_id and ct.contact_id = c.id and ct.tag_id = pg_temp.demo_id('tag:northwind:Wholesale'))
             when 'subscribers' then c.custom ->> 'subscriber' = 'true'
           end
  ) m on true;

-- The first build of each segment: no events.
insert into public.segment_memberships (org_id, segment_id, contact_id, entered_at)
select m.org_id, m.segment_id, m.contact_id, m.entered_at from demo_members m where not m.later
 order by m.segment_id, m.contact_id;
update public.segments s set refreshed_at = x.created_at, cached_count = 0
  from demo_segments x where x.id = s.id;
-- Everyone after: segment.entered on their timelines.
insert into public.segment_memberships (org_id, segment_id, contact_id, entered_at)
select m.org_id, m.segment_id, m.contact_id, m.entered_at from demo_members m where m.later
 order by m.entered_at, m.segment_id, m.contact_id;
update public.events e set occurred_at = m.entered_at
  from demo_members m
 where e.type = 'segment.entered' and e.org_id = m.org_id and e.subject_id = m.contact_id
   and (e.payload ->> 'segment_id')::uuid = m.segment_id;
update public.segments s
   set cached_count = (select count(*) from public.segment_memberships sm where sm.segment_id = s.id),
       refreshed_at = pg_temp.demo_now() - interval '20 minutes'
  from demo_segments x where x.id = s.id;

analyze public.segment_memberships, public.events;
