-- Demo workspace: brand lift studies. The spring trail shoe launch (an
-- influencer campaign, completed) was measured by a study with a survey panel
-- of people who saw the creators' posts and a held-out group who did not:
-- 1,400 and 1,200 answers, closed. Awareness rose clearly (a significant
-- lift); consideration barely moved (not significant), which is what the
-- report is for. The ambassador team's study waits for review with a short
-- thread of comments. Set-based, triggers off (a closed study cannot be
-- written directly through its workflow); answers are hashes of the
-- respondent; the report's rollups are computed from the answers as the
-- survey would have kept them.

set local session_replication_role = replica;

insert into public.brand_lift_studies (id, org_id, campaign_id, name, status, holdout_percent, baseline_percent,
  target_lift_points, planned_sample, created_by, created_at, updated_at, status_changed_at, launched_at, closed_at)
values
  (pg_temp.demo_id('study:spring-trail'), pg_temp.demo_id('org:northwind'), pg_temp.demo_id('campaign:spring-trail'),
   'Spring launch: did runners notice?', 'closed', 10, 25, 5, 1200, 'd0d0d0d0-0000-4000-8000-000000000001',
   pg_temp.demo_now() - interval '75 days', pg_temp.demo_now() - interval '38 days', pg_temp.demo_now() - interval '38 days',
   pg_temp.demo_now() - interval '68 days', pg_temp.demo_now() - interval '38 days'),
  (pg_temp.demo_id('study:ultra-team'), pg_temp.demo_id('org:northwind'), pg_temp.demo_id('campaign:ultra-team'),
   'Ambassador team: favourability', 'in_review', 10, 40, 4, 2500, 'd0d0d0d0-0000-4000-8000-000000000001',
   pg_temp.demo_now() - interval '4 days', pg_temp.demo_now() - interval '2 days', pg_temp.demo_now() - interval '2 days',
   null, null);

insert into public.brand_lift_questions (id, org_id, study_id, position, kind, prompt, multiple)
select pg_temp.demo_id('question:' || q.key), pg_temp.demo_id('org:northwind'), pg_temp.demo_id('study:' || q.study),
       q.position, q.kind::public.study_question_kind, q.prompt, q.multiple
  from (values
    ('spring-trail', 'awareness', 0, 'awareness', 'Which of these trail running brands have you heard of?', true),
    ('spring-trail', 'consideration', 1, 'consideration', 'Would you consider Northwind Trail for your next pair of trail shoes?', false),
    ('ultra-team', 'favourability', 0, 'favourability', 'How do you feel about Northwind Trail?', false),
    ('ultra-team', 'intent', 1, 'purchase_intent', 'How likely are you to buy from Northwind Trail this season?', false)
  ) q (study, key, position, kind, prompt, multiple);

insert into public.brand_lift_options (id, org_id, study_id, question_id, position, label, positive)
select pg_temp.demo_id('option:' || o.question || ':' || o.position), pg_temp.demo_id('org:northwind'),
       pg_temp.demo_id('study:' || o.study), pg_temp.demo_id('question:' || o.question), o.position, o.label, o.positive
  from (values
    ('spring-trail', 'awareness', 0, 'Northwind Trail', true),
    ('spring-trail', 'awareness', 1, 'Summit Gear', false),
    ('spring-trail', 'awareness', 2, 'Ridgeline', false),
    ('spring-trail', 'awareness', 3, 'None of these', false),
    ('spring-trail', 'consideration', 0, 'Yes, definitely', true),
    ('spring-trail', 'consideration', 1, 'Maybe', false),
    ('spring-trail', 'consideration', 2, 'No', false),
    ('ultra-team', 'favourability', 0, 'Very favourable', true),
    ('ultra-team', 'favourability', 1, 'Somewhat favourable', true),
    ('ultra-team', 'favourability', 2, 'Neutral', false),
    ('ultra-team', 'favourability', 3, 'Unfavourable', false),
    ('ultra-team', 'intent', 0, 'Very likely', true),
    ('ultra-team', 'intent', 1, 'Somewhat likely', false),
    ('ultra-team', 'intent', 2, 'Not likely', false)
  ) o (study, question, position, label, positive);

insert into public.brand_lift_comments (id, org_id, study_id, parent_id, author_id, body, created_at)
values
  (pg_temp.demo_id('study-comment:1'), pg_temp.demo_id('org:northwind'), pg_temp.demo_id('study:ultra-team'), null,
   'd0d0d0d0-0000-4000-8000-000000000001',
   'Ready for a look: two questions, 10 % held out, 2,500 answers per group to see +4 points.',
   pg_temp.demo_now() - interval '2 days'),
  (pg_temp.demo_id('study-comment:2'), pg_temp.demo_id('org:northwind'), pg_temp.demo_id('study:ultra-team'),
   pg_temp.demo_id('study-comment:1'), 'd0d0d0d0-0000-4000-8000-000000000001',
   'Could we add an ad recall question before it goes live?', pg_temp.demo_now() - interval '1 day');

-- The spring study's panel: 1,400 people who saw the posts, 1,200 held out.
create temporary table demo_lift on commit drop as
select pg_temp.demo_id('respondent:spring:' || g || ':' || i) as respondent_id,
       pg_temp.demo_id('response:spring:' || g || ':' || i) as response_id,
       g::public.study_group as "group",
       pg_temp.demo_rand('aware:' || g || ':' || i) as r_aware,
       pg_temp.demo_rand('consider:' || g || ':' || i) as r_consider,
       pg_temp.demo_rand('other:' || g || ':' || i) as r_other,
       pg_temp.demo_now() - interval '68 days' + make_interval(secs => 30 * 86400 * pg_temp.demo_rand('at:' || g || ':' || i)) as at
  from (values ('exposed', 1400), ('control', 1200)) v (g, n)
 cross join generate_series(1, v.n) i;

insert into public.brand_lift_respondents (id, org_id, study_id, contact_id, "group", token, responded_at)
select d.respondent_id, pg_temp.demo_id('org:northwind'), pg_temp.demo_id('study:spring-trail'), null, d."group",
       md5('demo-survey:' || d.respondent_id), d.at
  from demo_lift d;

insert into public.brand_lift_responses (id, org_id, study_id, respondent_id, "group", submitted_at)
select d.response_id, pg_temp.demo_id('org:northwind'), pg_temp.demo_id('study:spring-trail'), d.respondent_id,
       d."group", d.at
  from demo_lift d;

-- Awareness: 41 % of the exposed name Northwind Trail against 30 % held out;
-- everyone also picks another answer now and then. Consideration: 24 % vs 22.5 %.
insert into public.brand_lift_answers (org_id, study_id, response_id, question_id, option_id)
select pg_temp.demo_id('org:northwind'), pg_temp.demo_id('study:spring-trail'), d.response_id,
       pg_temp.demo_id('question:awareness'), pg_temp.demo_id('option:awareness:' || a.position)
  from demo_lift d
 cross join lateral (
   select 0 as position where d.r_aware < case when d."group" = 'exposed' then 0.41 else 0.30 end
   union all
   select 1 where d.r_other < 0.35
   union all
   select 2 where d.r_other >= 0.35 and d.r_other < 0.55
   union all
   select 3 where d.r_aware >= case when d."group" = 'exposed' then 0.41 else 0.30 end and d.r_other >= 0.55
 ) a;
insert into public.brand_lift_answers (org_id, study_id, response_id, question_id, option_id)
select pg_temp.demo_id('org:northwind'), pg_temp.demo_id('study:spring-trail'), d.response_id,
       pg_temp.demo_id('question:consideration'),
       pg_temp.demo_id('option:consideration:' ||
         case when d.r_consider < case when d."group" = 'exposed' then 0.24 else 0.225 end then 0
              when d.r_consider < 0.6 then 1 else 2 end)
  from demo_lift d;

-- The report's rollups, as the survey keeps them.
insert into public.brand_lift_question_totals (org_id, study_id, question_id, "group", answered, positive)
select pg_temp.demo_id('org:northwind'), x.study_id, x.question_id, x."group", count(*), count(*) filter (where x.positive)
  from (select a.study_id, a.question_id, r."group", bool_or(o.positive) as positive
          from public.brand_lift_answers a
          join public.brand_lift_responses r on r.id = a.response_id
          join public.brand_lift_options o on o.id = a.option_id
         where a.study_id = pg_temp.demo_id('study:spring-trail')
         group by a.study_id, a.response_id, a.question_id, r."group") x
 group by x.study_id, x.question_id, x."group";
insert into public.brand_lift_option_totals (org_id, study_id, question_id, option_id, "group", answers)
select pg_temp.demo_id('org:northwind'), a.study_id, a.question_id, a.option_id, r."group", count(*)
  from public.brand_lift_answers a
  join public.brand_lift_responses r on r.id = a.response_id
 where a.study_id = pg_temp.demo_id('study:spring-trail')
 group by a.study_id, a.question_id, a.option_id, r."group";

insert into public.events (org_id, type, subject_type, subject_id, actor_id, payload, occurred_at)
select pg_temp.demo_id('org:northwind'), 'study.status_changed', 'study', s.id, 'd0d0d0d0-0000-4000-8000-000000000001',
       jsonb_build_object('campaign_id', s.campaign_id, 'from', t.from_status, 'to', t.to_status), t2.at
  from public.brand_lift_studies s
  join (values
    ('study:spring-trail', 'draft', 'in_review', 72), ('study:spring-trail', 'in_review', 'approved', 70),
    ('study:spring-trail', 'approved', 'live', 68), ('study:spring-trail', 'live', 'closed', 38),
    ('study:ultra-team', 'draft', 'in_review', 2)
  ) t (study, from_status, to_status, days_ago) on s.id = pg_temp.demo_id(t.study)
 cross join lateral (select pg_temp.demo_now() - make_interval(days => t.days_ago) as at) t2(at)
 order by t2.at;

set local session_replication_role = origin;
