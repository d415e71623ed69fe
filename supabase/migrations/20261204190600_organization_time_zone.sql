-- Feature: an organization's time zone. Schedules ("every Monday at 09:00")
-- mean the organization's wall clock, not UTC, and the builder and run lists
-- show times in it. An IANA name (Europe/Berlin); UTC for organizations that
-- never chose one.

-- Section: column

alter table public.organizations
  add column time_zone text not null default 'UTC'
    constraint organizations_time_zone_length check (char_length(time_zone) between 1 and 64);
comment on column public.organizations.time_zone is 'IANA time zone (pg_timezone_names) in which schedules fire and times are shown; UTC by default.';

-- Section: validation

-- A check constraint cannot look at pg_timezone_names (not immutable), so a
-- trigger refuses names Postgres does not know: a schedule in an unknown zone
-- could never be computed.
create function private.organizations_check_time_zone()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if not exists (select 1 from pg_catalog.pg_timezone_names where name = new.time_zone) then
    raise exception 'The time zone "%" is not known.', new.time_zone
      using errcode = '23514', column = 'time_zone', table = 'organizations',
            constraint = 'organizations_time_zone_check';
  end if;
  return new;
end;
$$;
comment on function private.organizations_check_time_zone() is 'Refuses an organization time zone that is not an IANA name Postgres knows (pg_timezone_names).';

create trigger organizations_check_time_zone
  before insert or update of time_zone on public.organizations
  for each row execute function private.organizations_check_time_zone();

-- Section: privileges

-- Owners and admins change it like the name (the update policy decides who).
grant update (time_zone) on public.organizations to authenticated;
