-- Demo workspace: how people responded to the sent email campaign (Northwind's
-- June newsletter, platform/demo/65-message-sending.sql): deliveries, opens
-- (some people more than once), clicks on its link, a few unsubscribes,
-- bounces and spam complaints, as the tracking routes and the bounce webhook
-- record them (message.* events). The contacts themselves are left as
-- 20-contacts.sql made them (their statuses already feed the segments and the
-- dashboard; a bounce here would change memberships 30-segments.sql computed).
-- Then the report's rollups recomputed from the events. Set-based, triggers off,
-- every choice a hash of the recipient, every time after its sending.

select private.message_register_links(pg_temp.demo_id('campaign:june-newsletter'),
                                      array['https://northwind.example/new']);

set local session_replication_role = replica;

create temporary table demo_responses on commit drop as
select r.id, r.org_id, r.campaign_id, r.contact_id, r.sent_at,
       pg_temp.demo_rand('fate:' || r.id) as fate,
       pg_temp.demo_rand('opens:' || r.id) as opens
  from public.message_recipients r
 where r.campaign_id = pg_temp.demo_id('campaign:june-newsletter') and r.status = 'sent';

-- 1.5 % bounce, 0.4 % complain, 2 % unsubscribe; the rest are delivered; of
-- the delivered, about 45 % open (one to three times) and a third of those click.
insert into public.events (org_id, type, subject_type, subject_id, actor_id, payload, occurred_at)
select e.org_id, e.type, 'contact', e.contact_id, null,
       jsonb_build_object('campaign_id', e.campaign_id, 'recipient_id', e.id, 'contact_id', e.contact_id,
                          'channel', 'email') || e.extra,
       e.at
  from (
    select d.*, 'message.bounced' as type, jsonb_build_object('reason', '550 5.1.1 Mailbox unavailable') as extra,
           d.sent_at + interval '2 minutes' as at
      from demo_responses d where d.fate < 0.015
    union all
    select d.*, 'message.delivered', '{}'::jsonb, d.sent_at + interval '1 minute'
      from demo_responses d where d.fate >= 0.015
    union all
    select d.*, 'message.opened', '{}'::jsonb,
           d.sent_at + make_interval(secs => 600 + 3 * 86400 * pg_temp.demo_rand('open:' || d.id || ':' || k) * k)
      from demo_responses d cross join generate_series(1, 3) k
     where d.fate >= 0.015 and d.opens < 0.45 and k <= 1 + floor(d.opens * 6)
    union all
    select d.*, 'message.clicked',
           jsonb_build_object('url', 'https://northwind.example/new', 'link', 0),
           d.sent_at + make_interval(secs => 900 + 3 * 86400 * pg_temp.demo_rand('open:' || d.id || ':1'))
      from demo_responses d where d.fate >= 0.015 and d.opens < 0.15
    union all
    select d.*, 'message.complained', '{}'::jsonb, d.sent_at + interval '1 day'
      from demo_responses d where d.fate >= 0.015 and d.fate < 0.019
    union all
    select d.*, 'message.unsubscribed', '{}'::jsonb, d.sent_at + interval '2 hours'
      from demo_responses d where d.fate >= 0.019 and d.fate < 0.039 and d.opens < 0.45
  ) e
 order by e.at, e.id;

-- A provider's retry of these reports must count once: their first-of-a-kind rows.
insert into private.message_engagements (recipient_id, what, campaign_id)
select d.id, case when d.fate < 0.015 then -3 else -4 end, d.campaign_id
  from demo_responses d where d.fate < 0.019;
insert into private.message_engagements (recipient_id, what, campaign_id)
select d.id, -5, d.campaign_id from demo_responses d where d.fate >= 0.015;

set local session_replication_role = origin;

select private.rebuild_message_report(pg_temp.demo_id('campaign:june-newsletter'));
