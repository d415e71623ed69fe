-- Demo workspace: the June newsletter (65-message-sending.sql, its responses
-- in 66-message-tracking.sql) tested its subject line. Three subjects went to
-- a 20 % sample, split as private.message_test_assign splits one (ranked by
-- md5(campaign id || contact id), variant = rank mod 3); after the four hours'
-- wait the subject with the best open rate in the sample won, as
-- private.message_test_decide picks it (its own numbers function, ties to the
-- lower variant), and the rest of the audience got the winner four hours
-- later (their sends and responses moved by the wait). The report is rebuilt
-- from the moved events. Set-based, triggers off, deterministic: the winner is
-- whatever the demo's responses say.

set local session_replication_role = replica;

insert into public.message_subject_tests (campaign_id, org_id, subjects, sample_percent, wait_minutes, metric,
  updated_at)
values (pg_temp.demo_id('campaign:june-newsletter'), pg_temp.demo_id('org:northwind'),
        array['The June arrivals are here: Ridge 3, Alpine shell, merino',
              '10 % off new trail gear, {{contact.first_name | "runner"}}: this week only'],
        20, 240, 'opens', pg_temp.demo_now() - interval '36 days');

-- Everyone the message went to (not those held back), ranked as the trigger ranks them.
create temporary table demo_test_ranks on commit drop as
select r.id, row_number() over (order by md5(r.campaign_id::text || r.contact_id::text), r.id) as n
  from public.message_recipients r
 where r.campaign_id = pg_temp.demo_id('campaign:june-newsletter') and r.status <> 'suppressed';

create temporary table demo_test_size on commit drop as
select least(count(*), greatest(3, round(count(*) * 20 / 100.0)))::integer as sample from demo_test_ranks;

-- The sample's variants; the rest held back while the sample's numbers are read.
update public.message_recipients r
   set variant = case when k.n <= s.sample then ((k.n - 1) % 3)::smallint else 0 end,
       not_before = case when k.n <= s.sample then null else 'infinity'::timestamptz end
  from demo_test_ranks k, demo_test_size s
 where r.id = k.id;

create temporary table demo_test_decision on commit drop as
select x.numbers,
       coalesce((select (v->>'variant')::smallint
                   from jsonb_array_elements(x.numbers) v
                  order by coalesce((v->>'opened')::numeric / nullif((v->>'sent')::numeric, 0), 0) desc,
                           (v->>'variant')::smallint
                  limit 1), 0) as winner
  from (select private.message_test_numbers(pg_temp.demo_id('campaign:june-newsletter')) as numbers) x;

-- The rest: the winner's subject, sent (and responded to) after the wait.
create temporary table demo_test_rest on commit drop as
select r.id from public.message_recipients r
 where r.campaign_id = pg_temp.demo_id('campaign:june-newsletter') and r.not_before = 'infinity'::timestamptz;

update public.message_recipients r
   set variant = d.winner, not_before = null, sent_at = r.sent_at + interval '4 hours'
  from demo_test_decision d, demo_test_rest x
 where r.id = x.id;

update public.events e
   set occurred_at = e.occurred_at + interval '4 hours'
  from demo_test_rest x
 where e.org_id = pg_temp.demo_id('org:northwind') and e.type like 'message.%'
   and e.payload->>'recipient_id' = x.id::text;

update public.message_subject_tests t
   set sample_size = s.sample,
       decide_at = m.started_at + interval '4 hours',
       decided_at = m.started_at + interval '4 hours',
       winner = d.winner,
       results = d.numbers
  from demo_test_size s, demo_test_decision d, public.message_sends m
 where t.campaign_id = pg_temp.demo_id('campaign:june-newsletter') and m.campaign_id = t.campaign_id;

update public.message_sends
   set finished_at = finished_at + interval '4 hours'
 where campaign_id = pg_temp.demo_id('campaign:june-newsletter');

set local session_replication_role = origin;

select private.rebuild_message_report(pg_temp.demo_id('campaign:june-newsletter'));
