-- Feature: stored data holds for every writer, and stays readable.
-- Follows 20261122004804_contacts.sql, 20261122013033_contacts_bulk_paths.sql
-- and 20261122004807_segments.sql.
--   * Custom values were checked for the API roles only: the inbound webhook
--     (service_role) stored wrong types and unknown keys, after which every
--     segment count of the organization failed on a cast. A statement trigger
--     now checks them for every role, the worker's import included (it has
--     checked its cells in staging already; the second check is set-based).
--   * A custom field's key and type cannot change once created (values depend
--     on them), whoever writes; a select option still held by contacts cannot
--     be removed.
--   * A number field's expression index (and the segment compiler, which must
--     emit the same expression) reads a value that is not a number as null
--     instead of failing the statement: one bad row must not stop a count.
--   * JSON documents people can write through the API (segment rules,
--     automation drafts and versions, import settings, export filters) are
--     bounded in depth and size: a rule tree nested 5,000 deep overflowed the
--     stack of every page that read it. Rows written before stay (the app
--     shows a message for data it cannot read); every new document is checked.

-- Section: functions

-- Whether a JSON document nests at most p_max containers deep ({} and [] are
-- 1, a scalar 0). Walks level by level (a recursive query, not recursion in
-- the function), stopping one level past p_max, so a document 5,000 deep costs
-- p_max levels. Immutable: it reads nothing but its arguments.
create function private.jsonb_depth_within(p_value jsonb, p_max integer)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  with recursive levels (depth, value) as (
    select 1, p_value where jsonb_typeof(p_value) in ('object', 'array')
    union all
    select l.depth + 1, c.value
      from levels l
      cross join lateral (
        select e.value from jsonb_each(case when jsonb_typeof(l.value) = 'object' then l.value end) e
        union all
        select a.value from jsonb_array_elements(case when jsonb_typeof(l.value) = 'array' then l.value end) a
      ) c
     where l.depth <= p_max and jsonb_typeof(c.value) in ('object', 'array')
  )
  select coalesce(max(depth), 0) <= p_max from levels;
$$;
comment on function private.jsonb_depth_within(jsonb, integer) is 'True when a JSON document nests at most p_max containers deep.';
-- Executable by every role (the default): the bounds triggers run as the writer.

-- Trigger (row, before insert or update of a JSON column): the document
-- written is at most tg_argv[1] bytes (as text) and tg_argv[2] levels deep.
-- A trigger rather than a check constraint: a row stored before the bound
-- (the app shows it with a message) must stay updatable in its other columns,
-- e.g. when the worker records why the segment cannot be built.
create function private.check_json_bounds()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  col text := tg_argv[0];
  max_bytes integer := tg_argv[1]::integer;
  max_depth integer := tg_argv[2]::integer;
  doc jsonb := to_jsonb(new) -> col;
begin
  if tg_op = 'UPDATE' and doc is not distinct from to_jsonb(old) -> col then
    return new;
  end if;
  if doc is not null and (octet_length(doc::text) > max_bytes or not private.jsonb_depth_within(doc, max_depth)) then
    raise exception 'The document in "%" is nested too deep or too large (at most % levels and % bytes).', col, max_depth, max_bytes
      using errcode = '23514', column = col, table = tg_table_name,
            constraint = tg_table_name || '_' || col || '_bounds', hint = 'json_out_of_bounds';
  end if;
  return new;
end;
$$;
comment on function private.check_json_bounds() is 'Trigger: bounds the size and depth of a JSON document people can write.';

-- Trigger (statement, contacts insert/update): the custom values written are
-- of the organization's fields and of their types, and required fields stay
-- filled; for every role (the checks in contacts_after_insert/update run for
-- the API roles only). On update only the values that changed are checked, so
-- a value stored before a rule existed does not block an unrelated change.
create function private.contacts_check_custom()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  bad_key text;
  bad_problem text;
  -- An update compares with the old rows, a transition table an insert does
  -- not have: the query text is completed per operation.
  old_join text := case when tg_op = 'UPDATE' then 'join old_rows o on o.id = n.id' else '' end;
  changed text := case when tg_op = 'UPDATE'
    then 'and n.custom is distinct from o.custom and e.value is distinct from o.custom -> e.key' else '' end;
  emptied text := case when tg_op = 'UPDATE'
    then 'and n.erased_at is null and nullif(o.custom ->> f.key, '''') is not null' else '' end;
begin
  -- Inline SQL, set-based: a function call per value would cost more than the
  -- write itself on an import.
  execute format($q$
    select x.key, x.problem
      from (
        select e.key, case
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
          %s
          cross join lateral jsonb_each(n.custom) e
          left join public.contact_fields f on f.org_id = n.org_id and f.key = e.key
         where n.custom <> '{}'::jsonb %s
      ) x
     where x.problem is not null
     limit 1$q$, old_join, changed) into bad_key, bad_problem;
  if bad_key is not null then
    perform private.raise_contact_value_problem(bad_key, bad_problem);
  end if;
  -- Required fields: filled on insert, not emptied by an update (an erasure
  -- empties everything).
  execute format($q$
    select f.key
      from new_rows n
      %s
      join public.contact_fields f on f.org_id = n.org_id and f.required
     where (nullif(n.custom ->> f.key, '') is null or n.custom -> f.key = '[]'::jsonb) %s
     limit 1$q$, old_join, emptied) into bad_key;
  if bad_key is not null then
    perform private.raise_contact_value_problem(bad_key, 'is required');
  end if;
  return null;
end;
$$;
comment on function private.contacts_check_custom() is 'Trigger: checks custom values against the organization''s fields, for every role.';

-- Trigger (row, before update of contact_fields): key and type stay as
-- created, whoever writes (stored values and expression indexes depend on
-- them: delete the field and add another instead); an option of a select
-- field cannot be removed while contacts hold it (their value would no longer
-- be one of the options).
create function private.contact_fields_keep_values_valid()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  held text;
begin
  if new.key is distinct from old.key or new.type is distinct from old.type then
    raise exception 'A custom field''s key and type cannot change once it is created; add a new field instead.'
      using errcode = '23514', column = case when new.key is distinct from old.key then 'key' else 'type' end,
            hint = 'contact_field_fixed';
  end if;
  if new.type in ('select', 'multi_select') and not (old.options <@ new.options) then
    select o into held
      from unnest(old.options) o
     where not (o = any (new.options))
       and exists (select 1 from public.contacts c
                    where c.org_id = new.org_id
                      and case when new.type = 'select' then c.custom ->> new.key = o
                               else coalesce(c.custom -> new.key ? o, false) end)
     limit 1;
    if found then
      raise exception 'The option "%" is still set on contacts; change them first, or keep the option.', held
        using errcode = '23514', column = 'options', hint = 'contact_field_option_in_use';
    end if;
  end if;
  return new;
end;
$$;
comment on function private.contact_fields_keep_values_valid() is 'Trigger: refuses key/type changes and removing options contacts still hold.';

-- The expression of a custom field's index, exactly as the segment compiler
-- (src/lib/server/segments/compile.ts) writes it, or the planner would not use
-- the index. A number reads as null unless the stored value is a JSON number,
-- so no stored value can make a statement fail.
create function private.contact_field_index_expression(p_type public.contact_field_type, p_key text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case p_type
    when 'text' then format('(lower(custom ->> %L))', p_key)
    when 'number' then format('(case when jsonb_typeof(custom -> %L) = ''number'' then (custom ->> %L)::numeric end)', p_key, p_key)
    when 'multi_select' then format('(custom -> %L)', p_key)
    else format('((custom ->> %L))', p_key) end;
$$;
comment on function private.contact_field_index_expression(public.contact_field_type, text) is 'The expression indexed for a custom field (matches the segment compiler).';

-- Creates or drops the partial expression index of one custom field (worker
-- only). Replaces the version of 20261122004804_contacts.sql: the expression
-- comes from contact_field_index_expression (a number is read safely).
create or replace function private.sync_contact_field_index(p_org_id uuid, p_key text)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  field public.contact_fields;
  index_name text := private.contact_field_index_name(p_org_id, p_key);
begin
  select * into field from public.contact_fields f where f.org_id = p_org_id and f.key = p_key;
  if not found or not field.indexed then
    execute format('drop index if exists public.%I', index_name);
    return 'dropped';
  end if;
  execute format('create index if not exists %I on public.contacts using %s (%s) where org_id = %L',
    index_name, case when field.type = 'multi_select' then 'gin' else 'btree' end,
    private.contact_field_index_expression(field.type, p_key), p_org_id);
  return 'created';
end;
$$;
comment on function private.sync_contact_field_index(uuid, text) is 'Creates or drops the expression index of a custom field (worker only).';

revoke all on function private.check_json_bounds() from public;
revoke all on function private.contacts_check_custom() from public;
revoke all on function private.contact_fields_keep_values_valid() from public;
revoke all on function private.contact_field_index_expression(public.contact_field_type, text) from public;

-- Section: triggers

create trigger contacts_check_custom_insert after insert on public.contacts
  referencing new table as new_rows
  for each statement execute function private.contacts_check_custom();
create trigger contacts_check_custom_update after update on public.contacts
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.contacts_check_custom();
create trigger contact_fields_keep_values_valid before update on public.contact_fields
  for each row execute function private.contact_fields_keep_values_valid();

-- Section: bounds
-- Well above what the app writes (segment groups nest 5 deep, about 13 JSON
-- levels; an automation holds rule trees inside steps; the app caps drafts at
-- 500,000 characters), below what breaks a page.

create trigger segments_rules_bounds before insert or update of rules on public.segments
  for each row execute function private.check_json_bounds('rules', '1000000', '32');
create trigger automations_draft_bounds before insert or update of draft on public.automations
  for each row execute function private.check_json_bounds('draft', '1000000', '32');
create trigger automation_versions_definition_bounds before insert or update of definition on public.automation_versions
  for each row execute function private.check_json_bounds('definition', '1000000', '32');
create trigger contact_imports_options_bounds before insert or update of options on public.contact_imports
  for each row execute function private.check_json_bounds('options', '16000', '4');
create trigger contact_imports_mapping_bounds before insert or update of mapping on public.contact_imports
  for each row execute function private.check_json_bounds('mapping', '64000', '2');
create trigger contact_exports_filter_bounds before insert or update of filter on public.contact_exports
  for each row execute function private.check_json_bounds('filter', '1000000', '32');

-- Section: indexes
-- Number indexes built with the old expression (a bare cast, which failed on
-- a value that is not a number) are dropped and rebuilt by the worker.
do $$
declare
  field record;
begin
  for field in select f.org_id, f.key from public.contact_fields f where f.indexed and f.type = 'number' loop
    execute format('drop index if exists public.%I', private.contact_field_index_name(field.org_id, field.key));
    perform private.enqueue_job('contact_field_index', jsonb_build_object('orgId', field.org_id, 'key', field.key),
      'contact_field_index:' || field.org_id || ':' || field.key);
  end loop;
end;
$$;
