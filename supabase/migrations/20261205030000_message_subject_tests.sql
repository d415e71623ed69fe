-- Feature: A/B tests of an email campaign's subject line (issue 15, part 7).
-- A campaign may test 2–4 subjects: variant 0 is the message's own subject
-- (message_sends.subject), variants 1–3 the test's other subjects. When
-- sending starts, after the audience is frozen (private.message_freeze,
-- unchanged: this runs from its own trigger after it), a sample share of the
-- recipients who will get the message is drawn and split evenly between the
-- variants; everyone else is held back (not_before = 'infinity', which no
-- claim takes, and which keeps the campaign from finishing). After the wait,
-- the worker's message_test_decide job picks the variant with the best rate
-- of the chosen metric (unique opens or unique clicks per message sent) in
-- the sample, gives the held recipients that variant and releases them. Each
-- recipient row has exactly one variant, set once before it can be claimed
-- (a held row is never claimable before it gets the winner's), so nobody
-- gets two subjects.
--
-- Assignment is deterministic: recipients are ranked by md5(campaign id ||
-- contact id) (then row id), the first `sample` of them are in the sample and
-- variant = rank mod variants. The same campaign and audience always give the
-- same split.
--
-- Ties: the highest rate wins; equal rates go to the lower variant number,
-- so the message's own subject (variant 0) wins a tie: without evidence a new
-- subject is better, the one written first stays.

-- Section: types

create type public.message_test_metric as enum ('opens', 'clicks');

-- Section: tables

-- A campaign's subject-line test: the other subjects, the sample's share of
-- the audience, the wait before the winner is picked and by which metric;
-- then what happened (sample size, when it is decided, the winner and the
-- sample's numbers at that moment).
create table public.message_subject_tests (
  campaign_id uuid primary key,
  org_id uuid not null,
  -- Variants 1..3 (variant 0 is message_sends.subject).
  subjects text[] not null constraint message_subject_tests_subjects_check
    check (cardinality(subjects) between 1 and 3 and array_position(subjects, null) is null),
  sample_percent smallint not null default 20 check (sample_percent between 2 and 50),
  wait_minutes integer not null default 240 check (wait_minutes between 1 and 10080),
  metric public.message_test_metric not null default 'opens',
  sample_size integer check (sample_size >= 0),
  decide_at timestamptz,
  winner smallint check (winner between 0 and 3),
  decided_at timestamptz,
  -- The sample's numbers when the winner was picked: [{variant, sent, opened, clicked}].
  results jsonb,
  updated_at timestamptz not null default now(),
  constraint message_subject_tests_org_id_campaign_id_key unique (org_id, campaign_id),
  foreign key (org_id, campaign_id) references public.message_sends (org_id, campaign_id) on delete cascade
);
create index message_subject_tests_org_id_idx on public.message_subject_tests (org_id);
comment on table public.message_subject_tests is
  'A/B test of a campaign''s subject line: 1–3 subjects besides the message''s own, the sample share, the wait and the metric; the winner once picked.';

-- Section: functions

-- Trigger (row, before insert or update or delete of message_subject_tests):
-- the test can change only while the message can (draft or scheduled); the
-- subjects are 1–200 characters each, distinct from each other and from the
-- message's subject. The decision columns are written only by the functions
-- below (column grants keep them from the API).
create function private.message_subject_tests_guard()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_send record;
  v_row public.message_subject_tests := coalesce(new, old);
begin
  select s.status, s.subject into v_send from public.message_sends s where s.campaign_id = v_row.campaign_id;
  if tg_op = 'UPDATE' and (new.subjects, new.sample_percent, new.wait_minutes, new.metric)
                          is not distinct from (old.subjects, old.sample_percent, old.wait_minutes, old.metric) then
    new.updated_at := now();
    return new;
  end if;
  if v_send.status not in ('draft', 'scheduled') then
    raise exception 'This campaign has started sending: its subject test can no longer change.'
      using errcode = '23514', table = 'message_subject_tests', column = 'subjects', hint = 'message_locked';
  end if;
  if tg_op = 'DELETE' then
    return old;
  end if;
  if exists (select 1 from unnest(new.subjects) s where char_length(btrim(s)) not between 1 and 200) then
    raise exception 'Each subject to test needs 1 to 200 characters.'
      using errcode = '23514', table = 'message_subject_tests', column = 'subjects',
            constraint = 'message_subject_tests_subjects_check';
  end if;
  if (select count(distinct btrim(s)) from unnest(new.subjects || v_send.subject) s) < cardinality(new.subjects) + 1 then
    raise exception 'Each subject to test must differ from the others and from the message''s subject.'
      using errcode = '23514', table = 'message_subject_tests', column = 'subjects',
            constraint = 'message_subject_tests_subjects_check';
  end if;
  new.sample_size := null; new.decide_at := null; new.winner := null; new.decided_at := null; new.results := null;
  new.updated_at := now();
  return new;
end;
$$;
comment on function private.message_subject_tests_guard() is
  'Trigger: a subject test changes only before sending, with 1–3 distinct subjects of 1–200 characters.';

-- The sample's numbers per variant: messages sent, and of those the unique
-- opens and clicks (first engagements). The sample is every recipient who
-- gets the message except those held back for the winner.
create function private.message_test_numbers(p_campaign_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object('variant', x.variant, 'sent', x.sent, 'opened', x.opened,
                                               'clicked', x.clicked) order by x.variant), '[]')
    from (select r.variant, count(*) filter (where r.status = 'sent') as sent,
                 count(*) filter (where exists (select 1 from private.message_engagements e
                                                 where e.recipient_id = r.id and e.what = -1)) as opened,
                 count(*) filter (where exists (select 1 from private.message_engagements e
                                                 where e.recipient_id = r.id and e.what = -2)) as clicked
            from public.message_recipients r
           where r.campaign_id = p_campaign_id and r.status <> 'suppressed'
             and r.not_before is distinct from 'infinity'::timestamptz
           group by r.variant) x;
$$;
comment on function private.message_test_numbers(uuid) is
  'A subject test''s sample numbers per variant: sent, unique opens, unique clicks.';

-- Trigger (row, after update of message_sends; fires after
-- message_sends_after_update, which froze the recipients): when a campaign
-- with a subject test starts sending, draws the sample, assigns the variants,
-- holds the rest back and schedules the decision.
create function private.message_test_assign()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_test public.message_subject_tests;
  v_variants integer;
  v_total integer;
  v_sample integer;
begin
  select * into v_test from public.message_subject_tests t where t.campaign_id = new.campaign_id for update;
  if v_test.campaign_id is null then
    return null;
  end if;
  v_variants := 1 + cardinality(v_test.subjects);
  select count(*) into v_total from public.message_recipients r
   where r.campaign_id = new.campaign_id and r.status = 'queued';
  -- At least one person per variant; everyone when the audience is that small.
  v_sample := least(v_total, greatest(v_variants, round(v_total * v_test.sample_percent / 100.0)::integer));
  with ranked as (
    select r.id, row_number() over (order by md5(new.campaign_id::text || r.contact_id::text), r.id) as n
      from public.message_recipients r
     where r.campaign_id = new.campaign_id and r.status = 'queued'
  )
  update public.message_recipients r
     set variant = case when k.n <= v_sample then ((k.n - 1) % v_variants)::smallint else 0 end,
         not_before = case when k.n <= v_sample then r.not_before else 'infinity'::timestamptz end
    from ranked k
   where r.id = k.id;
  update public.message_subject_tests t
     set sample_size = v_sample, decide_at = clock_timestamp() + make_interval(mins => t.wait_minutes)
   where t.campaign_id = new.campaign_id
  returning * into v_test;
  perform private.enqueue_job('message_test_decide', jsonb_build_object('campaign_id', new.campaign_id),
    'message_test_decide:' || new.campaign_id, v_test.decide_at, 25, null);
  return null;
end;
$$;
comment on function private.message_test_assign() is
  'Trigger: when a campaign with a subject test starts sending, assigns the sample''s variants and holds the rest for the winner.';

-- The worker's message_test_decide job (at decide_at): picks the winner by the
-- metric's rate in the sample (ties: the lower variant, see the file header),
-- gives the held recipients the winner's variant and releases them. A sample
-- still being sent is waited for (the job comes back in a minute); a
-- cancelled campaign is left. Returns the winner, or null when not decided.
create function private.message_test_decide(p_campaign_id uuid, p_force boolean default false)
returns smallint
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_test public.message_subject_tests;
  v_status public.message_send_status;
  v_numbers jsonb;
  v_winner smallint;
begin
  select * into v_test from public.message_subject_tests t where t.campaign_id = p_campaign_id for update;
  if v_test.campaign_id is null or v_test.sample_size is null then
    return null;
  end if;
  if v_test.winner is not null then
    return v_test.winner;
  end if;
  select s.status into v_status from public.message_sends s where s.campaign_id = p_campaign_id;
  if v_status = 'cancelled' then
    return null;
  end if;
  if not p_force and exists (select 1 from public.message_recipients r
                              where r.campaign_id = p_campaign_id and r.status in ('queued', 'claimed')
                                and r.not_before is distinct from 'infinity'::timestamptz) then
    perform private.enqueue_job('message_test_decide', jsonb_build_object('campaign_id', p_campaign_id),
      'message_test_decide:' || p_campaign_id, clock_timestamp() + interval '1 minute', 25, null);
    return null;
  end if;
  v_numbers := private.message_test_numbers(p_campaign_id);
  select (x->>'variant')::smallint into v_winner
    from jsonb_array_elements(v_numbers) x
   order by coalesce((x->>(case v_test.metric when 'opens' then 'opened' else 'clicked' end))::numeric
                     / nullif((x->>'sent')::numeric, 0), 0) desc,
            (x->>'variant')::smallint
   limit 1;
  v_winner := coalesce(v_winner, 0);
  update public.message_recipients r
     set variant = v_winner, not_before = null
   where r.campaign_id = p_campaign_id and r.status = 'queued' and r.not_before = 'infinity'::timestamptz;
  update public.message_subject_tests t
     set winner = v_winner, decided_at = clock_timestamp(), results = v_numbers
   where t.campaign_id = p_campaign_id;
  perform pg_notify('message_send', p_campaign_id::text);
  return v_winner;
end;
$$;
comment on function private.message_test_decide(uuid, boolean) is
  'Worker: picks a subject test''s winner by the metric''s rate in the sample and releases the held recipients with it.';

-- The report's numbers per variant for a member of the organization: every
-- recipient who got the variant (after the decision the winner's includes
-- the rest of the audience), sent, unique opens and clicks.
create function private.message_test_report(p_campaign_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object('variant', x.variant, 'sent', x.sent, 'opened', x.opened,
                                               'clicked', x.clicked) order by x.variant), '[]')
    from (select r.variant, count(*) as sent,
                 count(*) filter (where exists (select 1 from private.message_engagements e
                                                 where e.recipient_id = r.id and e.what = -1)) as opened,
                 count(*) filter (where exists (select 1 from private.message_engagements e
                                                 where e.recipient_id = r.id and e.what = -2)) as clicked
            from public.message_recipients r
           where r.campaign_id = p_campaign_id and r.status = 'sent'
             and r.org_id in (select private.user_org_ids())
           group by r.variant) x;
$$;
comment on function private.message_test_report(uuid) is
  'Report: a subject test''s numbers per variant (sent, unique opens, unique clicks) for members of the campaign''s organization.';

revoke all on function private.message_subject_tests_guard() from public;
revoke all on function private.message_test_numbers(uuid) from public;
revoke all on function private.message_test_assign() from public;
revoke all on function private.message_test_decide(uuid, boolean) from public;
revoke all on function private.message_test_report(uuid) from public;
grant execute on function private.message_test_decide(uuid, boolean) to service_role;
grant execute on function private.message_test_report(uuid) to authenticated;

-- Section: triggers

create trigger message_subject_tests_guard before insert or update or delete on public.message_subject_tests
  for each row execute function private.message_subject_tests_guard();
-- Named to fire after message_sends_after_update (same event: alphabetical order).
create trigger message_sends_subject_test after update on public.message_sends
  for each row when (new.status = 'sending' and old.status in ('draft', 'scheduled'))
  execute function private.message_test_assign();

-- Section: policies

alter table public.message_subject_tests enable row level security;

create policy "Members can read their organization's subject tests"
  on public.message_subject_tests for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Campaign editors can set up a subject test"
  on public.message_subject_tests for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));
create policy "Campaign editors can change a subject test"
  on public.message_subject_tests for update to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.write')))
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));
create policy "Campaign editors can remove a subject test"
  on public.message_subject_tests for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.write')));

-- Section: grants

revoke all on public.message_subject_tests from anon, authenticated;
grant select, delete on public.message_subject_tests to authenticated;
grant insert (campaign_id, org_id, subjects, sample_percent, wait_minutes, metric)
  on public.message_subject_tests to authenticated;
grant update (subjects, sample_percent, wait_minutes, metric) on public.message_subject_tests to authenticated;
