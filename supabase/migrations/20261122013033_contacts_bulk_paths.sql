-- Feature: contacts, bulk paths (follows 20261122004804_contacts.sql).
-- Measured at a million contacts:
--   * the custom-value checks of the contact triggers cost more than the
--     insert itself on a bulk import; they now run for the API roles only
--     (what a browser or PostgREST client can send). The worker's import has
--     already checked every cell with the same rules, set-based, in staging.
--   * search_contact_ids returns at most p_limit ids: a selective term is
--     answered from the trigram index; a broad one (more matches than the
--     limit) is better served by walking the list's sort index and filtering,
--     which the app then does (src/lib/server/contacts/list.ts).

-- Section: functions

create or replace function private.contacts_after_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  bad record;
begin
  -- Same checks as in contacts_after_update (inline SQL: a function call per
  -- value would cost more than the insert itself). Only for the API roles: the
  -- worker's import has checked every cell with the same rules, set-based,
  -- before writing (src/lib/server/imports/pipeline.ts).
  if current_setting('role', true) in ('authenticated', 'anon') then
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
  end if;

  insert into public.events (org_id, type, subject_type, subject_id, actor_id, payload)
  select n.org_id, 'contact.created', 'contact', n.id, (select auth.uid()), jsonb_build_object('source', n.source)
    from new_rows n;
  return null;
end;
$$;
comment on function private.contacts_after_insert() is 'Trigger: checks custom values of inserted contacts, records contact.created.';

create or replace function private.contacts_after_update()
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
  if current_setting('role', true) in ('authenticated', 'anon') then
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

drop function public.search_contact_ids(uuid, text);

-- Up to p_limit ids of an organization's contacts whose name, email, phone or
-- company contains a term, through the trigram index. Security definer: under
-- RLS, Postgres evaluates policies before any operator that is not leakproof
-- (LIKE is not), so a search inside an RLS query cannot use the trigram index.
-- Membership is checked here instead; the caller's query still runs under RLS.
create function public.search_contact_ids(p_org_id uuid, p_term text, p_limit integer)
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
     and c.search like '%' || replace(replace(replace(lower(p_term), '\', '\\'), '%', '\%'), '_', '\_') || '%'
   limit greatest(p_limit, 0);
end;
$$;
comment on function public.search_contact_ids(uuid, text, integer) is 'Up to p_limit contacts of an organization matching a search term, through the trigram index (members only).';

revoke all on function public.search_contact_ids(uuid, text, integer) from public, anon;
grant execute on function public.search_contact_ids(uuid, text, integer) to authenticated;
