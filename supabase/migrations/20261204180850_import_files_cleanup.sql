-- Feature: uploaded import files are not kept longer than they are needed.
-- An import's file (IMPORT_FILES_DIR/<org id>/<import id>) holds personal data.
-- The worker removes it as soon as an import completes; the app removes it when
-- an upload is cut off or an import is deleted. This migration covers the rest:
--   * a draft that is never started, or an import that failed or was cancelled,
--     keeps its file for 24 hours (so it can be started again with another
--     mapping or "skip invalid rows"), then the file is removed;
--   * deleting an organization removes every import file of the organization.
-- Both are jobs (`contacts_import_files_cleanup`) queued in the transaction of
-- the change, run by the worker, which holds the files.

-- Section: functions

-- Queues the removal of an import's file 24 hours after it became a draft, failed
-- or was cancelled. The job key is the import's: a later change of status moves the
-- removal (a restarted import that fails again keeps its file 24 hours from then).
create function private.contact_imports_file_expiry()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Uploads arrive as drafts; a failure or a cancel is a change of status. (An import
  -- inserted already finished, as the demo data does, has no file to remove.)
  if (tg_op = 'INSERT' and new.status = 'draft')
     or (tg_op = 'UPDATE' and new.status in ('failed', 'cancelled')
         and old.status is distinct from new.status) then
    perform private.enqueue_job('contacts_import_files_cleanup',
      jsonb_build_object('orgId', new.org_id, 'importId', new.id),
      'contacts_import_files_cleanup:' || new.id, now() + interval '24 hours', 5);
  end if;
  return null;
end;
$$;
comment on function private.contact_imports_file_expiry() is
  'Trigger: queues the removal of an import file 24 hours after the import became a draft, failed or was cancelled.';

-- Queues the removal of every import file of a deleted organization (its imports
-- are deleted by the cascade; their files are not in the database).
create function private.organizations_import_files_purge()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.enqueue_job('contacts_import_files_cleanup', jsonb_build_object('orgId', old.id),
    'contacts_import_files_cleanup:' || old.id, null, 25);
  return null;
end;
$$;
comment on function private.organizations_import_files_purge() is
  'Trigger: queues the removal of all import files of a deleted organization.';

revoke all on function private.contact_imports_file_expiry() from public;
revoke all on function private.organizations_import_files_purge() from public;

-- Section: triggers

create trigger contact_imports_file_expiry after insert or update of status on public.contact_imports
  for each row execute function private.contact_imports_file_expiry();
create trigger organizations_import_files_purge after delete on public.organizations
  for each row execute function private.organizations_import_files_purge();
