-- Feature: segments. A segment is a named AND/OR rule tree over contacts
-- (standard fields, custom fields, tags, events), compiled to parameterized SQL
-- by the app (src/lib/server/segments). Memberships are materialized and kept
-- current by the worker:
--   * a change to a contact, its tags or its events marks the contact pending
--     and queues `segments_apply_changes` for the organization (one job per
--     organization, keyed, so a burst of edits is one run);
--   * a large change (an import) queues a full `segment_refresh` instead;
--   * each segment is also reconciled in the background (`segment_refresh`
--     re-queues itself), which catches "within the last N days" windows that
--     close with time.
-- Why not in the writer's transaction: the rules are compiled in TypeScript,
-- every contact write would cost one query per segment, and a 1M-row import
-- would cost 1M × segments. The delay is the worker's poll interval.
-- Entered/exited events are recorded once a segment has been built; its first
-- build (and a rebuild after its rules change) records none.

-- Section: tables

-- A saved segment: its rule tree, the cached member count and when it was built.
create table public.segments (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  description text not null default '' check (char_length(description) <= 500),
  rules jsonb not null constraint segments_rules_object check (jsonb_typeof(rules) = 'object'),
  cached_count integer,
  refreshed_at timestamptz,
  -- Why the last build failed (e.g. a rule refers to a field since deleted).
  error text,
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint segments_org_id_name_key unique (org_id, name),
  constraint segments_org_id_id_key unique (org_id, id)
);
create index segments_created_by_idx on public.segments (created_by);
comment on table public.segments is 'Saved segments: an AND/OR rule tree over contacts, with a cached count.';

-- The contacts a segment currently holds. Written by the worker only.
create table public.segment_memberships (
  org_id uuid not null,
  segment_id uuid not null,
  contact_id uuid not null,
  entered_at timestamptz not null default now(),
  primary key (org_id, segment_id, contact_id),
  foreign key (org_id, segment_id) references public.segments (org_id, id) on delete cascade,
  foreign key (org_id, contact_id) references public.contacts (org_id, id) on delete cascade
);
create index segment_memberships_contact_idx on public.segment_memberships (org_id, contact_id);
comment on table public.segment_memberships is 'Current members of each segment, maintained by the worker.';

-- Contacts changed since their memberships were last computed.
create table private.segment_pending_contacts (
  org_id uuid not null references public.organizations (id) on delete cascade,
  contact_id uuid not null,
  primary key (org_id, contact_id)
);
comment on table private.segment_pending_contacts is 'Contacts whose segment memberships must be recomputed.';

-- Section: functions

-- Queues a full rebuild of every segment of an organization.
create function private.refresh_org_segments(p_org_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  segment_id uuid;
begin
  for segment_id in select s.id from public.segments s where s.org_id = p_org_id loop
    perform private.enqueue_job('segment_refresh', jsonb_build_object('segmentId', segment_id),
      'segment_refresh:' || segment_id);
  end loop;
end;
$$;
comment on function private.refresh_org_segments(uuid) is 'Queues a rebuild of all segments of an organization.';

-- Marks contacts of an organization as changed: pending rows plus one keyed
-- job, or a full rebuild when the change is large (cheaper set-based).
create function private.note_contact_changes(p_org_id uuid, p_count bigint, p_contact_ids uuid[])
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not exists (select 1 from public.segments s where s.org_id = p_org_id) then
    return;
  end if;
  if p_count > 5000 then
    perform private.refresh_org_segments(p_org_id);
    return;
  end if;
  insert into private.segment_pending_contacts (org_id, contact_id)
  select p_org_id, id from unnest(p_contact_ids) id
  on conflict do nothing;
  perform private.enqueue_job('segments_apply_changes', jsonb_build_object('orgId', p_org_id),
    'segments_apply_changes:' || p_org_id);
end;
$$;
comment on function private.note_contact_changes(uuid, bigint, uuid[]) is 'Marks contacts pending for segment recomputation and queues the work.';

-- Trigger (statement, on contacts insert/update, contact_tags insert/delete and
-- events insert): notes the contacts touched, per organization.
create function private.segments_note_contacts()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  touched record;
begin
  if tg_table_name = 'contacts' then
    for touched in select n.org_id, count(*) as n from new_rows n group by n.org_id loop
      perform private.note_contact_changes(touched.org_id, touched.n,
        case when touched.n > 5000 then '{}'::uuid[]
             else array(select x.id from new_rows x where x.org_id = touched.org_id) end);
    end loop;
  elsif tg_table_name = 'contact_tags' and tg_op = 'INSERT' then
    for touched in
      select n.org_id, count(*) as n, array_agg(distinct n.contact_id) as ids from new_rows n group by n.org_id
    loop
      perform private.note_contact_changes(touched.org_id, touched.n, touched.ids);
    end loop;
  elsif tg_table_name = 'contact_tags' then
    for touched in
      select d.org_id, count(*) as n, array_agg(distinct d.contact_id) as ids
        from old_rows d where exists (select 1 from public.organizations o where o.id = d.org_id)
       group by d.org_id
    loop
      perform private.note_contact_changes(touched.org_id, touched.n, touched.ids);
    end loop;
  else
    -- Events of other modules ("opened an email") can move a contact into or
    -- out of an event rule; our own contact, tag, consent and segment events
    -- are already covered by the triggers above.
    for touched in
      select e.org_id, count(*) as n, array_agg(distinct e.subject_id) as ids
        from new_rows e
       where e.subject_type = 'contact' and e.subject_id is not null
         and split_part(e.type, '.', 1) not in ('contact', 'tag', 'consent', 'segment')
       group by e.org_id
    loop
      perform private.note_contact_changes(touched.org_id, touched.n, touched.ids);
    end loop;
  end if;
  return null;
end;
$$;
comment on function private.segments_note_contacts() is 'Trigger: notes contacts whose segment memberships may have changed.';

-- Trigger (row, segments): a new segment, or new rules, means a fresh build;
-- until it is done the count is unknown and no entered/exited events are
-- recorded for it.
create function private.segments_before_write()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' or new.rules is distinct from old.rules then
    new.cached_count := null;
    new.refreshed_at := null;
    new.error := null;
  end if;
  if tg_op = 'UPDATE' then
    new.updated_at := now();
  end if;
  return new;
end;
$$;
comment on function private.segments_before_write() is 'Trigger: resets the cached state of a segment whose rules change.';

-- Trigger (row, after insert/update of rules): queues the build.
create function private.segments_queue_build()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' or new.rules is distinct from old.rules then
    perform private.enqueue_job('segment_refresh', jsonb_build_object('segmentId', new.id),
      'segment_refresh:' || new.id);
  end if;
  return null;
end;
$$;
comment on function private.segments_queue_build() is 'Trigger: queues a segment build when it is created or its rules change.';

-- Trigger (statement, segment_memberships): records segment.entered and
-- segment.exited on the contact's timeline, for built segments only.
create function private.segment_memberships_events()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    insert into public.events (org_id, type, subject_type, subject_id, actor_id, payload)
    select n.org_id, 'segment.entered', 'contact', n.contact_id, null,
           jsonb_build_object('segment_id', n.segment_id, 'segment', s.name)
      from new_rows n join public.segments s on s.id = n.segment_id
     where s.refreshed_at is not null;
  else
    insert into public.events (org_id, type, subject_type, subject_id, actor_id, payload)
    select d.org_id, 'segment.exited', 'contact', d.contact_id, null,
           jsonb_build_object('segment_id', d.segment_id, 'segment', s.name)
      from old_rows d join public.segments s on s.id = d.segment_id
     where s.refreshed_at is not null
       and exists (select 1 from public.contacts c where c.id = d.contact_id);
  end if;
  return null;
end;
$$;
comment on function private.segment_memberships_events() is 'Trigger: records segment.entered / segment.exited.';

-- The worker takes a batch of pending contacts of an organization (and removes
-- them from the queue in the same transaction as it applies their changes).
create function private.take_pending_contacts(p_org_id uuid, p_limit integer)
returns setof uuid
language sql
security definer
set search_path = ''
as $$
  delete from private.segment_pending_contacts p
   where p.org_id = p_org_id
     and p.contact_id in (select x.contact_id from private.segment_pending_contacts x
                           where x.org_id = p_org_id limit p_limit for update skip locked)
  returning p.contact_id;
$$;
comment on function private.take_pending_contacts(uuid, integer) is 'Dequeues up to p_limit pending contacts of an organization (worker only).';

-- Queues the next background reconcile of a segment. An earlier run_at (a
-- rebuild queued by a rules change) is kept, not pushed back.
create function private.schedule_segment_refresh(p_segment_id uuid, p_delay_seconds integer)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform graphile_worker.add_job(
    identifier := 'segment_refresh',
    payload := json_build_object('segmentId', p_segment_id),
    run_at := now() + make_interval(secs => p_delay_seconds),
    job_key := 'segment_refresh:' || p_segment_id,
    job_key_mode := 'preserve_run_at');
end;
$$;
comment on function private.schedule_segment_refresh(uuid, integer) is 'Queues the periodic reconcile of a segment (worker only).';

revoke all on function private.schedule_segment_refresh(uuid, integer) from public;
grant execute on function private.schedule_segment_refresh(uuid, integer) to service_role;
revoke all on function private.refresh_org_segments(uuid) from public;
revoke all on function private.note_contact_changes(uuid, bigint, uuid[]) from public;
revoke all on function private.segments_note_contacts() from public;
revoke all on function private.segments_before_write() from public;
revoke all on function private.segments_queue_build() from public;
revoke all on function private.segment_memberships_events() from public;
revoke all on function private.take_pending_contacts(uuid, integer) from public;
grant execute on function private.take_pending_contacts(uuid, integer) to service_role;
grant execute on function private.refresh_org_segments(uuid) to service_role;

-- Section: triggers
create trigger segments_before_write before insert or update on public.segments
  for each row execute function private.segments_before_write();
create trigger segments_queue_build after insert or update of rules on public.segments
  for each row execute function private.segments_queue_build();
create trigger segment_memberships_after_insert after insert on public.segment_memberships
  referencing new table as new_rows
  for each statement execute function private.segment_memberships_events();
create trigger segment_memberships_after_delete after delete on public.segment_memberships
  referencing old table as old_rows
  for each statement execute function private.segment_memberships_events();

create trigger contacts_note_segments_insert after insert on public.contacts
  referencing new table as new_rows
  for each statement execute function private.segments_note_contacts();
create trigger contacts_note_segments_update after update on public.contacts
  referencing new table as new_rows
  for each statement execute function private.segments_note_contacts();
create trigger contact_tags_note_segments_insert after insert on public.contact_tags
  referencing new table as new_rows
  for each statement execute function private.segments_note_contacts();
create trigger contact_tags_note_segments_delete after delete on public.contact_tags
  referencing old table as old_rows
  for each statement execute function private.segments_note_contacts();
create trigger events_note_segments after insert on public.events
  referencing new table as new_rows
  for each statement execute function private.segments_note_contacts();

-- Section: policies
alter table public.segments enable row level security;
alter table public.segment_memberships enable row level security;

create policy "Members can read their organization's segments"
  on public.segments for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Contact editors can create segments"
  on public.segments for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('contacts.write')));
create policy "Contact editors can change segments"
  on public.segments for update to authenticated
  using (org_id in (select private.org_ids_with_permission('contacts.write')))
  with check (org_id in (select private.org_ids_with_permission('contacts.write')));
create policy "Contact editors can delete segments"
  on public.segments for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('contacts.write')));

create policy "Members can read their organization's segment memberships"
  on public.segment_memberships for select to authenticated
  using (org_id in (select private.user_org_ids()));

-- Section: grants
-- Counts, build state and memberships are the worker's to write.
revoke all on public.segments, public.segment_memberships from anon, authenticated;
revoke all on private.segment_pending_contacts from public;

grant select, delete on public.segments to authenticated;
grant insert (org_id, name, description, rules), update (name, description, rules)
  on public.segments to authenticated;
grant select on public.segment_memberships to authenticated;
