-- Feature: files cleanup. Deleting an organization deletes its rows by cascade
-- (public.files included), but its objects live in Storage: their rows in
-- storage.objects and their bytes in Storage's backend, neither of which a
-- cascade reaches (and Storage refuses direct deletes from storage.objects,
-- which would leave the bytes behind anyway). So the deletion queues a job, in
-- the same transaction, that removes every object under the organization's
-- folder (`<org id>/…`) of the app's buckets through the Storage API as the
-- service, which deletes rows and bytes together (worker task files_org_purge).
-- Unfinished resumable uploads need nothing here: Storage expires them after a
-- day and sweeps their bytes itself.

-- Section: functions

-- Queues the removal of a deleted organization's Storage objects.
create function private.organizations_files_purge()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.enqueue_job('files_org_purge', jsonb_build_object('orgId', old.id),
    'files_org_purge:' || old.id, null, 25);
  return null;
end;
$$;
comment on function private.organizations_files_purge() is
  'Trigger: queues the removal of a deleted organization''s Storage objects (rows and bytes).';

revoke all on function private.organizations_files_purge() from public;

-- Section: triggers

create trigger organizations_files_purge after delete on public.organizations
  for each row execute function private.organizations_files_purge();
