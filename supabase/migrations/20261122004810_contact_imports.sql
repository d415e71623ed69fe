-- Feature: contact imports and exports.
-- An import is uploaded (draft), mapped, then started (queued): a trigger
-- queues the `contacts_import` job in the same transaction. The worker COPYs
-- the file into a staging table, validates and merges set-based, and writes
-- its progress to the import row, which the UI polls. A user may cancel a
-- queued or running import; a running one stops at its next batch and writes
-- nothing. Exports are recorded (who exported what, how many rows).

-- Section: types

create type public.contact_import_status as enum ('draft', 'queued', 'running', 'completed', 'failed', 'cancelled');

-- Section: tables

-- One CSV/TSV import: the file, how its columns map to contact fields, and
-- the progress and outcome of the run.
create table public.contact_imports (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  file_name text not null check (char_length(file_name) between 1 and 255),
  -- Where the upload is kept (src/lib/server/imports/files.ts). Derived from
  -- the ids, so nobody can point the worker at another file.
  file_ref text generated always as (org_id::text || '/' || id::text) stored,
  file_size bigint not null default 0 check (file_size >= 0),
  format text not null default 'csv' check (format in ('csv', 'tsv')),
  encoding text not null default 'utf-8' check (encoding in ('utf-8', 'utf-16le', 'utf-16be', 'windows-1252')),
  headers text[] not null default '{}' check (cardinality(headers) <= 500),
  -- One target per column, in column order: "email", "custom.plan", … or null (skip).
  mapping jsonb not null default '[]'::jsonb constraint contact_imports_mapping_array check (jsonb_typeof(mapping) = 'array'),
  -- { "skipInvalidRows": bool, "tagIds": [uuid…] }
  options jsonb not null default '{}'::jsonb constraint contact_imports_options_object check (jsonb_typeof(options) = 'object'),
  status public.contact_import_status not null default 'draft',
  phase text check (phase in ('reading', 'validating', 'merging', 'finishing')),
  progress real not null default 0 check (progress between 0 and 1),
  total_rows integer,
  processed_rows integer not null default 0,
  inserted_rows integer not null default 0,
  updated_rows integer not null default 0,
  -- Rows merged into another row of the same file (same email).
  merged_rows integer not null default 0,
  failed_rows integer not null default 0,
  error text,
  cancel_requested_at timestamptz,
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  constraint contact_imports_org_id_id_key unique (org_id, id)
);
create index contact_imports_org_id_created_at_idx on public.contact_imports (org_id, created_at desc);
create index contact_imports_created_by_idx on public.contact_imports (created_by);
comment on table public.contact_imports is 'CSV/TSV contact imports: file, column mapping, options, progress and outcome.';

-- The per-row error report of an import: spreadsheet row (header = 1), column, reason.
create table public.contact_import_errors (
  id bigint generated always as identity primary key,
  org_id uuid not null,
  import_id uuid not null,
  row_number integer not null,
  column_name text not null default '',
  reason text not null,
  value text,
  foreign key (org_id, import_id) references public.contact_imports (org_id, id) on delete cascade
);
create index contact_import_errors_import_idx on public.contact_import_errors (org_id, import_id, id);
comment on table public.contact_import_errors is 'Error report of an import: row, column, reason (and the offending value).';

-- Who exported which contacts, when, and how many.
create table public.contact_exports (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  segment_id uuid,
  filter jsonb,
  row_count integer,
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  foreign key (org_id, segment_id) references public.segments (org_id, id) on delete set null (segment_id)
);
create index contact_exports_org_id_created_at_idx on public.contact_exports (org_id, created_at desc);
create index contact_exports_segment_idx on public.contact_exports (org_id, segment_id);
create index contact_exports_created_by_idx on public.contact_exports (created_by);
comment on table public.contact_exports is 'Record of contact exports (segment or filtered view), for accountability.';

-- Section: functions

-- Trigger (row, before update): what a user may do to an import. Describe its
-- file while it is a draft, start it
-- (draft/failed/cancelled → queued, which resets the outcome), change its
-- mapping while it is not running, and request cancellation. The worker
-- (not an API role) writes progress and outcome.
create function private.contact_imports_guard()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  if current_user not in ('authenticated', 'anon') then
    return new;
  end if;
  if (new.file_size, new.headers) is distinct from (old.file_size, old.headers) and old.status <> 'draft' then
    raise exception 'The file of an import cannot change once it has been started.'
      using errcode = '22023', hint = 'import_started';
  end if;
  if (new.mapping, new.options, new.format, new.encoding) is distinct from (old.mapping, old.options, old.format, old.encoding)
     and old.status in ('queued', 'running') then
    raise exception 'This import is already running; cancel it to change its mapping.'
      using errcode = '22023', hint = 'import_running';
  end if;
  if new.cancel_requested_at is distinct from old.cancel_requested_at then
    if old.status not in ('queued', 'running') or new.cancel_requested_at is null then
      raise exception 'Only a queued or running import can be cancelled.'
        using errcode = '22023', hint = 'import_not_running';
    end if;
    new.cancel_requested_at := now();
    -- Not picked up yet: nothing to undo.
    if old.status = 'queued' then
      new.status := 'cancelled';
      new.finished_at := now();
    end if;
    return new;
  end if;
  if new.status is distinct from old.status then
    if new.status <> 'queued' or old.status not in ('draft', 'failed', 'cancelled') then
      raise exception 'An import can only be started from a draft, a failed or a cancelled import.'
        using errcode = '22023', hint = 'import_bad_transition';
    end if;
    new.phase := null;
    new.progress := 0;
    new.total_rows := null;
    new.processed_rows := 0;
    new.inserted_rows := 0;
    new.updated_rows := 0;
    new.merged_rows := 0;
    new.failed_rows := 0;
    new.error := null;
    new.cancel_requested_at := null;
    new.started_at := null;
    new.finished_at := null;
  end if;
  return new;
end;
$$;
comment on function private.contact_imports_guard() is 'Trigger: allowed import transitions for users; resets the outcome on start.';

-- Trigger (row, after insert/update of status): queues the import job when an
-- import becomes queued, in the same transaction.
create function private.contact_imports_queue()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.status = 'queued' and (tg_op = 'INSERT' or old.status is distinct from 'queued') then
    perform private.enqueue_job('contacts_import', jsonb_build_object('importId', new.id),
      'contacts_import:' || new.id, null, 3);
  end if;
  return null;
end;
$$;
comment on function private.contact_imports_queue() is 'Trigger: queues the contacts_import job for a queued import.';

revoke all on function private.contact_imports_guard() from public;
revoke all on function private.contact_imports_queue() from public;

-- Section: triggers
create trigger contact_imports_guard before update on public.contact_imports
  for each row execute function private.contact_imports_guard();
create trigger contact_imports_queue after insert or update of status on public.contact_imports
  for each row execute function private.contact_imports_queue();

-- Section: policies
alter table public.contact_imports enable row level security;
alter table public.contact_import_errors enable row level security;
alter table public.contact_exports enable row level security;

create policy "Members can read their organization's imports"
  on public.contact_imports for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Contact editors can upload imports"
  on public.contact_imports for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('contacts.write')) and status = 'draft');
create policy "Contact editors can start, remap and cancel imports"
  on public.contact_imports for update to authenticated
  using (org_id in (select private.org_ids_with_permission('contacts.write')))
  with check (org_id in (select private.org_ids_with_permission('contacts.write')));
create policy "Contact editors can delete imports that are not running"
  on public.contact_imports for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('contacts.write'))
         and status not in ('queued', 'running'));

create policy "Members can read their organization's import error reports"
  on public.contact_import_errors for select to authenticated
  using (org_id in (select private.user_org_ids()));

create policy "Exporters can read their organization's exports"
  on public.contact_exports for select to authenticated
  using (org_id in (select private.org_ids_with_permission('contacts.export')));
create policy "Exporters can export contacts"
  on public.contact_exports for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('contacts.export'))
              and created_by = (select auth.uid()));
create policy "Exporters can complete their own exports"
  on public.contact_exports for update to authenticated
  using (org_id in (select private.org_ids_with_permission('contacts.export')) and created_by = (select auth.uid()))
  with check (org_id in (select private.org_ids_with_permission('contacts.export')) and created_by = (select auth.uid()));

-- Section: grants
revoke all on public.contact_imports, public.contact_import_errors, public.contact_exports
  from anon, authenticated;

grant select, delete on public.contact_imports to authenticated;
grant insert (org_id, file_name, file_size, format, encoding, headers, mapping, options),
  update (file_size, headers, format, encoding, mapping, options, status, cancel_requested_at)
  on public.contact_imports to authenticated;
grant select on public.contact_import_errors to authenticated;
grant select on public.contact_exports to authenticated;
grant insert (org_id, segment_id, filter), update (row_count, completed_at) on public.contact_exports to authenticated;
