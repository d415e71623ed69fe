-- The audit log keeps the names of the people in it, as they were then.
--
-- The log page named people from their profiles, which RLS shows only while
-- they share an organization with the reader: once someone left, every change
-- they made or underwent read "A former member". An audit trail has to say
-- who, so each entry now records the actor's name (and, for membership
-- changes, the member's) when it is written.

alter table public.audit_log
  add column actor_name text check (char_length(actor_name) <= 300),
  add column target_name text check (char_length(target_name) <= 300);
comment on column public.audit_log.actor_name is 'Who made the change (name, else email), as they were named then.';
comment on column public.audit_log.target_name is 'For membership changes: the member (name, else email), as they were named then.';

-- Section: functions

-- A person's name for the log: their full name, else their email.
create function private.audit_person_name(p_user_id uuid)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select left(coalesce(nullif(btrim(p.full_name), ''), nullif(p.email, '')), 300)
    from public.profiles p where p.id = p_user_id;
$$;
comment on function private.audit_person_name(uuid) is 'Full name, else email, of a person (for audit entries).';
revoke all on function private.audit_person_name(uuid) from public;

-- Fills the names of every entry, whichever function writes it.
create function private.audit_log_names()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.actor_id is not null and new.actor_name is null then
    new.actor_name := private.audit_person_name(new.actor_id);
  end if;
  if new.target_type = 'members' and new.target_name is null then
    new.target_name := private.audit_person_name(
      (coalesce(new.after, new.before) ->> 'user_id')::uuid);
  end if;
  return new;
end;
$$;
comment on function private.audit_log_names() is 'Trigger: records the names of the actor and of a member target on an audit entry.';
revoke all on function private.audit_log_names() from public;

-- Section: triggers

create trigger audit_log_names before insert on public.audit_log
  for each row execute function private.audit_log_names();

-- Section: data

-- Entries written before this: the names of the people who still have a profile.
update public.audit_log a
   set actor_name = private.audit_person_name(a.actor_id)
 where a.actor_id is not null;
update public.audit_log a
   set target_name = private.audit_person_name((coalesce(a.after, a.before) ->> 'user_id')::uuid)
 where a.target_type = 'members';
