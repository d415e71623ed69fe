-- Feature: user profiles, 1:1 with auth.users.
-- A profile row is created by a trigger when Supabase Auth creates a user, and
-- kept in step with the user's email. A user reads and edits only their own.

-- Section: schemas

-- Helpers that policies and triggers call live here: not exposed by the API,
-- nothing granted to the API roles except what a policy needs to call.
create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

-- Section: tables

-- What the app shows about a person, apart from their login (which Auth owns).
create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  email text not null default '',
  full_name text not null default '' check (char_length(full_name) <= 120),
  avatar_url text check (avatar_url is null or avatar_url ~ '^https?://'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.profiles is 'A person''s profile, 1:1 with auth.users; created by trigger on sign-up.';

-- Section: functions

-- Keeps updated_at current on every update.
create function private.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;
comment on function private.set_updated_at() is 'Trigger: stamps updated_at on update.';

-- Creates the profile of a new auth user, with the name given at sign-up.
create function private.handle_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.profiles (id, email, full_name)
  values (
    new.id,
    coalesce(new.email, ''),
    left(coalesce(new.raw_user_meta_data ->> 'full_name', new.raw_user_meta_data ->> 'name', ''), 120)
  );
  return new;
end;
$$;
comment on function private.handle_new_user() is 'Trigger on auth.users: creates the user''s profile.';

-- Mirrors an email change made through Auth onto the profile.
create function private.handle_user_email_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.profiles set email = coalesce(new.email, '') where id = new.id;
  return new;
end;
$$;
comment on function private.handle_user_email_change() is 'Trigger on auth.users: keeps profiles.email in step.';

revoke all on function private.set_updated_at() from public;
revoke all on function private.handle_new_user() from public;
revoke all on function private.handle_user_email_change() from public;

-- Section: triggers
create trigger profiles_set_updated_at
  before update on public.profiles
  for each row execute function private.set_updated_at();

create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function private.handle_new_user();

create trigger on_auth_user_email_changed
  after update of email on auth.users
  for each row when (old.email is distinct from new.email)
  execute function private.handle_user_email_change();

-- Section: policies
alter table public.profiles enable row level security;

create policy "Users can read their own profile"
  on public.profiles for select
  to authenticated
  using (id = (select auth.uid()));

create policy "Users can update their own profile"
  on public.profiles for update
  to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

-- Section: grants
-- Rows come and go with auth.users; through the API a user may only change
-- the columns they own.
revoke insert, update, delete, truncate on public.profiles from anon, authenticated;
revoke select on public.profiles from anon;
grant update (full_name, avatar_url) on public.profiles to authenticated;
