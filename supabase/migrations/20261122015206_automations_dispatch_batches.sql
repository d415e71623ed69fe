-- Feature: automations, dispatch batches (follows 20261122005500_automations.sql).
-- Measured with a 20,000-event backlog: claiming waiting dispatch jobs oldest
-- first made every claim walk the index entries of the jobs already taken
-- (deleted, but not yet reclaimable while other batches hold snapshots), so a
-- claim cost grew with the backlog. Batches now take the newest waiting jobs;
-- graphile-worker itself keeps handing out the oldest, so the backlog is eaten
-- from both ends and every event is still dispatched exactly once.

-- Section: functions

create or replace function private.automations_claim_dispatches(p_limit integer)
returns bigint[]
language plpgsql
security definer
set search_path = ''
as $$
declare
  ids bigint[];
begin
  with claimed as (
    select j.id
      from graphile_worker._private_jobs j
     where j.is_available and j.job_queue_id is null and j.attempts = 0 and j.run_at <= now()
       and j.task_id = (select t.id from graphile_worker._private_tasks t
                         where t.identifier = 'automations_dispatch')
     order by j.priority desc, j.run_at desc
     limit p_limit
       for update skip locked
  ),
  gone as (
    delete from graphile_worker._private_jobs j using claimed c where j.id = c.id returning j.payload
  )
  select coalesce(array_agg(e::bigint), '{}') into ids
    from gone, json_array_elements_text(gone.payload -> 'events') e;
  return ids;
end;
$$;
comment on function private.automations_claim_dispatches(integer) is 'Takes the newest waiting dispatch jobs off the queue into the caller''s batch (worker only).';
