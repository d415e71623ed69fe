-- Supabase Storage's schema: the tables the Storage API (platform/storage) reads and writes,
-- with the columns, helpers, triggers and grants Supabase Storage's own migrations leave in a
-- project (supabase/storage, migrations/tenant), so that the app's migrations can create buckets
-- and policies on storage.objects that behave the same here and on Supabase. Created only where
-- absent; skipped entirely where storage.objects already exists (a real project).

set local role supabase_storage_admin;

-- Section: tables

-- Buckets: a named container of objects with its own visibility and upload limits.
create table if not exists storage.buckets (
  id text not null primary key,
  name text not null,
  owner uuid,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  public boolean default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  owner_id text
);
create unique index if not exists bname on storage.buckets using btree (name);
comment on column storage.buckets.owner is 'Field is deprecated, use owner_id instead';

-- Objects: one row per stored file; policies on this table decide who may do what.
create table if not exists storage.objects (
  id uuid not null default gen_random_uuid() primary key,
  bucket_id text references storage.buckets (id),
  name text,
  owner uuid,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  last_accessed_at timestamptz default now(),
  metadata jsonb,
  path_tokens text[] generated always as (string_to_array(name, '/')) stored,
  version text,
  owner_id text,
  user_metadata jsonb
);
create unique index if not exists bucketid_objname on storage.objects using btree (bucket_id, name);
create index if not exists name_prefix_search on storage.objects (name text_pattern_ops);
-- Listing a folder walks names in byte order within a bucket (Storage's own index).
create index if not exists idx_objects_bucket_id_name on storage.objects (bucket_id, (name collate "C"));
comment on column storage.objects.owner is 'Field is deprecated, use owner_id instead';

alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;

-- Section: functions, as Storage defines them (policies call the first three).

-- The folders of an object's path: foldername('org/a/b.png') = {org,a}.
create or replace function storage.foldername(name text) returns text[]
language plpgsql immutable as $function$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[1 : array_length(_parts, 1) - 1];
end
$function$;

-- The last segment of an object's path.
create or replace function storage.filename(name text) returns text
language plpgsql immutable as $function$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[array_length(_parts, 1)];
end
$function$;

-- The extension of an object's file name, without the dot (the whole file name when it has no
-- dot, as Storage returns it).
create or replace function storage.extension(name text) returns text
language plpgsql immutable as $function$
declare
  _parts text[];
  _filename text;
begin
  select string_to_array(name, '/') into _parts;
  select _parts[array_length(_parts, 1)] into _filename;
  return reverse(split_part(reverse(_filename), '.', 1));
end
$function$;

-- The Storage API operation of the current request (e.g. 'object.upload'), for policies that
-- tell operations apart; the API sets storage.operation locally.
create or replace function storage.operation() returns text
language plpgsql stable as $function$
begin
  return current_setting('storage.operation', true);
end;
$function$;

-- Keeps updated_at current on every change of an object row.
create or replace function storage.update_updated_at_column() returns trigger
language plpgsql as $function$
begin
  new.updated_at = now();
  return new;
end;
$function$;

-- Refuses a DELETE on the storage tables outside the Storage API (which sets
-- storage.allow_delete_query): deleting rows directly would orphan their bytes.
create or replace function storage.protect_delete() returns trigger
language plpgsql as $function$
begin
  if coalesce(current_setting('storage.allow_delete_query', true), 'false') != 'true' then
    raise exception 'Direct deletion from storage tables is not allowed. Use the Storage API instead.'
      using hint = 'This prevents accidental data loss from orphaned objects.',
            errcode = '42501';
  end if;
  return null;
end;
$function$;

-- Bucket names longer than 100 characters are refused whoever writes them.
create or replace function storage.enforce_bucket_name_length() returns trigger
language plpgsql as $function$
begin
  if length(new.name) > 100 then
    raise exception 'bucket name "%" is too long (% characters). Max is 100.', new.name, length(new.name);
  end if;
  return new;
end;
$function$;

-- Section: triggers
drop trigger if exists update_objects_updated_at on storage.objects;
create trigger update_objects_updated_at before update on storage.objects
  for each row execute function storage.update_updated_at_column();

drop trigger if exists enforce_bucket_name_length_trigger on storage.buckets;
create trigger enforce_bucket_name_length_trigger before insert or update of name on storage.buckets
  for each row execute function storage.enforce_bucket_name_length();

drop trigger if exists protect_buckets_delete on storage.buckets;
create trigger protect_buckets_delete before delete on storage.buckets
  for each statement execute function storage.protect_delete();

drop trigger if exists protect_objects_delete on storage.objects;
create trigger protect_objects_delete before delete on storage.objects
  for each statement execute function storage.protect_delete();

reset role;

-- Section: grants, as Storage's migrations leave them: the API roles hold every table
-- privilege and RLS decides; postgres (migrations, the dashboard) may grant them on.
grant all on storage.buckets, storage.objects to postgres with grant option;
grant all on storage.buckets, storage.objects to anon, authenticated, service_role;
grant all on all functions in schema storage to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage
  grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage
  grant all on sequences to postgres, anon, authenticated, service_role;
