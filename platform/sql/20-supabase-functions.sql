-- Supabase's database webhooks: the supabase_functions schema and its trigger
-- function http_request(url, method, headers, params, timeout_ms), which a
-- webhook created the Supabase way attaches to a table:
--
--   create trigger notify after insert on public.things for each row
--     execute function supabase_functions.http_request(
--       'http://127.0.0.1:54321/functions/v1/hook', 'POST', '{"Content-Type":"application/json"}', '{}', '1000');
--
-- It posts {type, table, schema, record, old_record}, as Supabase does. Here it
-- does not fire once through pg_net: it queues a graphile-worker job in the
-- transaction of the change (src/worker/webhooks/database-hooks.ts posts it),
-- retried with backoff on network errors and 5xx answers, so a webhook is not
-- lost when the receiver is down or the database is busy. Created only where
-- absent: on a real Supabase project the platform's own function stays.

-- Section: schema
create schema if not exists supabase_functions;
grant usage on schema supabase_functions to postgres, anon, authenticated, service_role;

-- Section: tables
create table if not exists supabase_functions.migrations (
  version text primary key,
  inserted_at timestamptz not null default now()
);
insert into supabase_functions.migrations (version) values ('initial') on conflict do nothing;

create table if not exists supabase_functions.hooks (
  id bigserial primary key,
  hook_table_id integer not null,
  hook_name text not null,
  created_at timestamptz not null default now(),
  -- Supabase keeps pg_net's request id; here it is the id of the delivery job.
  request_id bigint
);
create index if not exists supabase_functions_hooks_request_id_idx
  on supabase_functions.hooks using btree (request_id);
create index if not exists supabase_functions_hooks_h_table_id_h_name_idx
  on supabase_functions.hooks using btree (hook_table_id, hook_name);
comment on table supabase_functions.hooks is 'Supabase Functions Hooks: Audit trail for triggered hooks.';
revoke all on supabase_functions.hooks, supabase_functions.migrations from anon, authenticated;

-- Section: functions
do $do$
begin
  if not exists (
    select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'supabase_functions' and p.proname = 'http_request'
  ) then
    create function supabase_functions.http_request()
    returns trigger
    language plpgsql
    security definer
    set search_path = supabase_functions
    as $fn$
    declare
      url text := tg_argv[0]::text;
      method text := tg_argv[1]::text;
      headers jsonb default '{}'::jsonb;
      params jsonb default '{}'::jsonb;
      timeout_ms integer default 1000;
      -- Supabase's sixth argument (retries within the trigger); here a floor of ten job attempts.
      max_retries integer := coalesce(nullif(tg_argv[5], 'null')::integer, 0);
      payload jsonb;
      job_id bigint;
    begin
      if url is null or url = 'null' then
        raise exception 'url argument is missing';
      end if;
      if method is null or method = 'null' then
        raise exception 'method argument is missing';
      end if;
      if method not in ('GET', 'POST') then
        raise exception 'method argument % is invalid', method;
      end if;
      if tg_argv[2] is null or tg_argv[2] = 'null' then
        headers := '{"Content-Type": "application/json"}'::jsonb;
      else
        headers := tg_argv[2]::jsonb;
      end if;
      if tg_argv[3] is not null and tg_argv[3] <> 'null' then
        params := tg_argv[3]::jsonb;
      end if;
      if tg_argv[4] is not null and tg_argv[4] <> 'null' then
        timeout_ms := tg_argv[4]::integer;
      end if;
      payload := jsonb_build_object(
        'old_record', old,
        'record', new,
        'type', tg_op,
        'table', tg_table_name,
        'schema', tg_table_schema);
      select (graphile_worker.add_job(
        'supabase_functions_http_request',
        json_build_object('url', url, 'method', method, 'headers', headers, 'params', params,
                          'timeout_ms', timeout_ms, 'body', payload),
        max_attempts := greatest(10, max_retries + 1))).id
        into job_id;
      insert into supabase_functions.hooks (hook_table_id, hook_name, request_id)
      values (tg_relid, tg_name, job_id);
      return new;
    end;
    $fn$;
    comment on function supabase_functions.http_request() is
      'Database webhook trigger: queues a retried delivery job (local platform stand-in for pg_net).';
    revoke all on function supabase_functions.http_request() from public;
    grant execute on function supabase_functions.http_request() to postgres, anon, authenticated, service_role;
  end if;
end
$do$;
