-- Feature: the organization's dashboard (/<org>), read from rollups kept
-- current by triggers instead of counting a million contacts or runs per page
-- view (ARCHITECTURE: "Reports and dashboards read rollups").
--
-- What is counted: contacts by the (UTC) day they were added and their status
-- now; automation runs by the (UTC) day they started and their status now.
-- Both are exact: for every organization, day and status, the sum of `n`
-- equals a count(*) of the table grouped the same way (tests/dashboard).
--
-- How it stays current without making writers wait for each other: each
-- statement-level trigger sums its transition table once (a million-row
-- import is one aggregate, not a million trigger calls) and adds the result
-- to rows keyed by its own transaction (`batch` = txid_current()). No two
-- transactions ever write the same row, so an import that holds its
-- transaction open for a minute blocks nobody's "add contact", and writers
-- cannot deadlock on a shared counter. Committed deltas are folded into the
-- `batch = 0` rows by private.fold_dashboard_rollups() (the worker's
-- `dashboard_rollups_fold` cron task, every minute); readers sum whatever is
-- there, folded or not, so they are exact either way.

-- Section: tables

-- Contacts per organization, day added (UTC) and current status.
create table public.contact_daily_counts (
  org_id uuid not null references public.organizations (id) on delete cascade,
  day date not null,
  status public.contact_status not null,
  -- 0: folded history; otherwise the transaction that wrote this delta.
  batch bigint not null default 0,
  n bigint not null,
  primary key (org_id, day, status, batch)
);
comment on table public.contact_daily_counts is 'Dashboard rollup: contacts per organization, day added and current status (sum n over batches).';

-- Automation runs per organization, day started (UTC) and current status.
create table public.automation_run_daily_counts (
  org_id uuid not null references public.organizations (id) on delete cascade,
  day date not null,
  status public.automation_run_status not null,
  -- 0: folded history; otherwise the transaction that wrote this delta.
  batch bigint not null default 0,
  n bigint not null,
  primary key (org_id, day, status, batch)
);
comment on table public.automation_run_daily_counts is 'Dashboard rollup: automation runs per organization, day started and current status (sum n over batches).';

-- Section: functions

-- Trigger (statement, insert/update/delete on contacts): adds what the
-- statement changed, +1 per new row version and -1 per old one, summed by
-- organization, day and status; a statement that changed no status (most
-- updates) nets to zero and writes nothing. Organizations being deleted (the
-- cascade reaches their contacts) are skipped: their rollups go with them.
create function private.contact_daily_counts_apply()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    insert into public.contact_daily_counts as t (org_id, day, status, batch, n)
    select d.org_id, (d.created_at at time zone 'UTC')::date, d.status, txid_current(), count(*)
      from new_rows d
     where exists (select 1 from public.organizations o where o.id = d.org_id)
     group by 1, 2, 3
    on conflict (org_id, day, status, batch) do update set n = t.n + excluded.n;
  elsif tg_op = 'UPDATE' then
    insert into public.contact_daily_counts as t (org_id, day, status, batch, n)
    select d.org_id, d.day, d.status, txid_current(), sum(d.n)
      from (select x.org_id, (x.created_at at time zone 'UTC')::date as day, x.status, 1 as n from new_rows x
            union all
            select x.org_id, (x.created_at at time zone 'UTC')::date, x.status, -1 from old_rows x) d
     where exists (select 1 from public.organizations o where o.id = d.org_id)
     group by 1, 2, 3
    having sum(d.n) <> 0
    on conflict (org_id, day, status, batch) do update set n = t.n + excluded.n;
  else
    insert into public.contact_daily_counts as t (org_id, day, status, batch, n)
    select d.org_id, (d.created_at at time zone 'UTC')::date, d.status, txid_current(), -count(*)
      from old_rows d
     where exists (select 1 from public.organizations o where o.id = d.org_id)
     group by 1, 2, 3
    on conflict (org_id, day, status, batch) do update set n = t.n + excluded.n;
  end if;
  return null;
end;
$$;
comment on function private.contact_daily_counts_apply() is 'Trigger: keeps contact_daily_counts current, once per statement.';

-- Trigger (statement, insert/update/delete on automation_runs): the same for
-- runs. The engine updates a run at every step; only status changes net to
-- anything, so a step that leaves the status as it was writes nothing.
create function private.automation_run_daily_counts_apply()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    insert into public.automation_run_daily_counts as t (org_id, day, status, batch, n)
    select d.org_id, (d.started_at at time zone 'UTC')::date, d.status, txid_current(), count(*)
      from new_rows d
     where exists (select 1 from public.organizations o where o.id = d.org_id)
     group by 1, 2, 3
    on conflict (org_id, day, status, batch) do update set n = t.n + excluded.n;
  elsif tg_op = 'UPDATE' then
    insert into public.automation_run_daily_counts as t (org_id, day, status, batch, n)
    select d.org_id, d.day, d.status, txid_current(), sum(d.n)
      from (select x.org_id, (x.started_at at time zone 'UTC')::date as day, x.status, 1 as n from new_rows x
            union all
            select x.org_id, (x.started_at at time zone 'UTC')::date, x.status, -1 from old_rows x) d
     where exists (select 1 from public.organizations o where o.id = d.org_id)
     group by 1, 2, 3
    having sum(d.n) <> 0
    on conflict (org_id, day, status, batch) do update set n = t.n + excluded.n;
  else
    insert into public.automation_run_daily_counts as t (org_id, day, status, batch, n)
    select d.org_id, (d.started_at at time zone 'UTC')::date, d.status, txid_current(), -count(*)
      from old_rows d
     where exists (select 1 from public.organizations o where o.id = d.org_id)
     group by 1, 2, 3
    on conflict (org_id, day, status, batch) do update set n = t.n + excluded.n;
  end if;
  return null;
end;
$$;
comment on function private.automation_run_daily_counts_apply() is 'Trigger: keeps automation_run_daily_counts current, once per statement.';

-- Folds committed deltas into the `batch = 0` rows, so a dashboard sums a few
-- rows per day instead of one per transaction since the start. Only committed
-- rows are visible here, and a committed transaction never writes its rows
-- again, so moving them is safe while writers go on; two folds at once simply
-- take turns on the rows they both see. Returns the number of deltas folded.
create function private.fold_dashboard_rollups()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  folded bigint := 0;
  moved bigint;
begin
  with gone as (
    delete from public.contact_daily_counts where batch <> 0 returning org_id, day, status, n
  ), summed as (
    select org_id, day, status, sum(n) as n, count(*) as rows from gone group by 1, 2, 3
  ), kept as (
    insert into public.contact_daily_counts as t (org_id, day, status, batch, n)
    select org_id, day, status, 0, n from summed
    on conflict (org_id, day, status, batch) do update set n = t.n + excluded.n
  )
  select coalesce(sum(rows), 0) into moved from summed;
  folded := folded + moved;
  with gone as (
    delete from public.automation_run_daily_counts where batch <> 0 returning org_id, day, status, n
  ), summed as (
    select org_id, day, status, sum(n) as n, count(*) as rows from gone group by 1, 2, 3
  ), kept as (
    insert into public.automation_run_daily_counts as t (org_id, day, status, batch, n)
    select org_id, day, status, 0, n from summed
    on conflict (org_id, day, status, batch) do update set n = t.n + excluded.n
  )
  select coalesce(sum(rows), 0) into moved from summed;
  return folded + moved;
end;
$$;
comment on function private.fold_dashboard_rollups() is 'Folds committed dashboard rollup deltas into one row per organization, day and status (worker cron).';

-- Recomputes the rollups of one organization (or all, given null) from the
-- tables: the migration's backfill, and for data written with triggers off
-- (session_replication_role = replica, as bulk seeds do). Takes SHARE locks on
-- contacts and automation_runs, so writers wait for the few seconds a million
-- rows take and the result is exact.
create function private.rebuild_dashboard_rollups(p_org_id uuid default null)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  lock table public.contacts, public.automation_runs in share mode;
  delete from public.contact_daily_counts where p_org_id is null or org_id = p_org_id;
  insert into public.contact_daily_counts (org_id, day, status, batch, n)
  select c.org_id, (c.created_at at time zone 'UTC')::date, c.status, 0, count(*)
    from public.contacts c
   where p_org_id is null or c.org_id = p_org_id
   group by 1, 2, 3;
  delete from public.automation_run_daily_counts where p_org_id is null or org_id = p_org_id;
  insert into public.automation_run_daily_counts (org_id, day, status, batch, n)
  select r.org_id, (r.started_at at time zone 'UTC')::date, r.status, 0, count(*)
    from public.automation_runs r
   where p_org_id is null or r.org_id = p_org_id
   group by 1, 2, 3;
end;
$$;
comment on function private.rebuild_dashboard_rollups(uuid) is 'Recomputes the dashboard rollups of an organization (null: all) from contacts and runs.';

revoke all on function private.contact_daily_counts_apply() from public;
revoke all on function private.automation_run_daily_counts_apply() from public;
revoke all on function private.fold_dashboard_rollups() from public;
revoke all on function private.rebuild_dashboard_rollups(uuid) from public;
grant execute on function private.fold_dashboard_rollups() to service_role;
grant execute on function private.rebuild_dashboard_rollups(uuid) to service_role;

-- Section: triggers
-- No WHEN clause: unlike the per-contact events, the counts must follow the
-- worker's imports too.
create trigger contacts_daily_counts_insert after insert on public.contacts
  referencing new table as new_rows
  for each statement execute function private.contact_daily_counts_apply();
create trigger contacts_daily_counts_update after update on public.contacts
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.contact_daily_counts_apply();
create trigger contacts_daily_counts_delete after delete on public.contacts
  referencing old table as old_rows
  for each statement execute function private.contact_daily_counts_apply();

create trigger automation_runs_daily_counts_insert after insert on public.automation_runs
  referencing new table as new_rows
  for each statement execute function private.automation_run_daily_counts_apply();
create trigger automation_runs_daily_counts_update after update on public.automation_runs
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.automation_run_daily_counts_apply();
create trigger automation_runs_daily_counts_delete after delete on public.automation_runs
  referencing old table as old_rows
  for each statement execute function private.automation_run_daily_counts_apply();

-- Section: backfill
select private.rebuild_dashboard_rollups(null);

-- Section: policies
alter table public.contact_daily_counts enable row level security;
alter table public.automation_run_daily_counts enable row level security;

create policy "Members can read their organization's contact counts"
  on public.contact_daily_counts for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Members can read their organization's automation run counts"
  on public.automation_run_daily_counts for select to authenticated
  using (org_id in (select private.user_org_ids()));

-- Section: grants
-- Written by the triggers and the fold only.
revoke all on public.contact_daily_counts, public.automation_run_daily_counts from anon, authenticated;
grant select on public.contact_daily_counts, public.automation_run_daily_counts to authenticated;
