-- Feature: the events outbox and job enqueueing.
-- Domain changes that matter write an event row in the same transaction as the
-- change (from triggers), so nothing that happened is lost when no worker is
-- running. Jobs are enqueued from SQL in that same transaction, through
-- graphile-worker's add_job, so enqueue and data commit together.

-- Section: tables

-- What happened in an organization: the log automations, webhooks, segments
-- ("did X within N days") and contact timelines read.
create table public.events (
  id bigint generated always as identity primary key,
  org_id uuid not null references public.organizations (id) on delete cascade,
  type text not null check (type ~ '^[a-z][a-z_]*(\.[a-z][a-z_]*)+$' and char_length(type) <= 100),
  subject_type text not null check (subject_type ~ '^[a-z][a-z_]*$' and char_length(subject_type) <= 50),
  subject_id uuid,
  actor_id uuid references auth.users (id) on delete set null,
  payload jsonb not null default '{}'::jsonb check (jsonb_typeof(payload) = 'object'),
  occurred_at timestamptz not null default now()
);
create index events_org_id_subject_idx on public.events (org_id, subject_type, subject_id, occurred_at desc);
create index events_org_id_type_idx on public.events (org_id, type, occurred_at desc);
create index events_actor_id_idx on public.events (actor_id);
comment on table public.events is 'Outbox of domain events, written by triggers in the transaction of the change.';

-- Section: functions

-- Records an event. Called by module triggers (security definer), never by clients.
create function private.record_event(
  p_org_id uuid,
  p_type text,
  p_subject_type text,
  p_subject_id uuid,
  p_payload jsonb default '{}'::jsonb
)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  new_id bigint;
begin
  insert into public.events (org_id, type, subject_type, subject_id, actor_id, payload)
  values (p_org_id, p_type, p_subject_type, p_subject_id, (select auth.uid()), coalesce(p_payload, '{}'::jsonb))
  returning id into new_id;
  return new_id;
end;
$$;
comment on function private.record_event(uuid, text, text, uuid, jsonb) is 'Writes an event row in the current transaction.';

-- Enqueues a graphile-worker job in the current transaction. The queue's
-- schema is installed by the worker (`npm run worker:migrate`), so the call is
-- resolved when it runs, not when this migration is applied.
create function private.enqueue_job(
  p_task text,
  p_payload jsonb,
  p_job_key text default null,
  p_run_at timestamptz default null,
  p_max_attempts integer default 25,
  p_queue_name text default null
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform graphile_worker.add_job(
    identifier := p_task,
    payload := p_payload::json,
    queue_name := p_queue_name,
    run_at := p_run_at,
    max_attempts := p_max_attempts,
    job_key := p_job_key);
end;
$$;
comment on function private.enqueue_job(text, jsonb, text, timestamptz, integer, text) is 'Adds a background job in the current transaction.';

revoke all on function private.record_event(uuid, text, text, uuid, jsonb) from public;
revoke all on function private.enqueue_job(text, jsonb, text, timestamptz, integer, text) from public;

-- Section: tenancy events
-- Membership changes are events too (automations: "when a member joins …").

create function private.members_events()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.record_event(new.org_id, 'member.joined', 'member', new.user_id,
      jsonb_build_object('role', new.role));
  elsif tg_op = 'UPDATE' and new.role is distinct from old.role then
    perform private.record_event(new.org_id, 'member.role_changed', 'member', new.user_id,
      jsonb_build_object('from', old.role, 'to', new.role));
  elsif tg_op = 'DELETE' and exists (select 1 from public.organizations where id = old.org_id) then
    perform private.record_event(old.org_id, 'member.left', 'member', old.user_id,
      jsonb_build_object('role', old.role));
  end if;
  return null;
end;
$$;

create function private.invitations_events()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.accepted_at is not null and old.accepted_at is null then
    perform private.record_event(new.org_id, 'invitation.accepted', 'invitation', new.id,
      jsonb_build_object('email', new.email, 'role', new.role, 'user_id', new.accepted_by));
  end if;
  return null;
end;
$$;

revoke all on function private.members_events() from public;
revoke all on function private.invitations_events() from public;

-- Section: triggers
create trigger members_events after insert or update or delete on public.members
  for each row execute function private.members_events();
create trigger invitations_events after update on public.invitations
  for each row execute function private.invitations_events();

-- Section: policies
alter table public.events enable row level security;

create policy "Members can read their organization's events"
  on public.events for select to authenticated
  using (org_id in (select private.user_org_ids()));

-- Section: grants
-- Events are written by triggers and workers, never directly by clients.
revoke all on public.events from anon, authenticated;
grant select on public.events to authenticated;
