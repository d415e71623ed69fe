-- Demo workspace, part 4: automations with a history. Four active ones
-- (a welcome series on entering the newsletter segment, a VIP thank-you on a
-- tag, a CRM sync on every new contact, a weekly digest on a schedule) and a
-- draft. Their runs and step runs are written as the engine
-- (src/worker/automations/executor.ts) writes them, for the events that
-- started them: completed runs, runs that failed at the CRM (which cannot be
-- reached: retrying one fails again, as it would), and welcome runs waiting
-- out their three days, with the wake-up jobs the engine would have queued.
-- The automations are switched on last, so none of the seeded events starts
-- a run of its own.

select pg_temp.demo_act_as('d0d0d0d0-0000-4000-8000-000000000001');

-- Section: definitions
create temp table demo_automations on commit drop as
select pg_temp.demo_id('automation:' || a.key) as id, pg_temp.demo_id('automation-version:' || a.key) as version_id,
       pg_temp.demo_id('org:' || a.org) as org_id, a.key, a.name, a.description, a.definition::jsonb as definition,
       a.active, pg_temp.demo_now() - a.age as created_at, pg_temp.demo_person(a.author) as author
  from (values
    ('northwind', 'welcome', 'Welcome series', 'Welcomes new newsletter subscribers, then nudges those who have not ordered yet.',
     format($j${
       "trigger": {"type": "event", "event": "segment.entered", "match": {"segment_id": "%s"}},
       "reentry": {"mode": "once"},
       "start": "welcome_email",
       "steps": [
         {"id": "welcome_email", "name": "Send the welcome email", "type": "send_email", "next": "wait_3_days",
          "email": {"kind": "inline", "subject": "Welcome to Northwind, {{contact.first_name}}!",
                    "text": "Hi {{contact.first_name}},\n\nThanks for joining the Northwind newsletter. Every other week: new gear, trail guides and members-only offers.\n\nSee you outside,\nThe Northwind team"}},
         {"id": "wait_3_days", "name": "Wait 3 days", "type": "wait", "wait": {"kind": "duration", "amount": 3, "unit": "days"}, "next": "has_ordered"},
         {"id": "has_ordered", "name": "Has ordered?", "type": "condition", "then": "done", "else": "first_order_offer",
          "condition": {"kind": "contact", "rules": {"kind": "group", "match": "all", "rules": [
            {"kind": "field", "field": "custom.orders_count", "operator": "greater_than", "value": 0}]}}},
         {"id": "first_order_offer", "name": "Send the first-order offer", "type": "send_email", "next": "done",
          "email": {"kind": "inline", "subject": "10%% off your first adventure, {{contact.first_name}}",
                    "text": "Hi {{contact.first_name}},\n\nHere is 10%% off your first order with the code HELLO-TRAIL, valid for two weeks.\n\nThe Northwind team"}},
         {"id": "done", "name": "Exit", "type": "exit"}
       ]}$j$, pg_temp.demo_id('segment:newsletter')), true, interval '50 days', 'jonas'),
    ('northwind', 'vip', 'VIP thank-you', 'Tells the account manager about a new VIP and thanks the customer.',
     format($j${
       "trigger": {"type": "event", "event": "tag.added", "match": {"tag_id": "%s"}},
       "reentry": {"mode": "once"},
       "start": "tell_maya",
       "steps": [
         {"id": "tell_maya", "name": "Tell the account manager", "type": "notify_member", "userId": "%s", "next": "thank_you",
          "subject": "New VIP: {{contact.first_name}} {{contact.last_name}}",
          "text": "{{contact.first_name}} {{contact.last_name}} ({{contact.email}}) is now a VIP. A personal note goes a long way."},
         {"id": "thank_you", "name": "Send the thank-you", "type": "send_email", "next": "done",
          "email": {"kind": "inline", "subject": "A thank-you from Northwind",
                    "text": "Hi {{contact.first_name}},\n\nYou are one of our best customers: from today, shipping is on us and new gear reaches you a week early.\n\nMaya, Northwind Outfitters"}},
         {"id": "done", "name": "Exit", "type": "exit"}
       ]}$j$, pg_temp.demo_id('tag:northwind:VIP'), pg_temp.demo_id('user:maya')), true, interval '70 days', 'maya'),
    ('northwind', 'crm', 'Send new contacts to the CRM', 'Posts every new contact to the sales CRM.',
     $j${
       "trigger": {"type": "event", "event": "contact.created"},
       "reentry": {"mode": "every_time"},
       "start": "post_to_crm",
       "steps": [
         {"id": "post_to_crm", "name": "Send to the CRM", "type": "http_request", "method": "POST",
          "url": "https://crm.northwind-outfitters.example/api/leads", "headers": {"content-type": "application/json", "Authorization": "Bearer {{secret:crm_api_key}}"},
          "body": "{\"email\": \"{{contact.email}}\", \"first_name\": \"{{contact.first_name}}\", \"last_name\": \"{{contact.last_name}}\"}",
          "retry": {"maxAttempts": 3, "backoffSeconds": 60}, "next": "done"},
         {"id": "done", "name": "Exit", "type": "exit"}
       ]}$j$, true, interval '40 days', 'demo'),
    ('northwind', 'digest', 'Monday digest for the team', 'Every Monday morning, a note to the owner.',
     format($j${
       "trigger": {"type": "schedule", "cron": "0 8 * * 1"},
       "reentry": {"mode": "every_time"},
       "start": "digest",
       "steps": [
         {"id": "digest", "name": "Email the owner", "type": "notify_member", "userId": "d0d0d0d0-0000-4000-8000-000000000001", "next": "done",
          "subject": "Your Monday at Northwind", "text": "Good morning! New contacts, segment changes and automation runs of last week are on the home page."},
         {"id": "done", "name": "Exit", "type": "exit"}
       ]}$j$), true, interval '85 days', 'demo'),
    ('northwind', 'winback', 'Win back lapsed customers', 'Draft: an offer for customers who have not ordered in 90 days.',
     $j${
       "trigger": {"type": "manual"},
       "reentry": {"mode": "after_days", "days": 90},
       "start": "offer",
       "steps": [
         {"id": "offer", "name": "Send the win-back offer", "type": "send_email", "next": "done",
          "email": {"kind": "inline", "subject": "We miss you, {{contact.first_name}}", "text": "Fancy a new trail? Here is 15% off: COMEBACK15."}},
         {"id": "done", "name": "Exit", "type": "exit"}
       ]}$j$, false, interval '3 days', 'jonas'),
    ('bluebird', 'subscriber-welcome', 'Subscriber welcome', 'Thanks new subscribers for their first box.',
     format($j${
       "trigger": {"type": "event", "event": "tag.added", "match": {"tag_id": "%s"}},
       "reentry": {"mode": "once"},
       "start": "thanks",
       "steps": [
         {"id": "thanks", "name": "Send the thank-you", "type": "send_email", "next": "done",
          "email": {"kind": "inline", "subject": "Your first Bluebird box is on its way",
                    "text": "Hi {{contact.first_name}},\n\nFreshly roasted, packed today. Enjoy!\n\nBluebird Coffee Roasters"}},
         {"id": "done", "name": "Exit", "type": "exit"}
       ]}$j$, pg_temp.demo_id('tag:bluebird:Subscriber')), true, interval '55 days', 'maya')
  ) a (org, key, name, description, definition, active, age, author);

-- The CRM's API key, saved as an automation secret (Settings → Automation
-- secrets) that the CRM step's Authorization header names; run records keep
-- the reference, never the value.
insert into public.automation_secrets (org_id, name, value, created_by, created_at, updated_at)
select pg_temp.demo_id('org:northwind'), 'crm_api_key', 'demo-crm-key-not-a-real-secret',
       pg_temp.demo_person('demo'), pg_temp.demo_now() - interval '40 days', pg_temp.demo_now() - interval '40 days';

insert into public.automations (id, org_id, name, description, status, draft, created_by, created_at, updated_at)
select a.id, a.org_id, a.name, a.description, 'draft', a.definition, a.author, a.created_at, a.created_at
  from demo_automations a order by a.created_at;
insert into public.automation_versions (id, org_id, automation_id, version, definition, created_by, created_at)
select a.version_id, a.org_id, a.id, 1, a.definition, a.author, a.created_at
  from demo_automations a where a.active order by a.created_at;

-- Section: runs, as the engine leaves them
create temp table demo_runs (
  id uuid primary key, org_id uuid, automation_id uuid, version_id uuid, dedupe_key text,
  trigger_event_id bigint, subject_type text, subject_id uuid, status text,
  current_step text, wake_at timestamptz, context jsonb, error text, failed_step text,
  started_at timestamptz, finished_at timestamptz
) on commit drop;
create temp table demo_step_runs (
  run_id uuid, org_id uuid, seq integer, step_id text, step_type text, status text,
  input jsonb, output jsonb, error text, attempts smallint, started_at timestamptz, finished_at timestamptz
) on commit drop;

-- Welcome series: one run per newsletter subscriber who entered since it was switched on.
insert into demo_runs
select pg_temp.demo_id('run:welcome:' || e.id), e.org_id, a.id, a.version_id, 'event:' || e.id, e.id, 'contact',
       e.subject_id,
       case when e.occurred_at > pg_temp.demo_now() - interval '3 days' then 'waiting' else 'completed' end,
       case when e.occurred_at > pg_temp.demo_now() - interval '3 days' then 'wait_3_days' end,
       case when e.occurred_at > pg_temp.demo_now() - interval '3 days' then e.occurred_at + interval '3 days 2 seconds' end,
       jsonb_build_object('trigger', 'event', 'event_type', e.type), null, null,
       e.occurred_at + interval '2 seconds',
       case when e.occurred_at <= pg_temp.demo_now() - interval '3 days' then e.occurred_at + interval '3 days 5 seconds' end
  from public.events e
  join demo_automations a on a.key = 'welcome'
 where e.org_id = a.org_id and e.type = 'segment.entered' and e.payload ->> 'segment_id' = pg_temp.demo_id('segment:newsletter')::text
   and e.occurred_at > a.created_at;

insert into demo_step_runs
select r.id, r.org_id, 1, 'welcome_email', 'send_email',
       case when c.status = 'bounced' then 'skipped' else 'succeeded' end,
       case when c.status = 'bounced' then jsonb_build_object('contact_id', c.id)
            else jsonb_build_object('to', c.email, 'subject', 'Welcome to Northwind, ' || c.first_name || '!', 'template_id', null) end,
       case when c.status = 'bounced' then '{"skipped": "The contact is unsubscribed or cannot receive email."}'::jsonb
            else jsonb_build_object('sent', true, 'message_id', '<' || r.id || ':1@automations.growthdesk>') end,
       null, 1, r.started_at, r.started_at + interval '1 second'
  from demo_runs r join public.contacts c on c.id = r.subject_id
 where r.automation_id = pg_temp.demo_id('automation:welcome');
insert into demo_step_runs
select r.id, r.org_id, 2, 'wait_3_days', 'wait', case when r.status = 'waiting' then 'waiting' else 'succeeded' end,
       jsonb_build_object('until', pg_temp.demo_iso(r.started_at + interval '3 days 1 second')),
       case when r.status = 'waiting' then null
            else jsonb_build_object('resumed_at', pg_temp.demo_iso(r.started_at + interval '3 days 3 seconds')) end,
       null, 1, r.started_at + interval '1 second',
       case when r.status = 'waiting' then null else r.started_at + interval '3 days 3 seconds' end
  from demo_runs r where r.automation_id = pg_temp.demo_id('automation:welcome');
insert into demo_step_runs
select r.id, r.org_id, s.seq, s.step_id, s.step_type, 'succeeded', s.input, s.output, null, 1,
       r.finished_at - interval '2 seconds', r.finished_at - interval '1 second'
  from demo_runs r
  join public.contacts c on c.id = r.subject_id
 cross join lateral (select coalesce((c.custom ->> 'orders_count')::numeric > 0, false) as ordered) o
 cross join lateral (values
   (3, 'has_ordered', 'condition', '{}'::jsonb, jsonb_build_object('branch', case when o.ordered then 'then' else 'else' end), true),
   (4, 'first_order_offer', 'send_email',
    jsonb_build_object('to', c.email, 'subject', '10% off your first adventure, ' || c.first_name, 'template_id', null),
    jsonb_build_object('sent', true, 'message_id', '<' || r.id || ':4@automations.growthdesk>'), not o.ordered),
   (case when o.ordered then 4 else 5 end, 'done', 'exit', '{}'::jsonb, '{"exited": true}'::jsonb, true)
 ) s (seq, step_id, step_type, input, output, wanted)
 where r.automation_id = pg_temp.demo_id('automation:welcome') and r.status = 'completed' and s.wanted;

-- VIP thank-you: for each VIP tagged since it was switched on.
insert into demo_runs
select pg_temp.demo_id('run:vip:' || e.id), e.org_id, a.id, a.version_id, 'event:' || e.id, e.id, 'contact',
       e.subject_id, 'completed', null, null, jsonb_build_object('trigger', 'event', 'event_type', e.type), null, null,
       e.occurred_at + interval '1 second', e.occurred_at + interval '4 seconds'
  from public.events e
  join demo_automations a on a.key = 'vip'
 where e.org_id = a.org_id and e.type = 'tag.added' and e.payload ->> 'tag_id' = pg_temp.demo_id('tag:northwind:VIP')::text
   and e.occurred_at > a.created_at;
insert into demo_step_runs
select r.id, r.org_id, s.seq, s.step_id, s.step_type, s.status, s.input, s.output, null, 1,
       r.started_at + s.seq * interval '1 second', r.started_at + s.seq * interval '1 second' + interval '500 milliseconds'
  from demo_runs r
  join public.contacts c on c.id = r.subject_id
 cross join lateral (values
   (1, 'tell_maya', 'notify_member', 'succeeded',
    jsonb_build_object('user_id', pg_temp.demo_id('user:maya'), 'to', 'maya.chen@growthdesk.test',
      'subject', 'New VIP: ' || c.first_name || ' ' || c.last_name),
    '{"sent": true}'::jsonb),
   (2, 'thank_you', 'send_email', case when c.status = 'subscribed' then 'succeeded' else 'skipped' end,
    case when c.status = 'subscribed'
         then jsonb_build_object('to', c.email, 'subject', 'A thank-you from Northwind', 'template_id', null)
         else jsonb_build_object('contact_id', c.id) end,
    case when c.status = 'subscribed' then jsonb_build_object('sent', true, 'message_id', '<' || r.id || ':2@automations.growthdesk>')
         else '{"skipped": "The contact is unsubscribed or cannot receive email."}'::jsonb end),
   (3, 'done', 'exit', 'succeeded', '{}'::jsonb, '{"exited": true}'::jsonb)
 ) s (seq, step_id, step_type, status, input, output)
 where r.automation_id = pg_temp.demo_id('automation:vip');

-- CRM sync: every contact created since; about one in twenty-five failed after three attempts.
insert into demo_runs
select pg_temp.demo_id('run:crm:' || e.id), e.org_id, a.id, a.version_id, 'event:' || e.id, e.id, 'contact',
       e.subject_id, case when f.failed then 'failed' else 'completed' end,
       case when f.failed then 'post_to_crm' end, null, jsonb_build_object('trigger', 'event', 'event_type', e.type),
       case when f.failed then 'Step "Send to the CRM" failed after 3 attempts: HTTP 503: upstream connect error' end,
       case when f.failed then 'post_to_crm' end,
       e.occurred_at + interval '1 second',
       e.occurred_at + case when f.failed then interval '3 minutes 2 seconds' else interval '2 seconds' end
  from public.events e
  join demo_automations a on a.key = 'crm'
 cross join lateral (select pg_temp.demo_rand('crm-failed:' || e.subject_id) < 0.04 as failed) f
 where e.org_id = a.org_id and e.type = 'contact.created' and e.occurred_at > a.created_at;
insert into demo_step_runs
select r.id, r.org_id, 1, 'post_to_crm', 'http_request', case when r.status = 'failed' then 'failed' else 'succeeded' end,
       jsonb_build_object('method', 'POST', 'url', 'https://crm.northwind-outfitters.example/api/leads',
         'headers', jsonb_build_object('content-type', 'application/json', 'Authorization', 'Bearer {{secret:crm_api_key}}',
                                       'Idempotency-Key', r.id || ':1'),
         'body', json_build_object('email', c.email, 'first_name', c.first_name, 'last_name', c.last_name)::text),
       case when r.status = 'failed' then null
            else jsonb_build_object('status', 201, 'body', '{"id": "lead_' || substr(md5(r.id::text), 1, 10) || '"}',
                   'latency_ms', 80 + floor(pg_temp.demo_rand('crm-latency:' || r.id) * 300)::integer) end,
       case when r.status = 'failed' then 'HTTP 503: upstream connect error' end,
       case when r.status = 'failed' then 3 else 1 end,
       r.started_at, case when r.status = 'failed' then r.finished_at else r.finished_at - interval '1 second' end
  from demo_runs r join public.contacts c on c.id = r.subject_id
 where r.automation_id = pg_temp.demo_id('automation:crm');
insert into demo_step_runs
select r.id, r.org_id, 2, 'done', 'exit', 'succeeded', '{}', '{"exited": true}', null, 1, r.finished_at, r.finished_at
  from demo_runs r where r.automation_id = pg_temp.demo_id('automation:crm') and r.status = 'completed';

-- Monday digest: every Monday at 08:00 UTC since it was switched on.
insert into demo_runs
select pg_temp.demo_id('run:digest:' || m.at), a.org_id, a.id, a.version_id,
       'schedule:' || pg_temp.demo_iso(m.at), null, null, null, 'completed',
       null, null,
       jsonb_build_object('trigger', 'schedule', 'scheduled_for', pg_temp.demo_iso(m.at)),
       null, null, m.at + interval '1 second', m.at + interval '3 seconds'
  from demo_automations a
 cross join lateral (
   select g as at from generate_series(
     date_trunc('week', (a.created_at at time zone 'UTC')) + interval '7 days 8 hours',
     pg_temp.demo_now() at time zone 'UTC', interval '7 days') g
 ) x
 cross join lateral (select x.at at time zone 'UTC' as at) m
 where a.key = 'digest' and m.at < pg_temp.demo_now();
insert into demo_step_runs
select r.id, r.org_id, s.seq, s.step_id, s.step_type, 'succeeded', s.input, s.output, null, 1,
       r.started_at + s.seq * interval '500 milliseconds', r.started_at + s.seq * interval '900 milliseconds'
  from demo_runs r
 cross join lateral (values
   (1, 'digest', 'notify_member',
    '{"user_id": "d0d0d0d0-0000-4000-8000-000000000001", "to": "demo@growthdesk.test", "subject": "Your Monday at Northwind"}'::jsonb,
    '{"sent": true}'::jsonb),
   (2, 'done', 'exit', '{}'::jsonb, '{"exited": true}'::jsonb)) s (seq, step_id, step_type, input, output)
 where r.automation_id = pg_temp.demo_id('automation:digest');

insert into public.automation_runs (id, org_id, automation_id, version_id, dedupe_key, trigger_event_id, subject_type,
  subject_id, status, current_step, seq, wake_at, context, error, failed_step, started_at, finished_at, updated_at)
select r.id, r.org_id, r.automation_id, r.version_id, r.dedupe_key, r.trigger_event_id, r.subject_type, r.subject_id,
       r.status::public.automation_run_status, r.current_step, s.seq, r.wake_at, r.context,
       r.error, r.failed_step, r.started_at, r.finished_at, coalesce(r.finished_at, r.started_at + interval '1 second')
  from demo_runs r
  join (select run_id, max(seq) as seq from demo_step_runs group by run_id) s on s.run_id = r.id
 order by r.started_at, r.id;
insert into public.automation_step_runs (org_id, run_id, seq, step_id, step_type, status, input, output, error,
  attempts, idempotency_key, started_at, finished_at)
select s.org_id, s.run_id, s.seq, s.step_id, s.step_type, s.status::public.automation_step_status, s.input, s.output, s.error, s.attempts,
       s.run_id || ':' || s.seq, s.started_at, s.finished_at
  from demo_step_runs s order by s.started_at, s.run_id, s.seq;

-- A waiting run points at the step run it waits on, and has its wake-up queued.
update public.automation_runs r set open_step_run_id = s.id
  from public.automation_step_runs s
 where r.status = 'waiting' and s.run_id = r.id and s.seq = r.seq and r.org_id = pg_temp.demo_id('org:northwind');
select private.automation_wake(r.id, r.wake_at)
  from public.automation_runs r where r.status = 'waiting' order by r.wake_at, r.id;

-- "Once" automations remember who entered (their re-entry policy).
insert into private.automation_entries (automation_id, subject_type, subject_id, last_entered_at, next_allowed_at)
select r.automation_id, r.subject_type, r.subject_id, r.started_at, 'infinity'
  from demo_runs r join demo_automations a on a.id = r.automation_id
 where a.definition #>> '{reentry,mode}' = 'once'
 order by r.started_at, r.id;

-- Section: switched on (as publish_automation does), last
update public.automations t
   set status = 'active', active_version_id = a.version_id,
       trigger_event = case a.definition #>> '{trigger,type}'
         when 'event' then a.definition #>> '{trigger,event}' when 'webhook' then 'webhook.received' end
  from demo_automations a where a.id = t.id and a.active;
select private.enqueue_job('automations_schedule', jsonb_build_object('automationId', a.id, 'versionId', a.version_id),
         'automation_schedule:' || a.id, null, 25)
  from demo_automations a where a.active and a.definition #>> '{trigger,type}' = 'schedule';
