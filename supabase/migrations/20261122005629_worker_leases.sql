-- Feature: worker leases. graphile-worker leaves the jobs of a worker that
-- died (SIGKILL, a lost machine) locked for four hours. Each worker process
-- here heartbeats its pool id; any live worker unlocks the jobs of pools whose
-- heartbeat went stale, so a killed worker's jobs are picked up again within
-- seconds. Steps with side effects are written so that running them again
-- repeats nothing (src/worker/automations/executor.ts).

-- Section: tables

-- Live worker pools: one row per graphile-worker pool, refreshed every few seconds.
create table private.worker_heartbeats (
  pool_id text primary key,
  hostname text not null,
  pid integer not null,
  started_at timestamptz not null default now(),
  seen_at timestamptz not null default now()
);
comment on table private.worker_heartbeats is 'Heartbeats of running worker pools (lock recovery for killed workers).';

-- Section: functions

-- Records that a pool is alive.
create function private.worker_heartbeat(p_pool_id text, p_hostname text, p_pid integer)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into private.worker_heartbeats (pool_id, hostname, pid)
  values (p_pool_id, p_hostname, p_pid)
  on conflict (pool_id) do update set seen_at = now();
$$;
comment on function private.worker_heartbeat(text, text, integer) is 'Marks a worker pool alive (worker only).';

-- A pool that shut down cleanly says so.
create function private.worker_gone(p_pool_id text)
returns void
language sql
security definer
set search_path = ''
as $$
  delete from private.worker_heartbeats where pool_id = p_pool_id;
$$;
comment on function private.worker_gone(text) is 'Forgets a worker pool that stopped (worker only).';

-- Unlocks jobs held by pools that have not been seen for p_stale_seconds (and
-- locked them at least that long ago, so a pool that just started and has not
-- heartbeat yet is left alone). Returns the pools recovered from.
create function private.worker_recover(p_stale_seconds integer)
returns text[]
language plpgsql
security definer
set search_path = ''
as $$
declare
  stale interval := make_interval(secs => p_stale_seconds);
  dead text[];
begin
  select coalesce(array_agg(distinct j.locked_by), '{}') into dead
    from graphile_worker._private_jobs j
   where j.locked_by is not null and j.locked_at < now() - stale
     and not exists (select 1 from private.worker_heartbeats h
                      where h.pool_id = j.locked_by and h.seen_at > now() - stale);
  if cardinality(dead) > 0 then
    perform graphile_worker.force_unlock_workers(dead);
  end if;
  delete from private.worker_heartbeats h where h.seen_at < now() - stale * 20;
  return dead;
end;
$$;
comment on function private.worker_recover(integer) is 'Unlocks jobs of worker pools whose heartbeat is stale (worker only).';

revoke all on function private.worker_heartbeat(text, text, integer) from public;
revoke all on function private.worker_gone(text) from public;
revoke all on function private.worker_recover(integer) from public;
grant execute on function private.worker_heartbeat(text, text, integer) to service_role;
grant execute on function private.worker_gone(text) to service_role;
grant execute on function private.worker_recover(integer) to service_role;

-- Section: grants
revoke all on private.worker_heartbeats from public;
