-- Demo workspace: a sent email campaign. Northwind's June newsletter went to
-- its "VIP & newsletter" audience five weeks ago: every recipient frozen as the
-- sender would have (private.message_targets: the audience minus the
-- unsubscribed, bounced and erased), nearly all sent, a few refused by their
-- mail server, the rest held back with the reason; message.* events and the
-- counts as the worker leaves them. Set-based, with the triggers off (the
-- campaign is completed, and the state machine would not let a finished
-- sending be written directly); the times are the demo's.

set local session_replication_role = replica;

insert into public.campaign_audiences (org_id, campaign_id, audience_id, created_at)
values (pg_temp.demo_id('org:northwind'), pg_temp.demo_id('campaign:june-newsletter'),
        pg_temp.demo_id('audience:northwind:vip-newsletter'), pg_temp.demo_now() - interval '40 days');

insert into public.message_sends (campaign_id, org_id, subject, preheader, from_name, content, status,
  send_at, time_zone, started_at, finished_at, updated_by, updated_at)
values (pg_temp.demo_id('campaign:june-newsletter'), pg_temp.demo_id('org:northwind'),
  'New arrivals for the trail, {{contact.first_name | "runner"}}', 'Lighter shoes, warmer layers, 10 % off this week',
  'Northwind Trail',
  jsonb_build_object('html',
    '<h1>New on the trail</h1><p>Hi {{contact.first_name | "there"}},</p>'
    || '<p>The June arrivals are in: the Ridge 3 trail shoe, the Alpine wind shell and merino layers for cold starts.</p>'
    || '<p><a class="button" href="https://northwind.example/new">See what''s new</a></p>'),
  'finished', pg_temp.demo_now() - interval '35 days', 'Europe/Berlin',
  pg_temp.demo_now() - interval '35 days', pg_temp.demo_now() - interval '35 days' + interval '4 minutes',
  'd0d0d0d0-0000-4000-8000-000000000001', pg_temp.demo_now() - interval '35 days');

-- Recipients: the audience as it is, one row per contact; about 1 % refused.
insert into public.message_recipients (id, org_id, campaign_id, contact_id, address, status, reason, attempts, sent_at)
select pg_temp.demo_id('recipient:june-newsletter:' || t.contact_id),
       pg_temp.demo_id('org:northwind'), pg_temp.demo_id('campaign:june-newsletter'), t.contact_id, t.address,
       case when t.reason is not null then 'suppressed'
            when pg_temp.demo_rand('refused:' || t.contact_id) < 0.01 then 'failed'
            else 'sent' end::public.message_recipient_status,
       case when t.reason is not null then t.reason
            when pg_temp.demo_rand('refused:' || t.contact_id) < 0.01 then '550 5.1.1 The email account does not exist' end,
       case when t.reason is null then 1 else 0 end,
       case when t.reason is null and pg_temp.demo_rand('refused:' || t.contact_id) >= 0.01
            then pg_temp.demo_now() - interval '35 days'
                 + make_interval(secs => 240 * pg_temp.demo_rand('sent:' || t.contact_id)) end
  from private.message_targets(pg_temp.demo_id('campaign:june-newsletter')) t;

update public.message_sends s
   set recipients = c.total, sent = c.sent, failed = c.failed, suppressed = c.suppressed,
       suppressed_by_reason = c.reasons
  from (select count(*)::int as total,
               count(*) filter (where r.status = 'sent')::int as sent,
               count(*) filter (where r.status = 'failed')::int as failed,
               count(*) filter (where r.status = 'suppressed')::int as suppressed,
               coalesce((select jsonb_object_agg(x.reason, x.n) from (
                  select r2.reason, count(*) as n from public.message_recipients r2
                   where r2.campaign_id = pg_temp.demo_id('campaign:june-newsletter') and r2.status = 'suppressed'
                   group by r2.reason) x), '{}') as reasons
          from public.message_recipients r
         where r.campaign_id = pg_temp.demo_id('campaign:june-newsletter')) c
 where s.campaign_id = pg_temp.demo_id('campaign:june-newsletter');

insert into public.events (org_id, type, subject_type, subject_id, actor_id, payload, occurred_at)
select r.org_id, 'message.' || r.status, 'contact', r.contact_id, null,
       jsonb_build_object('campaign_id', r.campaign_id, 'recipient_id', r.id, 'contact_id', r.contact_id, 'channel', 'email')
         || case when r.reason is not null then jsonb_build_object('reason', r.reason) else '{}' end,
       coalesce(r.sent_at, pg_temp.demo_now() - interval '35 days')
  from public.message_recipients r
 where r.campaign_id = pg_temp.demo_id('campaign:june-newsletter')
 order by r.sent_at nulls first, r.id;

set local session_replication_role = origin;
