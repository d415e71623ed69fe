-- Feature: scheduled campaigns start by themselves. A campaign in status
-- scheduled whose start has passed becomes active, and an active campaign
-- past its end becomes completed (both legal moves of the status machine in
-- the campaigns migration), without anyone pressing a button.
--   * The worker's cron task `campaigns_advance_statuses` (every minute, see
--     src/worker/campaign-statuses.ts) calls private.advance_campaign_statuses()
--     with the time it runs at; tests call it with a fixed time.
--   * Starts and ends are instants (the wizard's wall-clock dates converted in
--     the campaign's time zone on submission), so comparing them with "now"
--     honours the campaign's zone.
--   * The move is an ordinary update of campaigns.status, so the guard, the
--     campaign.status_changed event and the audit entry are exactly those of a
--     manual transition; it runs as the service role, so the audit log shows
--     no person (the system).
--   * Idempotent and once even with several workers: rows are claimed with
--     FOR UPDATE SKIP LOCKED and updated only while still in the status they
--     leave; a second run finds nothing left to do.

-- Section: indexes

-- What the task looks for, across organizations: the next moment a campaign
-- is due (its start while scheduled, its end while active). An expression the
-- workspace list never filters on, so the list's plans cannot pick it (a
-- partial index on (ends_at) where status = 'active' was: ANDed into the
-- list's bitmap, it read every organization's active campaigns).
create index campaigns_due_at_idx
  on public.campaigns ((case when status = 'scheduled' then starts_at else ends_at end))
  where status in ('scheduled', 'active');

-- Section: functions

-- Starts the scheduled campaigns whose start is at or before p_now, then
-- completes the active ones whose end is at or before p_now (a campaign whose
-- whole run was missed goes through both, with both events), at most p_limit
-- of each per call; the worker calls again while a batch comes back full.
-- Returns how many were started and completed.
create function private.advance_campaign_statuses(p_now timestamptz, p_limit integer default 500)
returns table (started integer, completed integer)
language plpgsql
security definer
set search_path = ''
as $$
declare
  n_started integer;
  n_completed integer;
begin
  with due as (
    select c.id from public.campaigns c
     where c.status = 'scheduled'
       and (case when c.status = 'scheduled' then c.starts_at else c.ends_at end) <= p_now
     order by c.starts_at, c.id
     limit p_limit
       for no key update skip locked
  )
  update public.campaigns c set status = 'active'
    from due
   where c.id = due.id and c.status = 'scheduled';
  get diagnostics n_started = row_count;

  with due as (
    select c.id from public.campaigns c
     where c.status = 'active'
       and (case when c.status = 'scheduled' then c.starts_at else c.ends_at end) <= p_now
     order by c.ends_at, c.id
     limit p_limit
       for no key update skip locked
  )
  update public.campaigns c set status = 'completed'
    from due
   where c.id = due.id and c.status = 'active';
  get diagnostics n_completed = row_count;

  return query select n_started, n_completed;
end;
$$;
comment on function private.advance_campaign_statuses(timestamptz, integer) is 'Worker task: starts scheduled campaigns whose start passed and completes active ones whose end passed.';

revoke all on function private.advance_campaign_statuses(timestamptz, integer) from public, anon, authenticated;
grant execute on function private.advance_campaign_statuses(timestamptz, integer) to service_role;
