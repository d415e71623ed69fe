-- The audit log covers contacts, segments, automations, webhooks and imports.
--
-- It recorded only tenancy changes (and erasures): an admin could not tell who
-- deleted a segment, paused an automation, rotated a webhook secret or ran an
-- import. Each change now writes one entry, in the same transaction, with the
-- actor. Entries carry no personal data: the log outlives erasure, so a
-- contact is named only by its id (and a bulk deletion by its count), a
-- webhook only by its host (paths and queries of hook URLs often hold
-- tokens), and never a secret. Set-based: one entry per import transition
-- and one per deleting statement, not one per row.

-- Section: functions

-- Writes one entry unless the organization is going (a cascade leaves nothing
-- to attach it to). The actor is the caller, else (a worker) p_fallback_actor.
create function private.audit_write(
  p_org_id uuid,
  p_action text,
  p_target_type text,
  p_target_id text,
  p_before jsonb,
  p_after jsonb,
  p_fallback_actor uuid default null
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not exists (select 1 from public.organizations where id = p_org_id) then
    return;
  end if;
  insert into public.audit_log (org_id, actor_id, action, target_type, target_id, before, after)
  values (p_org_id, coalesce((select auth.uid()), p_fallback_actor), p_action, p_target_type,
          p_target_id, p_before, p_after);
end;
$$;
comment on function private.audit_write(uuid, text, text, text, jsonb, jsonb, uuid) is 'Writes one audit entry (skipped while the organization is being deleted).';
revoke all on function private.audit_write(uuid, text, text, text, jsonb, jsonb, uuid) from public;

-- Trigger (row, segments): created, renamed/described, rules changed, deleted.
-- The worker's cached count and build state are not changes anyone made.
-- Rules are not copied (they may name a contact's address); only that they changed.
create function private.audit_segments()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.audit_write(new.org_id, 'segments.insert', 'segments', new.id::text, null,
      jsonb_build_object('name', new.name, 'description', new.description));
  elsif tg_op = 'DELETE' then
    perform private.audit_write(old.org_id, 'segments.delete', 'segments', old.id::text,
      jsonb_build_object('name', old.name, 'description', old.description), null);
  elsif (new.name, new.description, new.rules) is distinct from (old.name, old.description, old.rules) then
    perform private.audit_write(new.org_id, 'segments.update', 'segments', new.id::text,
      jsonb_build_object('name', old.name, 'description', old.description),
      jsonb_build_object('name', new.name, 'description', new.description,
                         'rules_changed', new.rules is distinct from old.rules));
  end if;
  return null;
end;
$$;
comment on function private.audit_segments() is 'Trigger: audit entries for segments created, changed (name, description, rules) and deleted.';
revoke all on function private.audit_segments() from public;

-- Trigger (row, automations): created, renamed, published, activated, paused
-- (back to draft), archived, deleted. Draft edits (autosaved) are not logged.
create function private.audit_automations()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.audit_write(new.org_id, 'automations.insert', 'automations', new.id::text, null,
      jsonb_build_object('name', new.name, 'status', new.status));
  elsif tg_op = 'DELETE' then
    perform private.audit_write(old.org_id, 'automations.delete', 'automations', old.id::text,
      jsonb_build_object('name', old.name, 'status', old.status), null);
  elsif (new.name, new.status, new.active_version_id) is distinct from (old.name, old.status, old.active_version_id) then
    perform private.audit_write(new.org_id, 'automations.update', 'automations', new.id::text,
      jsonb_build_object('name', old.name, 'status', old.status),
      jsonb_build_object('name', new.name, 'status', new.status,
                         'published', new.active_version_id is distinct from old.active_version_id));
  end if;
  return null;
end;
$$;
comment on function private.audit_automations() is 'Trigger: audit entries for automations created, renamed, published, activated, paused, archived and deleted.';
revoke all on function private.audit_automations() from public;

-- A webhook URL as the log shows it: its host only.
create function private.audit_webhook_host(p_url text)
returns text
language sql
immutable
set search_path = ''
as $$
  select left(substring(p_url from '^https?://(?:[^@/?#]*@)?([^/?#]+)'), 300);
$$;
comment on function private.audit_webhook_host(text) is 'The host of a webhook URL (paths, queries and credentials often hold tokens).';
revoke all on function private.audit_webhook_host(text) from public;

-- Trigger (row, webhook_subscriptions): added, changed, secret rotated, removed.
create function private.audit_webhook_subscriptions()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.audit_write(new.org_id, 'webhook_subscriptions.insert', 'webhook_subscriptions',
      new.id::text, null,
      jsonb_build_object('host', private.audit_webhook_host(new.url), 'description', new.description,
                         'event_types', new.event_types, 'enabled', new.enabled));
  elsif tg_op = 'DELETE' then
    perform private.audit_write(old.org_id, 'webhook_subscriptions.delete', 'webhook_subscriptions',
      old.id::text,
      jsonb_build_object('host', private.audit_webhook_host(old.url), 'description', old.description,
                         'event_types', old.event_types, 'enabled', old.enabled), null);
  elsif (new.url, new.description, new.event_types, new.enabled, new.secret)
        is distinct from (old.url, old.description, old.event_types, old.enabled, old.secret) then
    perform private.audit_write(new.org_id, 'webhook_subscriptions.update', 'webhook_subscriptions',
      new.id::text,
      jsonb_build_object('host', private.audit_webhook_host(old.url), 'description', old.description,
                         'event_types', old.event_types, 'enabled', old.enabled),
      jsonb_build_object('host', private.audit_webhook_host(new.url), 'description', new.description,
                         'event_types', new.event_types, 'enabled', new.enabled,
                         'url_changed', new.url is distinct from old.url,
                         'secret_rotated', new.secret is distinct from old.secret));
  end if;
  return null;
end;
$$;
comment on function private.audit_webhook_subscriptions() is 'Trigger: audit entries for webhook subscriptions (host only, never the secret).';
revoke all on function private.audit_webhook_subscriptions() from public;

-- Trigger (row, contact_imports, status): started (queued) and finished
-- (completed, failed, cancelled): one entry each per import, whatever its
-- size. The worker writes the outcome; its entry names who started the import.
-- Not "update of status": cancelling a queued import changes the status in a
-- before trigger, which a column list does not see.
create function private.audit_contact_imports()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.status is not distinct from old.status then
    return null;
  end if;
  if new.status = 'queued' then
    perform private.audit_write(new.org_id, 'contact_imports.started', 'contact_imports', new.id::text,
      null, jsonb_build_object('file_name', new.file_name, 'status', new.status), new.created_by);
  elsif new.status in ('completed', 'failed', 'cancelled') then
    perform private.audit_write(new.org_id, 'contact_imports.finished', 'contact_imports', new.id::text,
      null,
      jsonb_build_object('file_name', new.file_name, 'status', new.status,
                         'inserted_rows', new.inserted_rows, 'updated_rows', new.updated_rows,
                         'failed_rows', new.failed_rows),
      new.created_by);
  end if;
  return null;
end;
$$;
comment on function private.audit_contact_imports() is 'Trigger: one audit entry when an import starts and one when it finishes.';
revoke all on function private.audit_contact_imports() from public;

-- Trigger (statement, contacts delete): one entry per statement and
-- organization: the contact's id when it is one, else how many.
create function private.audit_contacts_deleted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  d record;
begin
  for d in select o.org_id, count(*) as n, min(o.id::text) as one_id
             from old_rows o group by o.org_id loop
    perform private.audit_write(d.org_id, 'contact.deleted', 'contact',
      case when d.n = 1 then d.one_id end, jsonb_build_object('count', d.n), null);
  end loop;
  return null;
end;
$$;
comment on function private.audit_contacts_deleted() is 'Trigger: one audit entry per deleting statement (contact id or count, no personal data).';
revoke all on function private.audit_contacts_deleted() from public;

-- Section: triggers

create trigger segments_audit after insert or update or delete on public.segments
  for each row execute function private.audit_segments();
create trigger automations_audit after insert or update or delete on public.automations
  for each row execute function private.audit_automations();
create trigger webhook_subscriptions_audit after insert or update or delete on public.webhook_subscriptions
  for each row execute function private.audit_webhook_subscriptions();
create trigger contact_imports_audit after insert or update on public.contact_imports
  for each row execute function private.audit_contact_imports();
create trigger contacts_audit_deleted after delete on public.contacts
  referencing old table as old_rows
  for each statement execute function private.audit_contacts_deleted();

comment on table public.audit_log is 'Append-only audit trail: membership, roles, invitations, settings, contacts (erasure, deletion), segments, automations, webhooks and imports.';
