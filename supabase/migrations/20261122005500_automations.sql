-- Feature: automations. An automation is a versioned definition (a trigger, a
-- re-entry policy and a graph of steps); activating it publishes an immutable
-- version, and every run keeps the version it started on. Runs are per subject
-- (usually a contact) with a status and a per-step history: input, output,
-- error, attempts and timings.
--
-- The engine lives in the worker (src/worker/automations). This migration
-- gives it:
--   * a statement trigger on events that, in the transaction of the change,
--     queues one dispatch job per batch of events that an active automation
--     listens to (nothing is queued for events nobody listens to);
--   * automation_runs_admit(), which applies the re-entry policy atomically
--     (private.automation_entries), and automation_flush(), which writes what
--     the executor did in one call;
--   * automation_wake(), which schedules a run's next slice (waits, retries).
-- Graph validation happens in the app before publish_automation() is called
-- (src/lib/automations/validate.ts); the worker re-parses every version it
-- runs, so a definition written around the app fails its runs, loudly.

-- Section: types

create type public.automation_status as enum ('draft', 'active', 'archived');

-- running: a step is due or executing; waiting: a wait step; retrying: a
-- failed step waits for its next attempt.
create type public.automation_run_status as enum (
  'running', 'waiting', 'retrying', 'completed', 'failed', 'cancelled');

create type public.automation_step_status as enum (
  'running', 'waiting', 'retrying', 'succeeded', 'failed', 'skipped', 'cancelled');

-- Section: tables

-- Email templates that send-email steps use (merge fields: {{contact.first_name}}).
create table public.email_templates (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  subject text not null check (char_length(btrim(subject)) between 1 and 200),
  body_text text not null check (char_length(body_text) between 1 and 20000),
  body_html text check (char_length(body_html) <= 100000),
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint email_templates_org_id_name_key unique (org_id, name),
  constraint email_templates_org_id_id_key unique (org_id, id)
);
create index email_templates_created_by_idx on public.email_templates (created_by);
comment on table public.email_templates is 'Email templates with merge fields, used by send-email steps.';

-- An automation: its name, status, the draft being edited and the active version.
create table public.automations (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  description text not null default '' check (char_length(description) <= 500),
  status public.automation_status not null default 'draft',
  -- The definition being edited; validated when it is published, not on save.
  draft jsonb not null default '{}'::jsonb
    constraint automations_draft_object check (jsonb_typeof(draft) = 'object'),
  active_version_id uuid,
  -- Copied from the active version: the event type that starts runs (null for
  -- manual and schedule triggers). The events trigger matches on it.
  trigger_event text,
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint automations_org_id_id_key unique (org_id, id),
  constraint automations_active_has_version check (status <> 'active' or active_version_id is not null)
);
create index automations_org_id_created_at_idx on public.automations (org_id, created_at desc);
create index automations_trigger_idx on public.automations (org_id, trigger_event) where status = 'active';
create index automations_created_by_idx on public.automations (created_by);
comment on table public.automations is 'Automations: a draft definition, a status and the published version new runs use.';

-- A published definition. Immutable: runs keep the version they started on.
create table public.automation_versions (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  automation_id uuid not null,
  version integer not null check (version > 0),
  definition jsonb not null constraint automation_versions_definition_object check (jsonb_typeof(definition) = 'object'),
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  constraint automation_versions_automation_id_version_key unique (automation_id, version),
  constraint automation_versions_org_id_id_key unique (org_id, id),
  foreign key (org_id, automation_id) references public.automations (org_id, id) on delete cascade
);
create index automation_versions_org_id_automation_id_idx on public.automation_versions (org_id, automation_id, version desc);
create index automation_versions_created_by_idx on public.automation_versions (created_by);
comment on table public.automation_versions is 'Published, immutable automation definitions (trigger + graph of steps).';

alter table public.automations
  add constraint automations_active_version_id_fkey foreign key (org_id, active_version_id)
  references public.automation_versions (org_id, id);
create index automations_org_id_active_version_id_idx on public.automations (org_id, active_version_id);

-- One pass of a subject through an automation version.
create table public.automation_runs (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  automation_id uuid not null,
  version_id uuid not null,
  -- What made the run unique: 'event:<id>', 'schedule:<time>', 'manual:<uuid>'.
  dedupe_key text not null check (char_length(dedupe_key) <= 200),
  trigger_event_id bigint,
  subject_type text check (subject_type ~ '^[a-z][a-z_]*$'),
  subject_id uuid,
  status public.automation_run_status not null default 'running',
  -- The step to execute next (or being executed, waited on, retried).
  current_step text,
  -- Step executions so far; the next one gets seq + 1.
  seq integer not null default 0,
  -- The step run left open by a wait, a retry or an executing side effect.
  open_step_run_id bigint,
  wake_at timestamptz,
  context jsonb not null default '{}'::jsonb check (jsonb_typeof(context) = 'object'),
  error text,
  failed_step text,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  updated_at timestamptz not null default now(),
  constraint automation_runs_org_id_id_key unique (org_id, id),
  constraint automation_runs_automation_id_dedupe_key_key unique (automation_id, dedupe_key),
  foreign key (org_id, automation_id) references public.automations (org_id, id) on delete cascade,
  foreign key (org_id, version_id) references public.automation_versions (org_id, id) on delete cascade
);
create index automation_runs_org_id_started_at_idx on public.automation_runs (org_id, started_at desc, id);
create index automation_runs_org_id_automation_id_idx on public.automation_runs (org_id, automation_id, started_at desc, id);
create index automation_runs_org_id_version_id_idx on public.automation_runs (org_id, version_id);
create index automation_runs_org_id_status_idx on public.automation_runs (org_id, status, started_at desc, id);
create index automation_runs_org_id_subject_idx on public.automation_runs (org_id, subject_type, subject_id, started_at desc);
create index automation_runs_due_idx on public.automation_runs (wake_at) where status in ('waiting', 'retrying');
comment on table public.automation_runs is 'Runs of automations per subject, with status, position and the version they started on.';

-- One execution of one step in a run (a loop through a wait executes a step again).
create table public.automation_step_runs (
  id bigint generated always as identity primary key,
  org_id uuid not null,
  run_id uuid not null,
  seq integer not null check (seq > 0),
  step_id text not null,
  step_type text not null,
  status public.automation_step_status not null,
  input jsonb not null default '{}'::jsonb,
  output jsonb,
  error text,
  attempts smallint not null default 0,
  -- Sent with side effects (Idempotency-Key, Message-ID): the same across retries of this step run.
  idempotency_key text not null,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  next_attempt_at timestamptz,
  constraint automation_step_runs_run_id_seq_key unique (run_id, seq),
  foreign key (org_id, run_id) references public.automation_runs (org_id, id) on delete cascade
);
create index automation_step_runs_org_id_run_id_idx on public.automation_step_runs (org_id, run_id, seq);
comment on table public.automation_step_runs is 'Per-step history of runs: input, output, error, attempts, timings.';

-- Who entered which automation when, for the re-entry policy ("once",
-- "after N days"). next_allowed_at is when the subject may enter again.
create table private.automation_entries (
  automation_id uuid not null references public.automations (id) on delete cascade,
  subject_type text not null,
  subject_id uuid not null,
  last_entered_at timestamptz not null,
  next_allowed_at timestamptz not null,
  entries integer not null default 1,
  primary key (automation_id, subject_type, subject_id)
);
comment on table private.automation_entries is 'Last entry of each subject into each automation (re-entry policy).';

-- Section: functions

-- Queues a run's next slice (a wait ends, a retry is due, a manual start).
-- Keyed per run, so rescheduling replaces the pending wake-up.
create function private.automation_wake(p_run_id uuid, p_at timestamptz default null)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.enqueue_job('automations_resume', jsonb_build_object('runId', p_run_id),
    'automation_run:' || p_run_id, p_at, 25);
end;
$$;
comment on function private.automation_wake(uuid, timestamptz) is 'Schedules the next slice of a run (worker and RPCs).';

-- Queues the next firing of a schedule trigger (one pending job per automation).
create function private.automation_schedule(p_automation_id uuid, p_version_id uuid, p_at timestamptz)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.enqueue_job('automations_schedule',
    jsonb_build_object('automationId', p_automation_id, 'versionId', p_version_id, 'at', p_at),
    'automation_schedule:' || p_automation_id, p_at, 25);
end;
$$;
comment on function private.automation_schedule(uuid, uuid, timestamptz) is 'Schedules the next firing of a schedule trigger (worker only).';

-- Decides which candidate runs may start, applying each one's re-entry policy
-- atomically (private.automation_entries), without creating them: the worker
-- executes the first steps in memory and inserts each run in its final state
-- (one write per run, not an insert and an update). Returns, per candidate,
-- the id of the run to create (created), or of the run an earlier, interrupted
-- attempt already created for the same dedupe key. Refused candidates are left
-- out. Candidates: [{automation_id, dedupe_key, subject_type, subject_id,
-- trigger_event_id, reentry, reentry_days}].
create function private.automation_runs_admit(p_candidates jsonb, p_now timestamptz default now())
returns table (automation_id uuid, dedupe_key text, run_id uuid, created boolean,
  status public.automation_run_status)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
begin
  return query
  with c as (
    select x.*, row_number() over (
             partition by x.automation_id, x.subject_type, x.subject_id
             order by x.trigger_event_id nulls last, x.dedupe_key) as rank
      from jsonb_to_recordset(p_candidates) as x (
        automation_id uuid, dedupe_key text, trigger_event_id bigint, subject_type text, subject_id uuid,
        reentry text, reentry_days integer)
  ),
  existing as (
    select r.automation_id, r.dedupe_key, r.id, r.status from public.automation_runs r
      join c on r.automation_id = c.automation_id and r.dedupe_key = c.dedupe_key
  ),
  fresh as (
    select c.* from c
     where not exists (select 1 from existing e where e.automation_id = c.automation_id and e.dedupe_key = c.dedupe_key)
  ),
  entered as (
    insert into private.automation_entries as en (automation_id, subject_type, subject_id, last_entered_at, next_allowed_at)
    select f.automation_id, f.subject_type, f.subject_id, p_now,
           case when f.reentry = 'once' then 'infinity'::timestamptz
                else p_now + make_interval(days => coalesce(f.reentry_days, 1)) end
      from fresh f
     where f.reentry <> 'every_time' and f.subject_id is not null and f.subject_type is not null and f.rank = 1
    on conflict on constraint automation_entries_pkey do update
       set last_entered_at = excluded.last_entered_at,
           next_allowed_at = excluded.next_allowed_at,
           entries = en.entries + 1
     where en.next_allowed_at <= excluded.last_entered_at
    returning en.automation_id, en.subject_type, en.subject_id
  )
  select f.automation_id, f.dedupe_key, gen_random_uuid(), true, 'running'::public.automation_run_status
    from fresh f
   where f.reentry = 'every_time' or f.subject_id is null or f.subject_type is null
      or (f.rank = 1 and exists (select 1 from entered e
                                  where e.automation_id = f.automation_id and e.subject_type = f.subject_type
                                    and e.subject_id = f.subject_id))
  union all
  select e.automation_id, e.dedupe_key, e.id, false, e.status from existing e;
end;
$$;
comment on function private.automation_runs_admit(jsonb, timestamptz) is 'Applies re-entry and dedupe to candidate runs; returns the runs to create or resume (worker only).';

-- Writes what a slice of the executor did, in one call (plans cached per
-- session): new runs in their final state, new and closed step runs, updated
-- runs (with the id of the step run they leave open) and wake-ups.
create function private.automation_flush(
  p_new_runs jsonb, p_runs jsonb, p_step_runs jsonb, p_closes jsonb, p_wakes jsonb)
returns void
language plpgsql
set search_path = ''
as $$
begin
  if jsonb_array_length(p_new_runs) > 0 then
    insert into public.automation_runs (id, org_id, automation_id, version_id, dedupe_key, trigger_event_id,
      subject_type, subject_id, status, current_step, seq, wake_at, context, error, failed_step,
      started_at, finished_at, updated_at)
    select x.id, x.org_id, x.automation_id, x.version_id, x.dedupe_key, x.trigger_event_id, x.subject_type,
           x.subject_id, x.status, x.current_step, x.seq, x.wake_at, coalesce(x.context, '{}'::jsonb), x.error,
           x.failed_step, x.started_at, x.finished_at, x.updated_at
      from jsonb_to_recordset(p_new_runs) as x (id uuid, org_id uuid, automation_id uuid, version_id uuid,
           dedupe_key text, trigger_event_id bigint, subject_type text, subject_id uuid,
           status public.automation_run_status, current_step text, seq integer, wake_at timestamptz,
           context jsonb, error text, failed_step text, started_at timestamptz, finished_at timestamptz,
           updated_at timestamptz);
  end if;
  if jsonb_array_length(p_step_runs) > 0 then
    insert into public.automation_step_runs (org_id, run_id, seq, step_id, step_type, status, input, output,
      error, attempts, idempotency_key, started_at, finished_at, next_attempt_at)
    select x.org_id, x.run_id, x.seq, x.step_id, x.step_type, x.status, x.input, x.output, x.error,
           x.attempts, x.idempotency_key, x.started_at, x.finished_at, x.next_attempt_at
      from jsonb_to_recordset(p_step_runs) as x (org_id uuid, run_id uuid, seq integer, step_id text,
           step_type text, status public.automation_step_status, input jsonb, output jsonb, error text,
           attempts smallint, idempotency_key text, started_at timestamptz, finished_at timestamptz,
           next_attempt_at timestamptz);
  end if;
  if jsonb_array_length(p_closes) > 0 then
    update public.automation_step_runs s
       set status = x.status, output = x.output, error = x.error, attempts = x.attempts,
           finished_at = x.finished_at, next_attempt_at = x.next_attempt_at
      from jsonb_to_recordset(p_closes) as x (id bigint, status public.automation_step_status, output jsonb,
           error text, attempts smallint, finished_at timestamptz, next_attempt_at timestamptz)
     where s.id = x.id;
  end if;
  if jsonb_array_length(p_runs) > 0 then
    update public.automation_runs r
       set status = x.status, current_step = x.current_step, seq = x.seq,
           open_step_run_id = case when x.open then coalesce(x.open_id,
             (select s.id from public.automation_step_runs s where s.run_id = r.id and s.seq = x.seq)) end,
           wake_at = x.wake_at, error = x.error, failed_step = x.failed_step,
           finished_at = x.finished_at, updated_at = x.updated_at
      from jsonb_to_recordset(p_runs) as x (id uuid, status public.automation_run_status, current_step text,
           seq integer, open boolean, open_id bigint, wake_at timestamptz, error text, failed_step text,
           finished_at timestamptz, updated_at timestamptz)
     where r.id = x.id;
  end if;
  -- New runs left waiting point at the step run they wait on (a HOT update: nothing indexed changes).
  update public.automation_runs r
     set open_step_run_id = s.id
    from jsonb_to_recordset(p_new_runs) as x (id uuid, seq integer, open boolean),
         public.automation_step_runs s
   where x.open and r.id = x.id and s.run_id = x.id and s.seq = x.seq;
  perform private.automation_wake(w.id, w.at)
     from jsonb_to_recordset(p_wakes) as w (id uuid, at timestamptz);
end;
$$;
comment on function private.automation_flush(jsonb, jsonb, jsonb, jsonb, jsonb) is 'Writes the runs and step runs a slice of the executor produced (worker only).';

-- Takes up to p_limit more dispatch jobs that are waiting (due, unlocked, never
-- attempted) off the queue, in the caller's transaction, and returns their
-- event ids: under load one dispatch job handles the backlog as one batch.
-- The jobs are deleted in the transaction that starts their events' runs, so
-- each event is still dispatched exactly once; if it rolls back, they stay.
create function private.automations_claim_dispatches(p_limit integer)
returns bigint[]
language plpgsql
security definer
set search_path = ''
as $$
declare
  ids bigint[];
begin
  with claimed as (
    select j.id
      from graphile_worker._private_jobs j
     where j.is_available and j.job_queue_id is null and j.attempts = 0 and j.run_at <= now()
       and j.task_id = (select t.id from graphile_worker._private_tasks t
                         where t.identifier = 'automations_dispatch')
     order by j.priority, j.run_at
     limit p_limit
       for update skip locked
  ),
  gone as (
    delete from graphile_worker._private_jobs j using claimed c where j.id = c.id returning j.payload
  )
  select coalesce(array_agg(e::bigint), '{}') into ids
    from gone, json_array_elements_text(gone.payload -> 'events') e;
  return ids;
end;
$$;
comment on function private.automations_claim_dispatches(integer) is 'Takes waiting dispatch jobs off the queue into the caller''s batch (worker only).';

-- Trigger (statement, after insert on events): queues the dispatch of events
-- that an active automation listens to, in batches of 500, in the transaction
-- that recorded them. Erasing a contact also redacts its runs' step history.
create function private.automations_route_events()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  batch jsonb;
begin
  for batch in
    select jsonb_agg(m.id order by m.id)
      from (select e.id, (row_number() over (order by e.id) - 1) / 500 as chunk
              from new_events e
             where exists (select 1 from public.automations a
                            where a.org_id = e.org_id and a.trigger_event = e.type and a.status = 'active')) m
     group by m.chunk
  loop
    perform private.enqueue_job('automations_dispatch', jsonb_build_object('events', batch), null, null, 25);
  end loop;

  if exists (select 1 from new_events e where e.type = 'contact.erased') then
    update public.automation_step_runs s
       set input = '{"redacted": true}'::jsonb,
           output = case when s.output is null then null else '{"redacted": true}'::jsonb end,
           error = case when s.error is null then null else '[redacted: the contact was erased]' end
      from public.automation_runs r, new_events e
     where e.type = 'contact.erased' and r.org_id = e.org_id and r.subject_type = 'contact'
       and r.subject_id = e.subject_id and s.org_id = r.org_id and s.run_id = r.id;
  end if;
  return null;
end;
$$;
comment on function private.automations_route_events() is 'Trigger: queues automation dispatch for events an active automation listens to.';

-- Publishes a definition as the automation's next version and activates it.
-- The app validates the graph first (validateGraph); the worker re-checks.
create function public.publish_automation(p_automation_id uuid, p_definition jsonb)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  target public.automations;
  next_version integer;
  new_version_id uuid;
  trigger_type text := p_definition #>> '{trigger,type}';
begin
  select * into target from public.automations where id = p_automation_id for update;
  if not found or not private.has_permission(target.org_id, 'automations.write') then
    raise exception 'Automation not found.' using errcode = 'P0002', hint = 'automation_not_found';
  end if;
  if jsonb_typeof(p_definition) is distinct from 'object' or trigger_type is null
     or jsonb_typeof(p_definition -> 'steps') is distinct from 'array' then
    raise exception 'The definition needs a trigger and steps.' using errcode = '22023', hint = 'definition_invalid';
  end if;
  select coalesce(max(v.version), 0) + 1 into next_version
    from public.automation_versions v where v.automation_id = target.id;
  insert into public.automation_versions (org_id, automation_id, version, definition)
  values (target.org_id, target.id, next_version, p_definition)
  returning id into new_version_id;
  update public.automations
     set status = 'active', active_version_id = new_version_id, draft = p_definition,
         trigger_event = case trigger_type
           when 'event' then p_definition #>> '{trigger,event}'
           when 'webhook' then 'webhook.received' end
   where id = target.id;
  if trigger_type = 'schedule' then
    perform private.enqueue_job('automations_schedule',
      jsonb_build_object('automationId', target.id, 'versionId', new_version_id),
      'automation_schedule:' || target.id, null, 25);
  else
    perform graphile_worker.remove_job('automation_schedule:' || target.id);
  end if;
  return next_version;
end;
$$;
comment on function public.publish_automation(uuid, jsonb) is 'Publishes a definition as a new immutable version and activates the automation.';

-- Pauses (draft) or archives an automation: no new runs start. Runs in flight
-- finish on their version unless p_cancel_runs.
create function public.set_automation_status(
  p_automation_id uuid,
  p_status public.automation_status,
  p_cancel_runs boolean default false
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  target public.automations;
begin
  select * into target from public.automations where id = p_automation_id for update;
  if not found or not private.has_permission(target.org_id, 'automations.write') then
    raise exception 'Automation not found.' using errcode = 'P0002', hint = 'automation_not_found';
  end if;
  if p_status = 'active' then
    if target.active_version_id is null then
      raise exception 'Publish the automation to activate it.' using errcode = '22023', hint = 'not_published';
    end if;
  else
    perform graphile_worker.remove_job('automation_schedule:' || target.id);
  end if;
  update public.automations set status = p_status where id = target.id;
  if p_status = 'active' and (select v.definition #>> '{trigger,type}' from public.automation_versions v
                               where v.id = target.active_version_id) = 'schedule' then
    perform private.enqueue_job('automations_schedule',
      jsonb_build_object('automationId', target.id, 'versionId', target.active_version_id),
      'automation_schedule:' || target.id, null, 25);
  end if;
  if p_cancel_runs then
    perform private.cancel_runs(array(
      select r.id from public.automation_runs r
       where r.org_id = target.org_id and r.automation_id = target.id
         and r.status in ('running', 'waiting', 'retrying')));
  end if;
end;
$$;
comment on function public.set_automation_status(uuid, public.automation_status, boolean) is 'Pauses, archives or re-activates an automation; optionally cancels its runs.';

-- Cancels runs that have not finished (shared by the RPCs).
create function private.cancel_runs(p_run_ids uuid[])
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  cancelled integer;
  run_id uuid;
begin
  update public.automation_step_runs s
     set status = 'cancelled', finished_at = now(), next_attempt_at = null
    from public.automation_runs r
   where r.id = any (p_run_ids) and r.status in ('running', 'waiting', 'retrying')
     and s.id = r.open_step_run_id and s.status in ('running', 'waiting', 'retrying');
  update public.automation_runs r
     set status = 'cancelled', finished_at = now(), wake_at = null, open_step_run_id = null, updated_at = now()
   where r.id = any (p_run_ids) and r.status in ('running', 'waiting', 'retrying');
  get diagnostics cancelled = row_count;
  foreach run_id in array p_run_ids loop
    perform graphile_worker.remove_job('automation_run:' || run_id);
  end loop;
  return cancelled;
end;
$$;
comment on function private.cancel_runs(uuid[]) is 'Cancels unfinished runs and drops their pending wake-ups.';

-- Cancels one run. A step already executing finishes, but nothing after it runs.
create function public.cancel_automation_run(p_run_id uuid)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  target public.automation_runs;
begin
  select * into target from public.automation_runs where id = p_run_id for update;
  if not found or not private.has_permission(target.org_id, 'automations.write') then
    raise exception 'Run not found.' using errcode = 'P0002', hint = 'run_not_found';
  end if;
  return private.cancel_runs(array[target.id]) = 1;
end;
$$;
comment on function public.cancel_automation_run(uuid) is 'Cancels an unfinished run; false when it had already finished.';

-- Retries a failed run from the step that failed (a fresh step run, so a new
-- idempotency key: the failed attempt is kept in the history).
create function public.retry_automation_run(p_run_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  target public.automation_runs;
begin
  select * into target from public.automation_runs where id = p_run_id for update;
  if not found or not private.has_permission(target.org_id, 'automations.write') then
    raise exception 'Run not found.' using errcode = 'P0002', hint = 'run_not_found';
  end if;
  if target.status <> 'failed' then
    raise exception 'Only a failed run can be retried.' using errcode = '22023', hint = 'run_not_failed';
  end if;
  update public.automation_runs
     set status = 'running', current_step = coalesce(target.failed_step, target.current_step),
         error = null, failed_step = null, finished_at = null, open_step_run_id = null,
         wake_at = null, updated_at = now()
   where id = target.id;
  perform private.automation_wake(target.id, null);
end;
$$;
comment on function public.retry_automation_run(uuid) is 'Restarts a failed run at its failed step.';

-- Starts a run by hand (the manual trigger, or "run now" for a contact).
-- Returns null when the re-entry policy refuses the subject.
create function public.start_automation_run(
  p_automation_id uuid,
  p_subject_type text default null,
  p_subject_id uuid default null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  target public.automations;
  definition jsonb;
  started record;
begin
  select * into target from public.automations where id = p_automation_id;
  if not found or not private.has_permission(target.org_id, 'automations.write') then
    raise exception 'Automation not found.' using errcode = 'P0002', hint = 'automation_not_found';
  end if;
  if target.status <> 'active' then
    raise exception 'Activate the automation to run it.' using errcode = '22023', hint = 'automation_inactive';
  end if;
  if (p_subject_type is null) <> (p_subject_id is null) then
    raise exception 'Give both the subject type and id, or neither.' using errcode = '22023', hint = 'subject_invalid';
  end if;
  if p_subject_type = 'contact' and not exists (
      select 1 from public.contacts c where c.org_id = target.org_id and c.id = p_subject_id and c.erased_at is null) then
    raise exception 'Contact not found.' using errcode = 'P0002', hint = 'contact_not_found';
  end if;
  select v.definition into definition from public.automation_versions v where v.id = target.active_version_id;
  select * into started from private.automation_runs_admit(jsonb_build_array(jsonb_build_object(
    'automation_id', target.id, 'dedupe_key', 'manual:' || gen_random_uuid(),
    'subject_type', p_subject_type, 'subject_id', p_subject_id,
    'reentry', coalesce(definition #>> '{reentry,mode}', 'every_time'),
    'reentry_days', (definition #>> '{reentry,days}')::integer)));
  if started.run_id is null then
    return null;
  end if;
  insert into public.automation_runs (id, org_id, automation_id, version_id, dedupe_key, subject_type, subject_id,
    current_step, context)
  values (started.run_id, target.org_id, target.id, target.active_version_id, started.dedupe_key, p_subject_type,
    p_subject_id, definition ->> 'start',
    jsonb_build_object('trigger', 'manual', 'started_by', (select auth.uid())));
  perform private.automation_wake(started.run_id, null);
  return started.run_id;
end;
$$;
comment on function public.start_automation_run(uuid, text, uuid) is 'Starts a run by hand; null when the re-entry policy refuses the subject.';

revoke all on function private.automation_wake(uuid, timestamptz) from public;
revoke all on function private.automation_schedule(uuid, uuid, timestamptz) from public;
revoke all on function private.automation_runs_admit(jsonb, timestamptz) from public;
revoke all on function private.automation_flush(jsonb, jsonb, jsonb, jsonb, jsonb) from public;
revoke all on function private.automations_claim_dispatches(integer) from public;
revoke all on function private.automations_route_events() from public;
revoke all on function private.cancel_runs(uuid[]) from public;
revoke all on function public.publish_automation(uuid, jsonb) from public, anon;
revoke all on function public.set_automation_status(uuid, public.automation_status, boolean) from public, anon;
revoke all on function public.cancel_automation_run(uuid) from public, anon;
revoke all on function public.retry_automation_run(uuid) from public, anon;
revoke all on function public.start_automation_run(uuid, text, uuid) from public, anon;
grant execute on function private.automation_wake(uuid, timestamptz) to service_role;
grant execute on function private.automation_schedule(uuid, uuid, timestamptz) to service_role;
grant execute on function private.automation_runs_admit(jsonb, timestamptz) to service_role;
grant execute on function private.automation_flush(jsonb, jsonb, jsonb, jsonb, jsonb) to service_role;
grant execute on function private.automations_claim_dispatches(integer) to service_role;
grant execute on function public.publish_automation(uuid, jsonb) to authenticated;
grant execute on function public.set_automation_status(uuid, public.automation_status, boolean) to authenticated;
grant execute on function public.cancel_automation_run(uuid) to authenticated;
grant execute on function public.retry_automation_run(uuid) to authenticated;
grant execute on function public.start_automation_run(uuid, text, uuid) to authenticated;

-- Section: triggers
create trigger automations_route_events after insert on public.events
  referencing new table as new_events
  for each statement execute function private.automations_route_events();
create trigger automations_set_updated_at before update on public.automations
  for each row execute function private.set_updated_at();
create trigger email_templates_set_updated_at before update on public.email_templates
  for each row execute function private.set_updated_at();

-- Section: policies
alter table public.email_templates enable row level security;
alter table public.automations enable row level security;
alter table public.automation_versions enable row level security;
alter table public.automation_runs enable row level security;
alter table public.automation_step_runs enable row level security;

create policy "Members can read their organization's email templates"
  on public.email_templates for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Automation editors can create email templates"
  on public.email_templates for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('automations.write')));
create policy "Automation editors can change email templates"
  on public.email_templates for update to authenticated
  using (org_id in (select private.org_ids_with_permission('automations.write')))
  with check (org_id in (select private.org_ids_with_permission('automations.write')));
create policy "Automation editors can delete email templates"
  on public.email_templates for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('automations.write')));

create policy "Members can read their organization's automations"
  on public.automations for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Automation editors can create automations"
  on public.automations for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('automations.write')));
create policy "Automation editors can change automations"
  on public.automations for update to authenticated
  using (org_id in (select private.org_ids_with_permission('automations.write')))
  with check (org_id in (select private.org_ids_with_permission('automations.write')));
create policy "Automation editors can delete automations"
  on public.automations for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('automations.write')));

create policy "Members can read their organization's automation versions"
  on public.automation_versions for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Members can read their organization's automation runs"
  on public.automation_runs for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Members can read their organization's automation step runs"
  on public.automation_step_runs for select to authenticated
  using (org_id in (select private.user_org_ids()));

-- Section: grants
-- Versions, runs and step runs are written by the RPCs above and the worker;
-- status and the active version change only through the RPCs.
revoke all on public.email_templates, public.automations, public.automation_versions,
  public.automation_runs, public.automation_step_runs from anon, authenticated;
revoke all on private.automation_entries from public;

grant select, delete on public.email_templates to authenticated;
grant insert (org_id, name, subject, body_text, body_html),
  update (name, subject, body_text, body_html) on public.email_templates to authenticated;
grant select, delete on public.automations to authenticated;
grant insert (org_id, name, description, draft), update (name, description, draft)
  on public.automations to authenticated;
grant select on public.automation_versions, public.automation_runs, public.automation_step_runs
  to authenticated;
