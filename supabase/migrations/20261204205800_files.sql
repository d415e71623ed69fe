-- Feature: files. Every organization keeps its files in Supabase Storage under
-- paths that start with its id (`<org id>/<folder>/…/<file>`), in three buckets:
-- `org-files` (the asset manager, private), `campaign-creatives` (private) and
-- `site-public` (published site images, public). Storage checks each request
-- against the policies on storage.objects below, read from the path's first
-- segment with (storage.foldername(name))[1]: members read, files.write uploads
-- and renames or moves one's own files, files.manage (admins) deletes or moves
-- anyone's. `public.files` catalogues every object of those buckets (size, type,
-- checksum, image size, who uploaded it, alt text), kept in step by triggers on
-- storage.objects, so the app lists, searches and sums files with SQL under RLS.
-- Folders are derived from object names; an empty folder is Storage's usual
-- `.emptyFolderPlaceholder` object, catalogued like any other (flagged).

-- Section: permissions

insert into public.permissions (name, description) values
  ('files.manage', 'Delete or move anyone''s files and folders');

insert into public.base_role_permissions (role, permission) values
  ('owner', 'files.manage'),
  ('admin', 'files.manage');

-- Section: buckets
-- Sizes in bytes. Wildcards (`image/*`) are matched by Storage. `text/plain`
-- is there for folder placeholders (empty objects) as much as for notes.

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types) values
  ('org-files', 'org-files', false, 104857600, array[
    'image/*', 'video/*', 'audio/*', 'application/pdf', 'text/plain', 'text/csv',
    'application/zip', 'application/json',
    'application/msword', 'application/vnd.ms-excel', 'application/vnd.ms-powerpoint',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation']),
  ('campaign-creatives', 'campaign-creatives', false, 1073741824, array[
    'image/*', 'video/*', 'audio/*', 'application/pdf', 'text/plain']),
  ('site-public', 'site-public', true, 10485760, array[
    'image/*', 'video/mp4', 'video/webm', 'application/pdf', 'text/plain'])
on conflict (id) do nothing;

-- Section: tables

-- One row per object in the app's buckets, written only by the triggers on
-- storage.objects (no insert or delete through the API): what the asset
-- manager lists, searches, filters and sums without asking Storage.
create table public.files (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  -- storage.objects.id; no foreign key into Storage's schema (Storage owns it),
  -- private.files_orphans() reports any drift.
  object_id uuid not null constraint files_object_id_key unique,
  bucket_id text not null,
  -- The object's full name, `<org id>/<folder>/<file name>`.
  name text not null,
  -- The path between the organization's id and the file name ('' at the top).
  folder text not null,
  file_name text not null,
  -- Storage's empty-folder marker: keeps an empty folder, never shown as a file.
  is_folder_marker boolean generated always as (file_name = '.emptyFolderPlaceholder') stored,
  size bigint not null default 0 check (size >= 0),
  mime_type text,
  -- The object's ETag as Storage reports it (an MD5 of the bytes for single-part uploads).
  checksum text,
  width integer check (width > 0),
  height integer check (height > 0),
  alt_text text not null default '' check (char_length(alt_text) <= 1000),
  uploaded_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint files_bucket_id_name_key unique (bucket_id, name)
);
comment on table public.files is 'Catalogue of the objects in the app''s Storage buckets, kept in step by triggers on storage.objects.';

create index files_org_id_bucket_id_folder_idx on public.files (org_id, bucket_id, folder text_pattern_ops);
create index files_org_id_created_at_idx on public.files (org_id, created_at desc);
create index files_uploaded_by_idx on public.files (uploaded_by);

-- Section: functions (private helpers; security definer, empty search_path)

-- The organization an object belongs to: its path's first segment, when that
-- is an organization's id (null otherwise).
create function private.storage_object_org_id(p_name text)
returns uuid
language sql
immutable
set search_path = ''
as $$
  select case
    when split_part(p_name, '/', 1) ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
     and position('/' in p_name) > 0
    then split_part(p_name, '/', 1)::uuid
  end;
$$;
comment on function private.storage_object_org_id(text) is 'The organization id an object''s path starts with, or null.';

-- Whether a bucket is one of the app's (catalogued, under org-prefixed paths).
create function private.is_app_bucket(p_bucket_id text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select p_bucket_id in ('org-files', 'campaign-creatives', 'site-public');
$$;
comment on function private.is_app_bucket(text) is 'True for the buckets whose objects are catalogued in public.files.';

-- A positive integer from a JSON value, or null (image sizes the browser sends
-- as upload metadata; anything else is ignored rather than failing the upload).
create function private.jsonb_positive_int(p_value jsonb)
returns integer
language sql
immutable
set search_path = ''
as $$
  select case when jsonb_typeof(p_value) = 'number' and (p_value #>> '{}') ~ '^[0-9]{1,9}$'
                   and (p_value #>> '{}')::integer > 0
              then (p_value #>> '{}')::integer end;
$$;
comment on function private.jsonb_positive_int(jsonb) is 'A positive integer JSON number, else null.';

-- Writes (or rewrites) the catalogue row of one object of an app bucket.
-- Storage inserts an object once its bytes are stored, updates it on upsert,
-- metadata change or move (same id, new name). Refuses an object outside an
-- organization's folder, so every object has its row.
create function private.files_sync_object(p_object storage.objects)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_org_id uuid := private.storage_object_org_id(p_object.name);
  v_segments text[] := string_to_array(p_object.name, '/');
  v_uploader uuid;
begin
  if v_org_id is null or not exists (select 1 from public.organizations o where o.id = v_org_id) then
    raise exception 'Files must be stored in a folder named after their organization (got "%").', p_object.name
      using errcode = '23514', hint = 'files_outside_organization';
  end if;
  v_uploader := coalesce(p_object.owner,
    case when p_object.owner_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
         then p_object.owner_id::uuid end);
  if v_uploader is not null and not exists (select 1 from auth.users u where u.id = v_uploader) then
    v_uploader := null;
  end if;
  insert into public.files as f
    (org_id, object_id, bucket_id, name, folder, file_name, size, mime_type, checksum,
     width, height, uploaded_by, created_at, updated_at)
  values (
    v_org_id, p_object.id, p_object.bucket_id, p_object.name,
    array_to_string(v_segments[2:array_length(v_segments, 1) - 1], '/'),
    v_segments[array_length(v_segments, 1)],
    coalesce(private.jsonb_positive_int(p_object.metadata -> 'size'), 0),
    nullif(p_object.metadata ->> 'mimetype', ''),
    nullif(btrim(p_object.metadata ->> 'eTag', '"'), ''),
    private.jsonb_positive_int(p_object.user_metadata -> 'width'),
    private.jsonb_positive_int(p_object.user_metadata -> 'height'),
    v_uploader,
    coalesce(p_object.created_at, now()),
    coalesce(p_object.updated_at, now()))
  on conflict (object_id) do update set
    org_id = excluded.org_id,
    bucket_id = excluded.bucket_id,
    name = excluded.name,
    folder = excluded.folder,
    file_name = excluded.file_name,
    size = excluded.size,
    mime_type = excluded.mime_type,
    checksum = excluded.checksum,
    -- A rename or move keeps the image size and alt text it had.
    width = coalesce(excluded.width, f.width),
    height = coalesce(excluded.height, f.height),
    updated_at = now();
end;
$$;
comment on function private.files_sync_object(storage.objects) is 'Writes the public.files row of one object (trigger helper).';

-- Section: trigger functions

-- After insert, update or delete on storage.objects: the catalogue follows.
-- Security definer: the request's role (authenticated) may not write files rows.
create function private.storage_objects_sync_files()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op in ('UPDATE', 'DELETE') and private.is_app_bucket(old.bucket_id)
     and (tg_op = 'DELETE' or not private.is_app_bucket(new.bucket_id)) then
    delete from public.files f where f.object_id = old.id;
  end if;
  if tg_op in ('INSERT', 'UPDATE') and private.is_app_bucket(new.bucket_id) then
    -- A new object may reuse the name of one deleted in the same transaction.
    delete from public.files f
     where f.bucket_id = new.bucket_id and f.name = new.name and f.object_id <> new.id;
    perform private.files_sync_object(new);
  end if;
  return null;
end;
$$;
comment on function private.storage_objects_sync_files() is 'Trigger on storage.objects: keeps public.files in step (insert, update, move, delete).';

-- Objects of the app's buckets without a catalogue row, and rows without an
-- object: what drift would look like (tests expect none).
create function private.files_orphans()
returns table (side text, bucket_id text, name text)
language sql
stable
security definer
set search_path = ''
as $$
  select 'object without row', o.bucket_id, o.name
    from storage.objects o
   where private.is_app_bucket(o.bucket_id)
     and not exists (select 1 from public.files f where f.object_id = o.id)
  union all
  select 'row without object', f.bucket_id, f.name
    from public.files f
   where not exists (select 1 from storage.objects o
                      where o.id = f.object_id and o.bucket_id = f.bucket_id and o.name = f.name);
$$;
comment on function private.files_orphans() is 'Drift between storage.objects and public.files, both ways (empty when in step).';

-- Bytes used per organization (folder markers are empty), for the usage bar.
create function public.files_usage(p_org_id uuid)
returns table (bytes bigint, files bigint)
language sql
stable
set search_path = ''
as $$
  select coalesce(sum(f.size), 0)::bigint, count(*) filter (where not f.is_folder_marker)
    from public.files f
   where f.org_id = p_org_id;
$$;
comment on function public.files_usage(uuid) is 'Bytes and number of files an organization stores (under RLS: only its members see them).';

revoke all on function private.storage_object_org_id(text) from public;
revoke all on function private.is_app_bucket(text) from public;
revoke all on function private.jsonb_positive_int(jsonb) from public;
revoke all on function private.files_sync_object(storage.objects) from public;
revoke all on function private.storage_objects_sync_files() from public;
revoke all on function private.files_orphans() from public;
revoke all on function public.files_usage(uuid) from public, anon;
grant execute on function public.files_usage(uuid) to authenticated;
-- Policies on storage.objects call this as the request's role.
grant execute on function private.is_app_bucket(text) to anon, authenticated;
grant execute on function private.files_orphans() to service_role;

-- Section: triggers

create trigger storage_objects_sync_files
  after insert or update or delete on storage.objects
  for each row execute function private.storage_objects_sync_files();

create trigger files_set_updated_at before update on public.files
  for each row execute function private.set_updated_at();

-- Section: policies

alter table public.files enable row level security;

create policy "Members can read their organization's files"
  on public.files for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "File editors can describe their organization's files"
  on public.files for update to authenticated
  using (org_id in (select private.org_ids_with_permission('files.write')))
  with check (org_id in (select private.org_ids_with_permission('files.write')));

-- Storage reads each request's rights from these. The organization is the
-- path's first folder; the helpers run once per statement.
create policy "Members can read their organization's files, anyone the public site's"
  on storage.objects for select to authenticated
  using (bucket_id = 'site-public'
         or (private.is_app_bucket(bucket_id)
             and (storage.foldername(name))[1] in (select o::text from private.user_org_ids() o)));
create policy "Visitors can read the public site's files"
  on storage.objects for select to anon
  using (bucket_id = 'site-public');
create policy "File editors can upload into their organization's folders"
  on storage.objects for insert to authenticated
  with check (private.is_app_bucket(bucket_id)
              and (storage.foldername(name))[1] in
                  (select o::text from private.org_ids_with_permission('files.write') o));
create policy "File editors can rename and move their own files, file managers anyone's"
  on storage.objects for update to authenticated
  using (private.is_app_bucket(bucket_id)
         and ((storage.foldername(name))[1] in
                (select o::text from private.org_ids_with_permission('files.manage') o)
              or ((storage.foldername(name))[1] in
                    (select o::text from private.org_ids_with_permission('files.write') o)
                  and owner_id = (select auth.uid())::text)))
  with check (private.is_app_bucket(bucket_id)
              and (storage.foldername(name))[1] in
                  (select o::text from private.org_ids_with_permission('files.write') o));
create policy "File editors can delete their own files, file managers anyone's"
  on storage.objects for delete to authenticated
  using (private.is_app_bucket(bucket_id)
         and ((storage.foldername(name))[1] in
                (select o::text from private.org_ids_with_permission('files.manage') o)
              or ((storage.foldername(name))[1] in
                    (select o::text from private.org_ids_with_permission('files.write') o)
                  and owner_id = (select auth.uid())::text)));

create policy "Signed-in users can read the app's bucket settings"
  on storage.buckets for select to authenticated
  using (private.is_app_bucket(id));

-- Section: grants
-- Rows come and go with Storage objects; through the API only the description
-- (alt text) and the image size the browser measured are editable.
revoke all on public.files from anon, authenticated;
grant select on public.files to authenticated;
grant update (alt_text, width, height) on public.files to authenticated;
