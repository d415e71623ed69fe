-- Demo workspace: a sent SMS campaign. Northwind Coast's restock alert went to
-- the "VIP & newsletter" audience by text three days ago: recipients frozen as
-- the sender would have (private.message_text_targets: a number in E.164 form
-- and a latest "granted" SMS consent; the rest held back with the reason),
-- nearly all sent and delivered (provider ids and SMS parts as the worker and
-- the status callbacks leave them), a few undelivered, and two people who
-- replied STOP (consent withdrawn, message.unsubscribed). Set-based, with the
-- triggers off (as 65-message-sending.sql); the report is rebuilt at the end.

set local session_replication_role = replica;

insert into public.campaign_audiences (org_id, campaign_id, audience_id, created_at)
values (pg_temp.demo_id('org:northwind'), pg_temp.demo_id('campaign:restock-sms'),
        pg_temp.demo_id('audience:northwind:vip-newsletter'), pg_temp.demo_now() - interval '5 days');

insert into public.message_sends (campaign_id, org_id, content, status, send_at, time_zone, started_at,
  finished_at, updated_by, updated_at)
values (pg_temp.demo_id('campaign:restock-sms'), pg_temp.demo_id('org:northwind'),
  jsonb_build_object('text',
    'Hi {{contact.first_name | "there"}}, the Coast rain jackets are back in all sizes: northwind.example/rain. Reply STOP to opt out.'),
  'finished', pg_temp.demo_now() - interval '3 days', 'Europe/Berlin',
  pg_temp.demo_now() - interval '3 days', pg_temp.demo_now() - interval '3 days' + interval '1 minute',
  'd0d0d0d0-0000-4000-8000-000000000001', pg_temp.demo_now() - interval '3 days');

-- Recipients: everyone the audience reaches; about 2 % refused by the provider.
insert into public.message_recipients (id, org_id, campaign_id, contact_id, address, status, reason, attempts,
  sent_at, provider_id, segments)
select pg_temp.demo_id('recipient:restock-sms:' || t.contact_id),
       pg_temp.demo_id('org:northwind'), pg_temp.demo_id('campaign:restock-sms'), t.contact_id, t.address,
       case when t.reason is not null then 'suppressed'
            when pg_temp.demo_rand('sms-refused:' || t.contact_id) < 0.02 then 'failed'
            else 'sent' end::public.message_recipient_status,
       case when t.reason is not null then t.reason
            when pg_temp.demo_rand('sms-refused:' || t.contact_id) < 0.02
              then 'Twilio 400 (21614): To number is not a valid mobile number' end,
       case when t.reason is null then 1 else 0 end,
       case when t.reason is null and pg_temp.demo_rand('sms-refused:' || t.contact_id) >= 0.02
            then pg_temp.demo_now() - interval '3 days' + make_interval(secs => 60 * pg_temp.demo_rand('sms-sent:' || t.contact_id)) end,
       case when t.reason is null and pg_temp.demo_rand('sms-refused:' || t.contact_id) >= 0.02
            then 'SM' || md5('restock-sms:' || t.contact_id) end,
       case when t.reason is null and pg_temp.demo_rand('sms-refused:' || t.contact_id) >= 0.02 then 1 end
  from private.message_text_targets(pg_temp.demo_id('campaign:restock-sms'), 'sms') t;

update public.message_sends s
   set recipients = c.total, sent = c.sent, failed = c.failed, suppressed = c.suppressed,
       suppressed_by_reason = c.reasons
  from (select count(*)::int as total,
               count(*) filter (where r.status = 'sent')::int as sent,
               count(*) filter (where r.status = 'failed')::int as failed,
               count(*) filter (where r.status = 'suppressed')::int as suppressed,
               coalesce((select jsonb_object_agg(x.reason, x.n) from (
                  select r2.reason, count(*) as n from public.message_recipients r2
                   where r2.campaign_id = pg_temp.demo_id('campaign:restock-sms') and r2.status = 'suppressed'
                   group by r2.reason) x), '{}') as reasons
          from public.message_recipients r
         where r.campaign_id = pg_temp.demo_id('campaign:restock-sms')) c
 where s.campaign_id = pg_temp.demo_id('campaign:restock-sms');

insert into public.events (org_id, type, subject_type, subject_id, actor_id, payload, occurred_at)
select r.org_id, 'message.' || r.status, 'contact', r.contact_id, null,
       jsonb_build_object('campaign_id', r.campaign_id, 'recipient_id', r.id, 'contact_id', r.contact_id, 'channel', 'sms')
         || case when r.reason is not null then jsonb_build_object('reason', r.reason) else '{}' end,
       coalesce(r.sent_at, pg_temp.demo_now() - interval '3 days')
  from public.message_recipients r
 where r.campaign_id = pg_temp.demo_id('campaign:restock-sms')
 order by r.sent_at nulls first, r.id;

-- Status callbacks: 97 % delivered within seconds, the rest undelivered.
insert into private.message_engagements (recipient_id, what, campaign_id)
select r.id, case when pg_temp.demo_rand('sms-receipt:' || r.id) < 0.97 then -5 else -6 end, r.campaign_id
  from public.message_recipients r
 where r.campaign_id = pg_temp.demo_id('campaign:restock-sms') and r.status = 'sent';
insert into public.events (org_id, type, subject_type, subject_id, actor_id, payload, occurred_at)
select r.org_id, case e.what when -5 then 'message.delivered' else 'message.failed' end, 'contact', r.contact_id, null,
       jsonb_build_object('campaign_id', r.campaign_id, 'recipient_id', r.id, 'contact_id', r.contact_id, 'channel', 'sms')
         || case when e.what = -6 then jsonb_build_object('reason', 'Twilio error 30003: Unreachable destination handset')
                 else '{}' end,
       r.sent_at + make_interval(secs => 2 + 20 * pg_temp.demo_rand('sms-receipt-at:' || r.id))
  from public.message_recipients r
  join private.message_engagements e on e.recipient_id = r.id and e.what in (-5, -6)
 where r.campaign_id = pg_temp.demo_id('campaign:restock-sms')
 order by r.sent_at, r.id;

-- Two replied STOP: SMS consent withdrawn, with the unsubscribe event.
with stopped as (
  select r.* from public.message_recipients r
   where r.campaign_id = pg_temp.demo_id('campaign:restock-sms') and r.status = 'sent'
   order by pg_temp.demo_rand('sms-stop:' || r.id) limit 2
), consent as (
  insert into public.consent_records (org_id, contact_id, channel, status, source, recorded_at, recorded_by)
  select s.org_id, s.contact_id, 'sms', 'withdrawn', 'Replied STOP to a text message', s.sent_at + interval '7 minutes', null
    from stopped s
  returning 1
)
insert into public.events (org_id, type, subject_type, subject_id, actor_id, payload, occurred_at)
select s.org_id, 'message.unsubscribed', 'contact', s.contact_id, null,
       jsonb_build_object('campaign_id', s.campaign_id, 'recipient_id', s.id, 'contact_id', s.contact_id, 'channel', 'sms'),
       s.sent_at + interval '7 minutes'
  from stopped s;

set local session_replication_role = origin;

select private.rebuild_message_report(pg_temp.demo_id('campaign:restock-sms'));
