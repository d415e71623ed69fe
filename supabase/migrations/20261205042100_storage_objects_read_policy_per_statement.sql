-- Feature: Storage listings and downloads without a function call per row.
--
-- The read policy on storage.objects asked `private.is_app_bucket(bucket_id)`
-- of every row outside the public site's bucket. The helper sets its own
-- search_path, and Postgres never inlines a function with a SET clause: each
-- call is a real function call with a settings save and restore. Listing a
-- 10,000-object folder made 20,000 of them (the folders half and the objects
-- half each read the folder): EXPLAIN (ANALYZE, BUFFERS) as a signed-in user
-- took 263 ms against 59 ms for the same query without RLS (same database,
-- same minute, load average 26), and the bench's listing p95 missed its 50 ms
-- goal (bench:storage). The list of app buckets now comes from a helper
-- evaluated once per statement (an InitPlan) and each row only compares its
-- bucket id with that array; the policy's meaning is unchanged (same buckets,
-- same organization check through private.user_org_ids()).

-- Section: helpers

-- The one place the app's buckets are named; policies read it once per statement.
create function private.app_bucket_ids()
returns text[]
language sql
immutable
set search_path = ''
as $$
  select array['org-files', 'campaign-creatives', 'site-public']::text[];
$$;
comment on function private.app_bucket_ids() is 'The buckets whose objects are catalogued in public.files (org-prefixed paths); policies call it once per statement.';

-- Same answer as before, now from the one list.
create or replace function private.is_app_bucket(p_bucket_id text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select p_bucket_id = any (private.app_bucket_ids());
$$;

-- Section: policies

drop policy "Members can read their organization's files, anyone the public site's" on storage.objects;
create policy "Members can read their organization's files, anyone the public site's"
  on storage.objects for select to authenticated
  using (bucket_id = 'site-public'
         or (bucket_id = any ((select private.app_bucket_ids())::text[])
             and (storage.foldername(name))[1] in (select o::text from private.user_org_ids() o)));

-- Section: grants

revoke all on function private.app_bucket_ids() from public;
-- Policies on storage.objects call it as the request's role.
grant execute on function private.app_bucket_ids() to anon, authenticated, service_role;
