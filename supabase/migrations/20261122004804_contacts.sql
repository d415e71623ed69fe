-- Feature: contacts. The people an organization talks to, with custom fields
-- defined per organization, tags, consent records and erasure on request.
-- Writes are checked set-based by statement-level triggers (so a 1M-row
-- import costs a handful of statements, not a million trigger calls), which
-- also write the contact and tag events in the transaction of the change.
-- Event payloads carry ids and field names, never personal data, so erasing a
-- contact leaves a timeline without anything to erase in it.

-- Section: extensions
create extension if not exists pg_trgm with schema extensions;

-- Section: types

-- Whether email may be sent to a contact at all (bounced: the address is dead).
create type public.contact_status as enum ('subscribed', 'unsubscribed', 'bounced');

-- The kinds of custom field an organization can define.
create type public.contact_field_type as enum ('text', 'number', 'date', 'boolean', 'select', 'multi_select');

-- The channels consent is recorded for.
create type public.consent_channel as enum ('email', 'sms', 'whatsapp');

create type public.consent_status as enum ('granted', 'withdrawn');

-- Section: tables

-- A person an organization keeps in touch with. Custom values live in `custom`,
-- keyed by contact_fields.key and checked against the field's type on write.
create table public.contacts (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  email extensions.citext
    constraint contacts_email_format check (email is null or (char_length(email) <= 254
      and email::text ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$')),
  phone text constraint contacts_phone_format check (phone is null or phone ~ '^\+?[0-9 ().-]{5,25}$'),
  first_name text check (char_length(first_name) <= 100),
  last_name text check (char_length(last_name) <= 100),
  company text check (char_length(company) <= 200),
  source text not null default 'manual' check (char_length(source) between 1 and 50),
  status public.contact_status not null default 'subscribed',
  custom jsonb not null default '{}'::jsonb constraint contacts_custom_object check (jsonb_typeof(custom) = 'object'),
  -- What trigram search matches: names, email, phone and company, lower-cased.
  search text generated always as (lower(
    coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(email::text, '')
    || ' ' || coalesce(phone, '') || ' ' || coalesce(company, ''))) stored,
  -- Sort key for "by name" (last name first), never null so keyset pages stay simple.
  sort_name text generated always as (lower(coalesce(last_name, '') || ' ' || coalesce(first_name, ''))) stored,
  erased_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint contacts_org_id_id_key unique (org_id, id)
);
-- Emails are unique per organization, case-insensitively. An expression index
-- on lower(email) rather than a citext constraint: citext compares by
-- lower-casing both sides at every comparison, which made bulk inserts into
-- the index several times slower. Upserts target (org_id, lower(email::text)).
create unique index contacts_org_id_email_key on public.contacts (org_id, lower(email::text));
create index contacts_org_id_created_at_idx on public.contacts (org_id, created_at, id);
create index contacts_org_id_updated_at_idx on public.contacts (org_id, updated_at, id);
create index contacts_org_id_sort_name_idx on public.contacts (org_id, sort_name, id);
create index contacts_search_idx on public.contacts using gin (search extensions.gin_trgm_ops);
comment on table public.contacts is 'Contacts of an organization; custom values in `custom`, checked against contact_fields.';

-- The custom fields an organization defines for its contacts. Key and type are
-- fixed once created (values already stored depend on them).
create table public.contact_fields (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  key text not null constraint contact_fields_key_format check (key ~ '^[a-z][a-z0-9_]{0,39}$'),
  label text not null check (char_length(btrim(label)) between 1 and 80),
  type public.contact_field_type not null,
  options text[] not null default '{}'
    constraint contact_fields_options_check check (
      cardinality(options) <= 200
      and (type in ('select', 'multi_select')) = (cardinality(options) > 0)),
  required boolean not null default false,
  indexed boolean not null default false,
  position integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint contact_fields_org_id_key_key unique (org_id, key)
);
comment on table public.contact_fields is 'Custom contact fields of an organization (key, label, type, options, required, indexed).';

-- Labels an organization puts on contacts.
create table public.tags (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name extensions.citext not null check (char_length(btrim(name::text)) between 1 and 50),
  color text not null default '#64748b' check (color ~ '^#[0-9a-f]{6}$'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint tags_org_id_name_key unique (org_id, name),
  constraint tags_org_id_id_key unique (org_id, id)
);
comment on table public.tags is 'Tags of an organization; names are unique per organization, case-insensitively.';

-- Which contact carries which tag. Both sides are of the same organization
-- (composite foreign keys), so no row can link two tenants.
create table public.contact_tags (
  org_id uuid not null,
  contact_id uuid not null,
  tag_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (org_id, contact_id, tag_id),
  foreign key (org_id, contact_id) references public.contacts (org_id, id) on delete cascade,
  foreign key (org_id, tag_id) references public.tags (org_id, id) on delete cascade
);
create index contact_tags_org_id_tag_id_idx on public.contact_tags (org_id, tag_id, contact_id);
comment on table public.contact_tags is 'Tags on contacts.';

-- Consent given or withdrawn, per channel: append-only evidence. The latest
-- record of a channel decides whether that channel may be used.
create table public.consent_records (
  id bigint generated always as identity primary key,
  org_id uuid not null,
  contact_id uuid not null,
  channel public.consent_channel not null,
  status public.consent_status not null,
  source text not null check (char_length(btrim(source)) between 1 and 200),
  recorded_at timestamptz not null default now(),
  recorded_by uuid default auth.uid() references auth.users (id) on delete set null,
  foreign key (org_id, contact_id) references public.contacts (org_id, id) on delete cascade
);
create index consent_records_contact_idx on public.consent_records (org_id, contact_id, channel, recorded_at desc, id desc);
create index consent_records_recorded_by_idx on public.consent_records (recorded_by);
comment on table public.consent_records is 'Append-only consent evidence per contact and channel; the latest record wins.';

-- Custom fields being deleted: their values are stripped from contacts in the
-- background, and the key cannot be defined again until that is done.
create table private.contact_field_purges (
  org_id uuid not null references public.organizations (id) on delete cascade,
  key text not null,
  deleted_at timestamptz not null default now(),
  primary key (org_id, key)
);
comment on table private.contact_field_purges is 'Deleted custom fields whose values are still being stripped from contacts.';

-- Section: functions

-- Raises the first custom-value problem found, naming the field (check_violation,
-- column "custom.<key>", so the app can point at the field).
create function private.raise_contact_value_problem(p_key text, p_problem text)
returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'Custom field "%" %.', p_key, p_problem
    using errcode = '23514', column = 'custom.' || p_key, hint = 'contact_custom_invalid';
end;
$$;
comment on function private.raise_contact_value_problem(text, text) is 'Raises check_violation for an invalid custom value, naming the field.';

-- Trigger (statement, insert): checks new custom values and required fields,
-- and records contact.created, all set-based.
create function private.contacts_after_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  bad record;
begin
  -- Same checks as in contacts_after_update (inline SQL: a function call per
  -- value would cost more than the insert itself).
  select x.key, x.problem into bad
    from (
      select n.org_id, e.key, case
             when f.type is null then 'is not a custom field of this organization'
             when f.type = 'text' then case when jsonb_typeof(e.value) <> 'string' then 'expects text'
                                            when char_length(e.value #>> '{}') > 2000 then 'is longer than 2000 characters' end
             when f.type = 'number' then case when jsonb_typeof(e.value) <> 'number' then 'expects a number' end
             when f.type = 'boolean' then case when jsonb_typeof(e.value) <> 'boolean' then 'expects true or false' end
             when f.type = 'date' then case when jsonb_typeof(e.value) <> 'string' or (e.value #>> '{}') !~ '^\d{4}-\d{2}-\d{2}$'
                                                 or not pg_input_is_valid(e.value #>> '{}', 'date') then 'expects a date (YYYY-MM-DD)' end
             when f.type = 'select' then case when jsonb_typeof(e.value) <> 'string' or not ((e.value #>> '{}') = any (f.options))
                                              then 'is not one of the field''s options' end
             else case when jsonb_typeof(e.value) <> 'array' or not (e.value <@ to_jsonb(f.options))
                       then 'expects a list of the field''s options' end
           end as problem
        from new_rows n
        cross join lateral jsonb_each(n.custom) e
        left join public.contact_fields f on f.org_id = n.org_id and f.key = e.key
       where n.custom <> '{}'::jsonb
    ) x
   where x.problem is not null
     and not exists (select 1 from private.contact_field_purges p where p.org_id = x.org_id and p.key = x.key)
   limit 1;
  if found then
    perform private.raise_contact_value_problem(bad.key, bad.problem);
  end if;
  select f.key into bad
    from new_rows n
    join public.contact_fields f on f.org_id = n.org_id and f.required
   where nullif(n.custom ->> f.key, '') is null or n.custom -> f.key = '[]'::jsonb
   limit 1;
  if found then
    perform private.raise_contact_value_problem(bad.key, 'is required');
  end if;

  insert into public.events (org_id, type, subject_type, subject_id, actor_id, payload)
  select n.org_id, 'contact.created', 'contact', n.id, (select auth.uid()), jsonb_build_object('source', n.source)
    from new_rows n;
  return null;
end;
$$;
comment on function private.contacts_after_insert() is 'Trigger: checks custom values of inserted contacts, records contact.created.';

-- Trigger (statement, update): checks changed custom values, keeps required
-- fields filled, and records contact.updated with the names of the changed
-- fields (not their values). Erasure records its own event.
create function private.contacts_after_update()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  bad record;
begin
  -- Set (transaction-locally) only by private.purge_contact_field_values.
  if current_setting('growthdesk.quiet_contact_updates', true) = 'on' then
    return null;
  end if;
  select x.key, x.problem into bad
    from (
      select n.org_id, e.key, case
             when f.type is null then 'is not a custom field of this organization'
             when f.type = 'text' then case when jsonb_typeof(e.value) <> 'string' then 'expects text'
                                            when char_length(e.value #>> '{}') > 2000 then 'is longer than 2000 characters' end
             when f.type = 'number' then case when jsonb_typeof(e.value) <> 'number' then 'expects a number' end
             when f.type = 'boolean' then case when jsonb_typeof(e.value) <> 'boolean' then 'expects true or false' end
             when f.type = 'date' then case when jsonb_typeof(e.value) <> 'string' or (e.value #>> '{}') !~ '^\d{4}-\d{2}-\d{2}$'
                                                 or not pg_input_is_valid(e.value #>> '{}', 'date') then 'expects a date (YYYY-MM-DD)' end
             when f.type = 'select' then case when jsonb_typeof(e.value) <> 'string' or not ((e.value #>> '{}') = any (f.options))
                                              then 'is not one of the field''s options' end
             else case when jsonb_typeof(e.value) <> 'array' or not (e.value <@ to_jsonb(f.options))
                       then 'expects a list of the field''s options' end
           end as problem
        from new_rows n
        join old_rows o on o.id = n.id
        cross join lateral jsonb_each(n.custom) e
        left join public.contact_fields f on f.org_id = n.org_id and f.key = e.key
       where n.custom is distinct from o.custom
         and e.value is distinct from o.custom -> e.key
    ) x
   where x.problem is not null
     and not exists (select 1 from private.contact_field_purges p where p.org_id = x.org_id and p.key = x.key)
   limit 1;
  if found then
    perform private.raise_contact_value_problem(bad.key, bad.problem);
  end if;
  select f.key into bad
    from new_rows n
    join old_rows o on o.id = n.id
    join public.contact_fields f on f.org_id = n.org_id and f.required
   where n.custom is distinct from o.custom and n.erased_at is null
     and (nullif(n.custom ->> f.key, '') is null or n.custom -> f.key = '[]'::jsonb)
     and nullif(o.custom ->> f.key, '') is not null
   limit 1;
  if found then
    perform private.raise_contact_value_problem(bad.key, 'is required');
  end if;

  insert into public.events (org_id, type, subject_type, subject_id, actor_id, payload)
  select c.org_id, 'contact.updated', 'contact', c.id, (select auth.uid()), jsonb_build_object('changed', c.changed)
    from (
      select n.org_id, n.id,
             array_remove(array[
               case when n.email is distinct from o.email then 'email' end,
               case when n.phone is distinct from o.phone then 'phone' end,
               case when n.first_name is distinct from o.first_name then 'first_name' end,
               case when n.last_name is distinct from o.last_name then 'last_name' end,
               case when n.company is distinct from o.company then 'company' end,
               case when n.source is distinct from o.source then 'source' end,
               case when n.status is distinct from o.status then 'status' end], null)
             || case when n.custom is distinct from o.custom then coalesce((
                  select array_agg('custom.' || k order by k)
                    from (select jsonb_object_keys(n.custom) union select jsonb_object_keys(o.custom)) ks (k)
                   where n.custom -> k is distinct from o.custom -> k), '{}') else '{}' end as changed
        from new_rows n
        join old_rows o on o.id = n.id
       where not (n.erased_at is not null and o.erased_at is null)
    ) c
   where cardinality(c.changed) > 0;
  return null;
end;
$$;
comment on function private.contacts_after_update() is 'Trigger: checks changed custom values, records contact.updated with changed field names.';

-- Trigger (row, before update): stamps updated_at and keeps erased contacts erased.
create function private.contacts_before_update()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if old.erased_at is not null then
    raise exception 'This contact was erased and cannot be changed.'
      using errcode = '42501', hint = 'contact_erased';
  end if;
  new.updated_at := now();
  return new;
end;
$$;
comment on function private.contacts_before_update() is 'Trigger: stamps updated_at; refuses changes to erased contacts.';

-- Trigger (statement, delete): records contact.deleted (unless the whole
-- organization is going).
create function private.contacts_after_delete()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.events (org_id, type, subject_type, subject_id, actor_id, payload)
  select d.org_id, 'contact.deleted', 'contact', d.id, (select auth.uid()), '{}'::jsonb
    from old_rows d
   where exists (select 1 from public.organizations o where o.id = d.org_id);
  return null;
end;
$$;
comment on function private.contacts_after_delete() is 'Trigger: records contact.deleted.';

-- Trigger (statement, insert/delete on contact_tags): records tag.added and
-- tag.removed on the contact's timeline.
create function private.contact_tags_events()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    insert into public.events (org_id, type, subject_type, subject_id, actor_id, payload)
    select n.org_id, 'tag.added', 'contact', n.contact_id, (select auth.uid()),
           jsonb_build_object('tag_id', n.tag_id, 'tag', t.name)
      from new_rows n join public.tags t on t.id = n.tag_id;
  else
    -- Tags removed because their contact or tag was deleted are not news.
    insert into public.events (org_id, type, subject_type, subject_id, actor_id, payload)
    select d.org_id, 'tag.removed', 'contact', d.contact_id, (select auth.uid()),
           jsonb_build_object('tag_id', d.tag_id, 'tag', t.name)
      from old_rows d
      join public.tags t on t.id = d.tag_id
     where exists (select 1 from public.contacts c where c.id = d.contact_id and c.erased_at is null);
  end if;
  return null;
end;
$$;
comment on function private.contact_tags_events() is 'Trigger: records tag.added / tag.removed.';

-- Trigger (statement, insert on consent_records): records consent.changed, and
-- a withdrawn email consent unsubscribes the contact.
create function private.consent_records_after_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.events (org_id, type, subject_type, subject_id, actor_id, payload)
  select n.org_id, 'consent.changed', 'contact', n.contact_id, (select auth.uid()),
         jsonb_build_object('channel', n.channel, 'status', n.status, 'source', n.source)
    from new_rows n;
  update public.contacts c set status = 'unsubscribed'
    from new_rows n
   where n.channel = 'email' and n.status = 'withdrawn'
     and c.org_id = n.org_id and c.id = n.contact_id and c.status = 'subscribed' and c.erased_at is null;
  return null;
end;
$$;
comment on function private.consent_records_after_insert() is 'Trigger: records consent.changed; withdrawn email consent unsubscribes.';

-- Trigger (row, contact_fields): a deleted field leaves a purge marker and a
-- job that strips its values; a key being purged cannot be defined again yet;
-- index changes are queued for the worker (an index build must not run inside
-- a user's request).
create function private.contact_fields_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    if exists (select 1 from private.contact_field_purges p where p.org_id = new.org_id and p.key = new.key) then
      raise exception 'A field with the key "%" was just deleted; its values are still being removed. Try again in a minute.', new.key
        using errcode = '23505', constraint = 'contact_fields_org_id_key_key';
    end if;
    if new.indexed then
      perform private.enqueue_job('contact_field_index', jsonb_build_object('orgId', new.org_id, 'key', new.key),
        'contact_field_index:' || new.org_id || ':' || new.key);
    end if;
    return new;
  elsif tg_op = 'UPDATE' then
    if new.indexed is distinct from old.indexed then
      perform private.enqueue_job('contact_field_index', jsonb_build_object('orgId', new.org_id, 'key', new.key),
        'contact_field_index:' || new.org_id || ':' || new.key);
    end if;
    return new;
  end if;
  if exists (select 1 from public.organizations o where o.id = old.org_id) then
    insert into private.contact_field_purges (org_id, key) values (old.org_id, old.key)
    on conflict (org_id, key) do nothing;
    perform private.enqueue_job('contact_field_purge', jsonb_build_object('orgId', old.org_id, 'key', old.key),
      'contact_field_purge:' || old.org_id || ':' || old.key);
  end if;
  return old;
end;
$$;
comment on function private.contact_fields_change() is 'Trigger: queues index builds and value purges for custom fields.';

-- The name of the expression index of a custom field (a hash: org ids and keys
-- together are too long for an identifier).
create function private.contact_field_index_name(p_org_id uuid, p_key text)
returns text
language sql
immutable
set search_path = ''
as $$
  select 'contacts_cf_' || substr(md5(p_org_id::text || ':' || p_key), 1, 20) || '_idx';
$$;
comment on function private.contact_field_index_name(uuid, text) is 'Name of the expression index of a custom field.';

-- Creates or drops the partial expression index of one custom field so that it
-- matches the field's `indexed` flag. The expressions are exactly those the
-- segment compiler emits (src/lib/server/segments/compile.ts), or the planner
-- would not use them. Called by the worker: users cannot run DDL, and a build
-- must not hold up a request.
create function private.sync_contact_field_index(p_org_id uuid, p_key text)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  field public.contact_fields;
  index_name text := private.contact_field_index_name(p_org_id, p_key);
  expression text;
begin
  select * into field from public.contact_fields f where f.org_id = p_org_id and f.key = p_key;
  if not found or not field.indexed then
    execute format('drop index if exists public.%I', index_name);
    return 'dropped';
  end if;
  expression := case field.type
    when 'text' then format('(lower(custom ->> %L))', p_key)
    when 'number' then format('(((custom ->> %L))::numeric)', p_key)
    when 'multi_select' then format('(custom -> %L)', p_key)
    else format('((custom ->> %L))', p_key) end;
  execute format('create index if not exists %I on public.contacts using %s (%s) where org_id = %L',
    index_name, case when field.type = 'multi_select' then 'gin' else 'btree' end, expression, p_org_id);
  return 'created';
end;
$$;
comment on function private.sync_contact_field_index(uuid, text) is 'Creates or drops the expression index of a custom field (worker only).';

-- Strips a deleted field's values from up to p_limit contacts; returns how many
-- were changed (0: done, the purge marker is removed). No contact.updated
-- events: deleting a field is one change, not one per contact.
create function private.purge_contact_field_values(p_org_id uuid, p_key text, p_limit integer default 5000)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  changed integer;
begin
  if exists (select 1 from public.contact_fields f where f.org_id = p_org_id and f.key = p_key) then
    delete from private.contact_field_purges where org_id = p_org_id and key = p_key;
    return 0;
  end if;
  perform set_config('growthdesk.quiet_contact_updates', 'on', true);
  update public.contacts c set custom = c.custom - p_key
   where c.id in (select x.id from public.contacts x where x.org_id = p_org_id and x.custom ? p_key limit p_limit);
  get diagnostics changed = row_count;
  perform set_config('growthdesk.quiet_contact_updates', '', true);
  if changed = 0 then
    delete from private.contact_field_purges where org_id = p_org_id and key = p_key;
  end if;
  return changed;
end;
$$;
comment on function private.purge_contact_field_values(uuid, text, integer) is 'Strips a deleted custom field''s values in batches (worker only).';

-- The ids of an organization's contacts whose name, email, phone or company
-- contains a term, found through the trigram index. Why a security-definer
-- function: under RLS, Postgres evaluates policies before any non-leakproof
-- operator (LIKE is not leakproof), so a search inside an RLS query cannot use
-- the trigram index and scans every row of the organization. Membership is
-- checked here instead, once; the caller's query still runs under RLS.
create function public.search_contact_ids(p_org_id uuid, p_term text)
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
rows 200
as $$
begin
  if p_org_id is null or not exists (select 1 from private.user_org_ids() o where o = p_org_id) then
    return;
  end if;
  return query
  select c.id from public.contacts c
   where c.org_id = p_org_id
     and c.search like '%' || replace(replace(replace(lower(p_term), '\', '\\'), '%', '\%'), '_', '\_') || '%';
end;
$$;
comment on function public.search_contact_ids(uuid, text) is 'Contacts of an organization matching a search term, through the trigram index (members only).';

-- Erases a contact on request (GDPR art. 17): personal data is removed, the row
-- stays as a tombstone so the timeline, consent evidence and counts still add
-- up; event payloads about it are emptied. The audit log records who erased it.
create function public.erase_contact(p_contact_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  target public.contacts;
begin
  select * into target from public.contacts where id = p_contact_id for update;
  if not found or not private.has_permission(target.org_id, 'contacts.write') then
    raise exception 'Contact not found.' using errcode = 'P0002', hint = 'contact_not_found';
  end if;
  if target.erased_at is not null then
    return;
  end if;
  delete from public.contact_tags where org_id = target.org_id and contact_id = target.id;
  delete from public.segment_memberships where org_id = target.org_id and contact_id = target.id;
  update public.contacts
     set email = null, phone = null, first_name = null, last_name = null, company = null,
         custom = '{}'::jsonb, status = 'unsubscribed', source = 'erased', erased_at = now()
   where id = target.id;
  update public.events set payload = '{}'::jsonb
   where org_id = target.org_id and subject_type = 'contact' and subject_id = target.id and payload <> '{}'::jsonb;
  insert into public.audit_log (org_id, actor_id, action, target_type, target_id, after)
  values (target.org_id, (select auth.uid()), 'contact.erased', 'contact', target.id::text,
          jsonb_build_object('erased_at', now()));
  perform private.record_event(target.org_id, 'contact.erased', 'contact', target.id, '{}'::jsonb);
end;
$$;
comment on function public.erase_contact(uuid) is 'Erases a contact''s personal data, keeping an audit entry and a tombstone.';

-- Whether a message may be sent to a contact on a channel. Email needs a
-- subscribed, not erased contact whose latest email consent is not withdrawn;
-- SMS and WhatsApp need a phone and an explicit latest "granted" record.
-- Security invoker: the caller sees only contacts RLS lets them see.
create function public.contact_can_send(p_contact_id uuid, p_channel public.consent_channel)
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce((
    select c.erased_at is null
       and case when p_channel = 'email' then c.status = 'subscribed' and c.email is not null
                else c.phone is not null end
       and coalesce((select r.status = 'granted' from public.consent_records r
                      where r.org_id = c.org_id and r.contact_id = c.id and r.channel = p_channel
                      order by r.recorded_at desc, r.id desc limit 1),
                    p_channel = 'email')
      from public.contacts c where c.id = p_contact_id), false);
$$;
comment on function public.contact_can_send(uuid, public.consent_channel) is 'True when the contact may be messaged on the channel (status, consent, erasure).';

revoke all on function private.raise_contact_value_problem(text, text) from public;
revoke all on function private.contacts_after_insert() from public;
revoke all on function private.contacts_after_update() from public;
revoke all on function private.contacts_before_update() from public;
revoke all on function private.contacts_after_delete() from public;
revoke all on function private.contact_tags_events() from public;
revoke all on function private.consent_records_after_insert() from public;
revoke all on function private.contact_fields_change() from public;
revoke all on function private.contact_field_index_name(uuid, text) from public;
revoke all on function private.sync_contact_field_index(uuid, text) from public;
revoke all on function private.purge_contact_field_values(uuid, text, integer) from public;
revoke all on function public.erase_contact(uuid) from public, anon;
revoke all on function public.search_contact_ids(uuid, text) from public, anon;
revoke all on function public.contact_can_send(uuid, public.consent_channel) from public, anon;
grant execute on function public.erase_contact(uuid) to authenticated;
grant execute on function public.search_contact_ids(uuid, text) to authenticated;
grant execute on function public.contact_can_send(uuid, public.consent_channel) to authenticated, service_role;
grant execute on function private.sync_contact_field_index(uuid, text) to service_role;
grant execute on function private.purge_contact_field_values(uuid, text, integer) to service_role;

-- Section: triggers
create trigger contacts_before_update before update on public.contacts
  for each row execute function private.contacts_before_update();
create trigger contacts_after_insert after insert on public.contacts
  referencing new table as new_rows
  for each statement execute function private.contacts_after_insert();
create trigger contacts_after_update after update on public.contacts
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.contacts_after_update();
create trigger contacts_after_delete after delete on public.contacts
  referencing old table as old_rows
  for each statement execute function private.contacts_after_delete();

create trigger contact_tags_after_insert after insert on public.contact_tags
  referencing new table as new_rows
  for each statement execute function private.contact_tags_events();
create trigger contact_tags_after_delete after delete on public.contact_tags
  referencing old table as old_rows
  for each statement execute function private.contact_tags_events();

create trigger consent_records_after_insert after insert on public.consent_records
  referencing new table as new_rows
  for each statement execute function private.consent_records_after_insert();

create trigger contact_fields_set_updated_at before update on public.contact_fields
  for each row execute function private.set_updated_at();
create trigger contact_fields_change before insert or update or delete on public.contact_fields
  for each row execute function private.contact_fields_change();
create trigger tags_set_updated_at before update on public.tags
  for each row execute function private.set_updated_at();

-- Section: policies
alter table public.contacts enable row level security;
alter table public.contact_fields enable row level security;
alter table public.tags enable row level security;
alter table public.contact_tags enable row level security;
alter table public.consent_records enable row level security;

create policy "Members can read their organization's contacts"
  on public.contacts for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Contact editors can create contacts"
  on public.contacts for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('contacts.write')));
create policy "Contact editors can update contacts"
  on public.contacts for update to authenticated
  using (org_id in (select private.org_ids_with_permission('contacts.write')))
  with check (org_id in (select private.org_ids_with_permission('contacts.write')));
create policy "Contact editors can delete contacts"
  on public.contacts for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('contacts.write')));

create policy "Members can read their organization's contact fields"
  on public.contact_fields for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Contact editors can define contact fields"
  on public.contact_fields for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('contacts.write')));
create policy "Contact editors can change contact fields"
  on public.contact_fields for update to authenticated
  using (org_id in (select private.org_ids_with_permission('contacts.write')))
  with check (org_id in (select private.org_ids_with_permission('contacts.write')));
create policy "Contact editors can delete contact fields"
  on public.contact_fields for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('contacts.write')));

create policy "Members can read their organization's tags"
  on public.tags for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Contact editors can create tags"
  on public.tags for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('contacts.write')));
create policy "Contact editors can rename tags"
  on public.tags for update to authenticated
  using (org_id in (select private.org_ids_with_permission('contacts.write')))
  with check (org_id in (select private.org_ids_with_permission('contacts.write')));
create policy "Contact editors can delete tags"
  on public.tags for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('contacts.write')));

create policy "Members can read their organization's contact tags"
  on public.contact_tags for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Contact editors can tag contacts"
  on public.contact_tags for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('contacts.write')));
create policy "Contact editors can untag contacts"
  on public.contact_tags for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('contacts.write')));

create policy "Members can read their organization's consent records"
  on public.consent_records for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Contact editors can record consent"
  on public.consent_records for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('contacts.write'))
              and recorded_by = (select auth.uid()));

-- Section: grants
-- Ids, org_id, timestamps, the generated columns and erased_at are never
-- written through the API; consent evidence is append-only.
revoke all on public.contacts, public.contact_fields, public.tags, public.contact_tags,
  public.consent_records from anon, authenticated;
revoke all on private.contact_field_purges from public;

grant select, delete on public.contacts to authenticated;
grant insert (org_id, email, phone, first_name, last_name, company, source, status, custom),
  update (email, phone, first_name, last_name, company, source, status, custom)
  on public.contacts to authenticated;
grant select, delete on public.contact_fields to authenticated;
grant insert (org_id, key, label, type, options, required, indexed, position),
  update (label, options, required, indexed, position) on public.contact_fields to authenticated;
grant select, delete on public.tags to authenticated;
grant insert (org_id, name, color), update (name, color) on public.tags to authenticated;
grant select, delete on public.contact_tags to authenticated;
grant insert (org_id, contact_id, tag_id) on public.contact_tags to authenticated;
grant select on public.consent_records to authenticated;
grant insert (org_id, contact_id, channel, status, source) on public.consent_records to authenticated;
