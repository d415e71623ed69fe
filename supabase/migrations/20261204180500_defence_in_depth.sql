-- Feature: defence in depth for raw SQL. PostgREST is not the only client a
-- database may have, so what the app and PostgREST happen not to send is still
-- refused by the database:
--   * the Data API roles (anon, authenticated) lose TRIGGER, REFERENCES,
--     TRUNCATE and MAINTAIN on every table of the exposed schema and UPDATE
--     (setval) on its sequences, now and, through default privileges, on every
--     table and sequence later migrations create. None of them is needed: RLS
--     and the column grants of each feature say what the API may do, and
--     identity/serial columns draw from their sequence without UPDATE.
--     (TRUNCATE skips RLS, REFERENCES lets a role probe keys with a foreign
--     key of its own, TRIGGER attaches code to our tables, MAINTAIN takes
--     locks that stop every tenant.)
--   * growthdesk.quiet_contact_updates, a custom setting anyone can set, no
--     longer silences the contact triggers for an API role;
--   * start_automation_run() refuses subject types the engine does not know;
--   * publish_automation() checks the definition's structure itself
--     (private.automation_definition_problem), as the app's validateGraph does
--     (src/lib/automations/validate.ts): known trigger and step types, the
--     fields each needs, unique step ids, branches that point at steps, every
--     step reachable from the start, no loop without a wait. References to the
--     organization's templates, tags and members stay the app's and the
--     worker's to check.
-- The app applies the roles' statement_timeout per transaction, as PostgREST
-- does (src/lib/server/db/rls.ts): `set local role` does not apply it.

-- Section: grants

revoke trigger, references, truncate, maintain on all tables in schema public from anon, authenticated;
revoke update on all sequences in schema public from anon, authenticated;
alter default privileges for role postgres in schema public
  revoke trigger, references, truncate, maintain on tables from anon, authenticated;
alter default privileges for role postgres in schema public
  revoke update on sequences from anon, authenticated;

-- Section: functions (private helpers; empty search_path)

-- Whether a JSON value is a string of at most p_max characters, matching
-- p_pattern when given and not blank when p_required.
create function private.json_text_ok(
  p_value jsonb,
  p_max integer,
  p_pattern text default null,
  p_required boolean default false
)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select case when jsonb_typeof(p_value) = 'string' then
    char_length(p_value #>> '{}') <= p_max
    and (p_pattern is null or (p_value #>> '{}') ~ p_pattern)
    and (not p_required or btrim(p_value #>> '{}') <> '')
  else false end;
$$;
comment on function private.json_text_ok(jsonb, integer, text, boolean) is 'Definition checks: a JSON string within bounds (and a pattern).';

-- Whether a JSON value is an integer between p_min and p_max.
create function private.json_int_ok(p_value jsonb, p_min numeric, p_max numeric)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select case when jsonb_typeof(p_value) = 'number' then
    p_value::numeric = trunc(p_value::numeric) and p_value::numeric between p_min and p_max
  else false end;
$$;
comment on function private.json_int_ok(jsonb, numeric, numeric) is 'Definition checks: a JSON integer within bounds.';

-- The branches of a definition's steps (already checked one by one): each
-- step's next, or a condition's then and else, with the types at both ends.
create function private.automation_definition_edges(p_steps jsonb)
returns table (source text, source_type text, label text, target text, target_type text)
language sql
immutable
set search_path = ''
as $$
  select s ->> 'id', s ->> 'type', t.label, t.target,
         (select d ->> 'type' from jsonb_array_elements(p_steps) d where d ->> 'id' = t.target limit 1)
    from jsonb_array_elements(p_steps) s
   cross join lateral (
     select l, s ->> l
       from unnest(case s ->> 'type' when 'condition' then array['then', 'else']
                                     when 'exit' then array[]::text[] else array['next'] end) l
   ) t (label, target)
   where t.target is not null;
$$;
comment on function private.automation_definition_edges(jsonb) is 'Definition checks: the branches between steps.';

-- The first structural problem of an automation definition, as a sentence that
-- names the step (null when there is none). Mirrors the structural rules of
-- src/lib/automations/definition.ts and validate.ts; the app has already shown
-- the user every problem, so one is enough here.
create function private.automation_definition_problem(p_definition jsonb)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  uuid_pattern constant text := '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
  step_id_pattern constant text := '^[A-Za-z0-9_-]{1,40}$';
  trig jsonb := p_definition -> 'trigger';
  reentry jsonb := p_definition -> 'reentry';
  steps jsonb := p_definition -> 'steps';
  step jsonb;
  part jsonb;
  step_no integer;
  ids text[] := '{}';
  step_label text;
  edge text;
  names jsonb;
  bad record;
begin
  if jsonb_typeof(p_definition) is distinct from 'object' then
    return 'The definition must be an object with a trigger, a re-entry policy, a start and steps.';
  end if;

  -- The trigger.
  if jsonb_typeof(trig) is distinct from 'object' then
    return 'The automation needs a trigger.';
  end if;
  case trig ->> 'type'
    when 'event' then
      if not private.json_text_ok(trig -> 'event', 200, '^[a-z][a-z_]*(\.[a-z][a-z_]*)+$') then
        return 'The trigger needs an event type.';
      end if;
      if jsonb_typeof(trig -> 'match') not in ('object', 'null') or jsonb_typeof(trig -> 'filter') not in ('object', 'null') then
        return 'The trigger''s match and filter must be objects.';
      end if;
    when 'schedule' then
      if not private.json_text_ok(trig -> 'cron', 100, null, true) then
        return 'The schedule needs a cron expression.';
      end if;
    when 'webhook' then
      if not private.json_text_ok(trig -> 'endpointId', 36, uuid_pattern) then
        return 'The trigger needs an incoming webhook endpoint.';
      end if;
    when 'manual' then
      null;
    else
      return 'The trigger type must be event, schedule, webhook or manual.';
  end case;

  -- The re-entry policy.
  if jsonb_typeof(reentry) is distinct from 'object'
     or coalesce(reentry ->> 'mode', '') not in ('once', 'every_time', 'after_days') then
    return 'The re-entry policy must be once, every_time or after_days.';
  end if;
  if reentry ->> 'mode' = 'after_days' and not private.json_int_ok(reentry -> 'days', 1, 3650) then
    return 'Re-entry after days needs a number of days from 1 to 3650.';
  end if;

  -- The steps, one by one.
  if not private.json_text_ok(p_definition -> 'start', 40, step_id_pattern) then
    return 'The automation needs a start step.';
  end if;
  if jsonb_typeof(steps) is distinct from 'array' or jsonb_array_length(steps) not between 1 and 200 then
    return 'The automation needs from 1 to 200 steps.';
  end if;
  for step, step_no in select e, o::integer from jsonb_array_elements(steps) with ordinality s (e, o) loop
    if jsonb_typeof(step) is distinct from 'object' then
      return format('Step %s is not a step.', step_no);
    end if;
    step_label := format('Step "%s"', coalesce(nullif(btrim(step ->> 'name'), ''), step ->> 'id', step_no::text));
    if not private.json_text_ok(step -> 'id', 40, step_id_pattern) then
      return step_label || ': its id must be 1–40 letters, digits, - or _.';
    end if;
    if (step ->> 'id') = any (ids) then
      return format('%s: the id "%s" is used by another step.', step_label, step ->> 'id');
    end if;
    ids := ids || (step ->> 'id');
    if not private.json_text_ok(step -> 'name', 80, null, true) then
      return step_label || ': a step name is required (at most 80 characters).';
    end if;
    if step ? 'retry' and jsonb_typeof(step -> 'retry') <> 'null' and not (
        jsonb_typeof(step -> 'retry') = 'object' and private.json_int_ok(step #> '{retry,maxAttempts}', 1, 10)
        and (jsonb_typeof(step #> '{retry,backoffSeconds}') is null
             or private.json_int_ok(step #> '{retry,backoffSeconds}', 1, 86400))) then
      return step_label || ': its retry policy needs 1–10 attempts and a backoff of 1–86400 seconds.';
    end if;
    case step ->> 'type'
      when 'wait' then
        part := step -> 'wait';
        if not coalesce(
            (part ->> 'kind' = 'duration' and private.json_int_ok(part -> 'amount', 1, 100000)
             and coalesce(part ->> 'unit', '') in ('seconds', 'minutes', 'hours', 'days'))
            or (part ->> 'kind' = 'until' and private.json_text_ok(part -> 'at', 100)
                and pg_input_is_valid(part ->> 'at', 'timestamptz')), false) then
          return step_label || ': a wait needs a duration (1–100000 seconds, minutes, hours or days) or a time.';
        end if;
      when 'condition' then
        part := step -> 'condition';
        if part ->> 'kind' = 'contact' then
          if jsonb_typeof(part -> 'rules') is distinct from 'object' then
            return step_label || ': a contact condition needs rules.';
          end if;
        elsif part ->> 'kind' = 'data' then
          if coalesce(part ->> 'match', '') not in ('all', 'any') or jsonb_typeof(part -> 'checks') is distinct from 'array'
             or jsonb_array_length(part -> 'checks') not between 1 and 20 then
            return step_label || ': a data condition needs all/any and 1–20 checks.';
          end if;
          if exists (
              select 1 from jsonb_array_elements(part -> 'checks') c
               where not (jsonb_typeof(c) = 'object'
                          and private.json_text_ok(c -> 'path', 500, '^(event|contact|run)(\.[A-Za-z0-9_]+)+$')
                          and coalesce(c ->> 'op', '') in ('eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists')
                          and coalesce(jsonb_typeof(c -> 'value'), 'null') in ('string', 'number', 'boolean', 'null')))
          then
            return step_label || ': each check needs a data path, an operator and at most a simple value.';
          end if;
        else
          return step_label || ': a condition is on the contact or on data.';
        end if;
      when 'send_email' then
        part := step -> 'email';
        if not coalesce(
            (part ->> 'kind' = 'template' and private.json_text_ok(part -> 'templateId', 36, uuid_pattern))
            or (part ->> 'kind' = 'inline' and private.json_text_ok(part -> 'subject', 200, null, true)
                and private.json_text_ok(part -> 'text', 20000, null, true)
                and (coalesce(jsonb_typeof(part -> 'html'), 'null') = 'null'
                     or private.json_text_ok(part -> 'html', 100000))), false) then
          return step_label || ': an email needs a template, or a subject and a text.';
        end if;
      when 'add_tag', 'remove_tag' then
        if not private.json_text_ok(step -> 'tagId', 36, uuid_pattern) then
          return step_label || ': choose a tag.';
        end if;
      when 'update_field' then
        if not (coalesce(step ->> 'field', '') in ('first_name', 'last_name', 'company', 'phone')
                or private.json_text_ok(step -> 'field', 47, '^custom\.[a-z][a-z0-9_]{0,39}$')) then
          return step_label || ': choose a contact field.';
        end if;
        if not (step ? 'value') or not (
            jsonb_typeof(step -> 'value') in ('number', 'boolean', 'null')
            or private.json_text_ok(step -> 'value', 500)
            or (jsonb_typeof(step -> 'value') = 'array' and jsonb_array_length(step -> 'value') <= 200
                and not exists (select 1 from jsonb_array_elements(step -> 'value') v
                                 where not private.json_text_ok(v, 500)))) then
          return step_label || ': the new value must be text, a number, true/false, empty or a list of texts.';
        end if;
      when 'notify_member' then
        if not (private.json_text_ok(step -> 'userId', 36, uuid_pattern)
                and private.json_text_ok(step -> 'subject', 200, null, true)
                and private.json_text_ok(step -> 'text', 20000, null, true)) then
          return step_label || ': a notification needs a member, a subject and a message.';
        end if;
      when 'http_request' then
        if not (coalesce(step ->> 'method', '') in ('GET', 'POST', 'PUT', 'PATCH', 'DELETE')
                and private.json_text_ok(step -> 'url', 2000, '^https?://[^\s]+$')) then
          return step_label || ': an HTTP call needs a method and an http(s) URL.';
        end if;
        if jsonb_typeof(step -> 'headers') is not null and jsonb_typeof(step -> 'headers') <> 'null' and (
            jsonb_typeof(step -> 'headers') <> 'object'
            or exists (select 1 from jsonb_each(step -> 'headers') h
                        where h.key !~ '^[A-Za-z0-9-]{1,100}$' or not private.json_text_ok(h.value, 2000))) then
          return step_label || ': each header needs a name and a text value.';
        end if;
        if coalesce(jsonb_typeof(step -> 'body'), 'null') <> 'null' and not private.json_text_ok(step -> 'body', 100000) then
          return step_label || ': the body must be text.';
        end if;
        if coalesce(jsonb_typeof(step -> 'timeoutSeconds'), 'null') <> 'null'
           and not private.json_int_ok(step -> 'timeoutSeconds', 1, 60) then
          return step_label || ': the timeout must be 1–60 seconds.';
        end if;
      when 'invoke_function' then
        if not private.json_text_ok(step -> 'functionName', 64, '^[A-Za-z0-9_-]{1,64}$') then
          return step_label || ': choose an edge function.';
        end if;
        if coalesce(jsonb_typeof(step -> 'body'), 'null') <> 'null' and not private.json_text_ok(step -> 'body', 100000) then
          return step_label || ': the body must be text.';
        end if;
        if coalesce(jsonb_typeof(step -> 'timeoutSeconds'), 'null') <> 'null'
           and not private.json_int_ok(step -> 'timeoutSeconds', 1, 60) then
          return step_label || ': the timeout must be 1–60 seconds.';
        end if;
      when 'exit' then
        null;
      else
        return step_label || ': its type is not a known step.';
    end case;
    -- Where it goes next: null (or nothing) ends the run, anything else is a step id.
    foreach edge in array case step ->> 'type' when 'condition' then array['then', 'else']
                                              when 'exit' then array[]::text[] else array['next'] end loop
      if coalesce(jsonb_typeof(step -> edge), 'null') not in ('null', 'string') then
        return format('%s: its "%s" must name a step.', step_label, edge);
      end if;
    end loop;
  end loop;

  -- The graph: the start and every branch point at steps, all steps are
  -- reached from the start, and only a wait may lead back (a loop of other
  -- steps would run forever within one slice).
  select jsonb_object_agg(s ->> 'id', s ->> 'name') into names from jsonb_array_elements(steps) s;
  if not ((p_definition ->> 'start') = any (ids)) then
    return format('The automation starts at "%s", which is not a step.', p_definition ->> 'start');
  end if;
  select * into bad from private.automation_definition_edges(steps) e
   where not (e.target = any (ids)) or (e.target = e.source and e.source_type <> 'wait')
   limit 1;
  if found then
    return case when bad.target = bad.source
                then format('Step "%s": it leads back to itself without a wait.', names ->> bad.source)
                else format('Step "%s": its %s points to "%s", which is not a step.', names ->> bad.source,
                            case bad.label when 'next' then 'next step' else format('"%s" branch', bad.label) end,
                            bad.target) end;
  end if;
  select s ->> 'id' as id into bad
    from jsonb_array_elements(steps) s
   where (s ->> 'id') not in (
     with recursive reached (id) as (
       select p_definition ->> 'start'
       union
       select e.target from reached r join private.automation_definition_edges(steps) e on e.source = r.id)
     select id from reached)
   limit 1;
  if found then
    return format('Step "%s": nothing leads to this step from the start.', names ->> bad.id);
  end if;
  select w.origin as id into bad
    from (
      with recursive edges as (
             select e.source, e.target from private.automation_definition_edges(steps) e
              where e.source_type <> 'wait' and e.target_type <> 'wait' and e.source <> e.target),
           walk (origin, node) as (
             select source, target from edges
             union
             select w.origin, e.target from walk w join edges e on e.source = w.node)
      select origin, node from walk) w
   where w.origin = w.node
   limit 1;
  if found then
    return format('Step "%s": it is part of a loop without a wait; add a wait to the loop.', names ->> bad.id);
  end if;
  return null;
end;
$$;
comment on function private.automation_definition_problem(jsonb) is 'The first structural problem of an automation definition (null when none); publish_automation refuses it.';

revoke all on function private.json_text_ok(jsonb, integer, text, boolean) from public;
revoke all on function private.json_int_ok(jsonb, numeric, numeric) from public;
revoke all on function private.automation_definition_edges(jsonb) from public;
revoke all on function private.automation_definition_problem(jsonb) from public;

-- Section: trigger functions

-- Checks changed custom values (API roles), keeps required fields filled and
-- records contact.updated; as in 20261122013033_contacts_bulk_paths.sql except
-- that an API role cannot silence it with growthdesk.quiet_contact_updates.
create or replace function private.contacts_after_update()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  bad record;
begin
  -- Set (transaction-locally) only by private.purge_contact_field_values, which
  -- the worker runs. Anyone can set a custom setting, so an API role's is ignored.
  if current_setting('growthdesk.quiet_contact_updates', true) = 'on' and not private.is_api_role() then
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

-- Section: public functions (the API surface; each checks who is calling)

-- Publishes a definition as the automation's next version and activates it.
-- The app validates the graph first (validateGraph, with the organization's
-- references); the database refuses a structurally broken one whoever calls.
create or replace function public.publish_automation(p_automation_id uuid, p_definition jsonb)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  target public.automations;
  next_version integer;
  new_version_id uuid;
  trigger_type text := p_definition #>> '{trigger,type}';
  problem text;
begin
  select * into target from public.automations where id = p_automation_id for update;
  if not found or not private.has_permission(target.org_id, 'automations.write') then
    raise exception 'Automation not found.' using errcode = 'P0002', hint = 'automation_not_found';
  end if;
  problem := private.automation_definition_problem(p_definition);
  if problem is not null then
    raise exception '%', problem using errcode = '22023', hint = 'definition_invalid';
  end if;
  select coalesce(max(v.version), 0) + 1 into next_version
    from public.automation_versions v where v.automation_id = target.id;
  insert into public.automation_versions (org_id, automation_id, version, definition)
  values (target.org_id, target.id, next_version, p_definition)
  returning id into new_version_id;
  update public.automations
     set status = 'active', active_version_id = new_version_id, draft = p_definition,
         trigger_event = case trigger_type
           when 'event' then p_definition #>> '{trigger,event}'
           when 'webhook' then 'webhook.received' end
   where id = target.id;
  if trigger_type = 'schedule' then
    perform private.enqueue_job('automations_schedule',
      jsonb_build_object('automationId', target.id, 'versionId', new_version_id),
      'automation_schedule:' || target.id, null, 25);
  else
    perform graphile_worker.remove_job('automation_schedule:' || target.id);
  end if;
  return next_version;
end;
$$;
comment on function public.publish_automation(uuid, jsonb) is 'Publishes a definition as a new immutable version and activates the automation.';

-- Starts a run by hand (the manual trigger, or "run now" for a contact).
-- Returns null when the re-entry policy refuses the subject.
create or replace function public.start_automation_run(
  p_automation_id uuid,
  p_subject_type text default null,
  p_subject_id uuid default null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  target public.automations;
  definition jsonb;
  started record;
begin
  select * into target from public.automations where id = p_automation_id;
  if not found or not private.has_permission(target.org_id, 'automations.write') then
    raise exception 'Automation not found.' using errcode = 'P0002', hint = 'automation_not_found';
  end if;
  if target.status <> 'active' then
    raise exception 'Activate the automation to run it.' using errcode = '22023', hint = 'automation_inactive';
  end if;
  if (p_subject_type is null) <> (p_subject_id is null) then
    raise exception 'Give both the subject type and id, or neither.' using errcode = '22023', hint = 'subject_invalid';
  end if;
  -- Contacts are the only subjects the engine knows; another type would start
  -- a run whose every contact step fails.
  if p_subject_type is not null and p_subject_type <> 'contact' then
    raise exception 'A run can be started by hand only for a contact.'
      using errcode = '22023', hint = 'subject_type_unknown';
  end if;
  if p_subject_type = 'contact' and not exists (
      select 1 from public.contacts c where c.org_id = target.org_id and c.id = p_subject_id and c.erased_at is null) then
    raise exception 'Contact not found.' using errcode = 'P0002', hint = 'contact_not_found';
  end if;
  select v.definition into definition from public.automation_versions v where v.id = target.active_version_id;
  select * into started from private.automation_runs_admit(jsonb_build_array(jsonb_build_object(
    'automation_id', target.id, 'dedupe_key', 'manual:' || gen_random_uuid(),
    'subject_type', p_subject_type, 'subject_id', p_subject_id,
    'reentry', coalesce(definition #>> '{reentry,mode}', 'every_time'),
    'reentry_days', (definition #>> '{reentry,days}')::integer)));
  if started.run_id is null then
    return null;
  end if;
  insert into public.automation_runs (id, org_id, automation_id, version_id, dedupe_key, subject_type, subject_id,
    current_step, context)
  values (started.run_id, target.org_id, target.id, target.active_version_id, started.dedupe_key, p_subject_type,
    p_subject_id, definition ->> 'start',
    jsonb_build_object('trigger', 'manual', 'started_by', (select auth.uid())));
  perform private.automation_wake(started.run_id, null);
  return started.run_id;
end;
$$;
comment on function public.start_automation_run(uuid, text, uuid) is 'Starts a run by hand; null when the re-entry policy refuses the subject.';
