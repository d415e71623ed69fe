-- Feature: an approved creative's file stays as it was approved (issue 14,
-- part 5). The version row of an approved creative is immutable
-- (campaign_briefs), but its bytes live in Storage, where the uploader (files.write,
-- their own object) or a file manager could overwrite (upsert), move or delete
-- the object the approved version points at. Two restrictive policies on
-- storage.objects refuse that to every signed-in person; a new version is
-- uploaded under a new name instead. Storage's service role (cleanup jobs,
-- deleting an organization) is not held back.

-- Section: indexes

-- The policies look a path up among approved versions: one index probe per object touched.
create index creative_asset_versions_approved_path_idx
  on public.creative_asset_versions (storage_path) where status = 'approved';

-- Section: functions

-- Whether an object of Storage is the file of an approved creative version.
-- security definer: Storage asks it as the caller, who may be of any
-- organization; it answers yes or no and reveals nothing else.
create function private.is_approved_creative(p_bucket_id text, p_name text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select p_bucket_id = 'campaign-creatives'
     and exists (select 1 from public.creative_asset_versions v
                  where v.storage_path = p_name and v.status = 'approved');
$$;
comment on function private.is_approved_creative(text, text) is 'True when a campaign-creatives object is the file of an approved version (its bytes are locked).';

-- Section: policies

create policy "Nobody replaces or moves an approved creative's file"
  on storage.objects as restrictive for update to authenticated
  using (not private.is_approved_creative(bucket_id, name));
create policy "Nobody deletes an approved creative's file"
  on storage.objects as restrictive for delete to authenticated
  using (not private.is_approved_creative(bucket_id, name));

-- Section: grants

revoke all on function private.is_approved_creative(text, text) from public;
grant execute on function private.is_approved_creative(text, text) to authenticated, service_role;
