-- Feature: saved secrets for automations. An HTTP step's API key or token no
-- longer lives in the definition (automations.draft, automation_versions.definition),
-- which every member of the organization reads, viewers included. It is saved
-- once as an automation secret and the step's header refers to it by name:
-- `Authorization: Bearer {{secret:crm_key}}`. The worker puts the value in at
-- send time (src/worker/automations/steps.ts); definitions and run records keep
-- the reference only.
--   * automation_secrets: the value column is granted to no API role, so no
--     member reads a value back (writing one is for automations.write); names
--     and dates are readable by the organization's members, for the builder.
--   * a trigger on automations and automation_versions refuses an HTTP step
--     header that is neither a secret reference nor a plain header from a
--     short list (content-type, accept...), for every role, service_role too.

-- Section: tables

-- One saved secret of an organization; referred to by name from step headers.
create table public.automation_secrets (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  -- The name used in `{{secret:NAME}}`; the same pattern as the worker and the app.
  name text not null check (name ~ '^[A-Za-z0-9_-]{1,64}$'),
  value text not null check (char_length(value) between 1 and 2000),
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint automation_secrets_org_id_name_key unique (org_id, name)
);
create index automation_secrets_created_by_idx on public.automation_secrets (created_by);
comment on table public.automation_secrets is
  'API keys and tokens HTTP steps send, referred to as {{secret:NAME}}; values are readable by the worker only.';
comment on column public.automation_secrets.value is
  'Never granted to an API role for reading: members write a value, nobody reads it back.';

-- Section: functions (private helpers; empty search_path)

-- The name of the first HTTP step header of a definition that may carry a
-- secret in the clear, or null. Allowed: a header of the plain list, or a
-- value that is only a secret reference (optionally after an auth scheme).
-- Steps are found at any depth so that no nesting hides one.
create function private.automation_header_problem(p_definition jsonb)
returns text
language sql
immutable
set search_path = ''
as $$
  select h.key
    from jsonb_path_query(p_definition, 'strict $.**') as s (step)
    cross join lateral jsonb_each(
      case when jsonb_typeof(s.step) = 'object'
                and s.step ->> 'type' = 'http_request'
                and jsonb_typeof(s.step -> 'headers') = 'object'
           then s.step -> 'headers' else '{}'::jsonb end) as h
   where lower(h.key) not in ('accept', 'accept-language', 'content-language', 'content-type',
                              'idempotency-key', 'user-agent')
     and (jsonb_typeof(h.value) <> 'string'
          or h.value #>> '{}' !~ '^((Bearer|Basic|Token) )?\{\{secret:[A-Za-z0-9_-]{1,64}\}\}$')
   limit 1;
$$;
comment on function private.automation_header_problem(jsonb) is
  'Name of the first HTTP step header holding a literal value where a saved secret is required (null when none).';

-- Refuses a draft or a version whose HTTP step headers hold literal values:
-- they would be readable by every member. A trigger, so it holds for every role.
create function private.automation_headers_check()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  header text;
  field text := case when tg_table_name = 'automations' then 'draft' else 'definition' end;
begin
  header := private.automation_header_problem(to_jsonb(new) -> field);
  if header is not null then
    raise exception 'The header "%" of an HTTP step may only use a saved secret: its value could be an API key, and everyone in the workspace can read automations.', header
      using errcode = '23514', column = field, hint = 'header_needs_secret';
  end if;
  return new;
end;
$$;
comment on function private.automation_headers_check() is
  'Keeps API keys out of automation definitions, which every member reads: header values must be secret references.';

-- Section: triggers

create trigger automations_headers_check
  before insert or update of draft on public.automations
  for each row execute function private.automation_headers_check();
create trigger automation_versions_headers_check
  before insert or update of definition on public.automation_versions
  for each row execute function private.automation_headers_check();

-- The timestamp a changed value shows in the builder ("changed 2 days ago").
create function private.automation_secrets_touch()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;
comment on function private.automation_secrets_touch() is 'Keeps automation_secrets.updated_at current.';
create trigger automation_secrets_touch
  before update on public.automation_secrets
  for each row execute function private.automation_secrets_touch();

-- Section: grants

revoke all on function private.automation_header_problem(jsonb) from public;
revoke all on function private.automation_headers_check() from public;
revoke all on function private.automation_secrets_touch() from public;
-- Called by the trigger as whoever writes a definition.
grant execute on function private.automation_header_problem(jsonb) to authenticated, service_role;
revoke all on public.automation_secrets from anon, authenticated;
-- Not the value column: a secret is written, never read back through the API.
grant select (id, org_id, name, created_by, created_at, updated_at) on public.automation_secrets to authenticated;
grant insert (org_id, name, value), update (name, value), delete on public.automation_secrets to authenticated;
grant select, insert, update, delete on public.automation_secrets to service_role;

-- Section: policies

alter table public.automation_secrets enable row level security;

create policy "Members can see the names of their organization's secrets"
  on public.automation_secrets for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Automation editors can save secrets"
  on public.automation_secrets for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('automations.write')));
create policy "Automation editors can change secrets"
  on public.automation_secrets for update to authenticated
  using (org_id in (select private.org_ids_with_permission('automations.write')))
  with check (org_id in (select private.org_ids_with_permission('automations.write')));
create policy "Automation editors can delete secrets"
  on public.automation_secrets for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('automations.write')));
