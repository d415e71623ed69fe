-- Feature: tenancy. Organizations own everything; a user belongs to many.
-- Members hold a base role (owner, admin, member, viewer) and optionally a
-- custom role that adds named permissions. Invitations are bound to an email,
-- store only a hash of their token, expire and are single-use. Changes to
-- membership, roles, invitations and settings are written to the audit log.

-- Section: extensions
create extension if not exists citext with schema extensions;

-- Section: types

-- Base roles, most powerful first (enum order is used to tell a raise from a demotion).
create type public.org_role as enum ('owner', 'admin', 'member', 'viewer');

-- Section: tables

-- The catalog of named permissions every module checks (global, read-only through the API).
create table public.permissions (
  name text primary key check (name ~ '^[a-z_]+\.[a-z_]+$'),
  description text not null
);
comment on table public.permissions is 'Catalog of named permissions (e.g. campaigns.write); global, read-only.';

-- What each base role may do (global, read-only through the API).
create table public.base_role_permissions (
  role public.org_role not null,
  permission text not null references public.permissions (name) on delete cascade,
  primary key (role, permission)
);
create index base_role_permissions_permission_idx on public.base_role_permissions (permission);
comment on table public.base_role_permissions is 'Permissions granted by each base role; global, read-only.';

-- A workspace: the tenant that owns every other row.
create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(btrim(name)) between 1 and 100),
  slug text not null
    constraint organizations_slug_key unique
    constraint organizations_slug_format check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$')
    -- Top-level app paths cannot be organization slugs (URLs are /<slug>/…).
    constraint organizations_slug_reserved check (slug not in (
      'account', 'admin', 'api', 'app', 'auth', 'forgot-password', 'functions', 'invitations',
      'login', 'logout', 'mailbox', 'new', 'onboarding', 'reset-password', 'settings', 'signup',
      'static', 'storage')),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index organizations_created_by_idx on public.organizations (created_by);
comment on table public.organizations is 'Tenants. Created through create_organization(), which makes the caller owner.';

-- Custom roles: a named set of extra permissions an organization defines.
create table public.roles (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 60),
  description text not null default '' check (char_length(description) <= 300),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint roles_org_id_name_key unique (org_id, name),
  constraint roles_org_id_id_key unique (org_id, id)
);
comment on table public.roles is 'Custom roles of an organization; each adds the permissions in role_permissions.';

-- The permissions a custom role grants.
create table public.role_permissions (
  org_id uuid not null,
  role_id uuid not null,
  permission text not null references public.permissions (name) on delete cascade,
  primary key (role_id, permission),
  foreign key (org_id, role_id) references public.roles (org_id, id) on delete cascade
);
create index role_permissions_org_id_role_id_idx on public.role_permissions (org_id, role_id);
create index role_permissions_permission_idx on public.role_permissions (permission);
comment on table public.role_permissions is 'Permissions granted by a custom role.';

-- Who belongs to which organization, with what role.
create table public.members (
  org_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role public.org_role not null default 'member',
  custom_role_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (org_id, user_id),
  foreign key (org_id, custom_role_id) references public.roles (org_id, id) on delete set null (custom_role_id)
);
create index members_user_id_idx on public.members (user_id);
create index members_org_id_custom_role_id_idx on public.members (org_id, custom_role_id);
comment on table public.members is 'Membership of a user in an organization, with a base role and an optional custom role.';

-- An invitation to join an organization, bound to an email address.
create table public.invitations (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  email extensions.citext not null
    constraint invitations_email_format check (
      char_length(email) <= 254 and email::text ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
  role public.org_role not null default 'member',
  custom_role_id uuid,
  -- sha256 of the token, hex. The token itself is only ever in the email.
  token_hash text not null constraint invitations_token_hash_key unique
    constraint invitations_token_hash_format check (token_hash ~ '^[0-9a-f]{64}$'),
  expires_at timestamptz not null default now() + interval '7 days',
  invited_by uuid default auth.uid() references auth.users (id) on delete set null,
  accepted_at timestamptz,
  accepted_by uuid references auth.users (id) on delete set null,
  revoked_at timestamptz,
  created_at timestamptz not null default now(),
  foreign key (org_id, custom_role_id) references public.roles (org_id, id) on delete set null (custom_role_id),
  constraint invitations_accepted_or_revoked check (accepted_at is null or revoked_at is null)
);
create index invitations_org_id_idx on public.invitations (org_id, created_at desc);
create unique index invitations_pending_email_key on public.invitations (org_id, email)
  where accepted_at is null and revoked_at is null;
create index invitations_invited_by_idx on public.invitations (invited_by);
create index invitations_accepted_by_idx on public.invitations (accepted_by);
create index invitations_org_id_custom_role_id_idx on public.invitations (org_id, custom_role_id);
comment on table public.invitations is 'Invitations by email; only a hash of the token is stored; single-use, expiring.';

-- Look and feel of an organization (emails, published sites, the app header).
create table public.branding_settings (
  org_id uuid primary key references public.organizations (id) on delete cascade,
  primary_color text not null default '#4f46e5' check (primary_color ~ '^#[0-9a-f]{6}$'),
  accent_color text not null default '#0ea5e9' check (accent_color ~ '^#[0-9a-f]{6}$'),
  font_family text not null default 'Inter'
    check (font_family in ('Inter', 'system-ui', 'Georgia', 'Merriweather', 'Roboto', 'Lato')),
  logo_url text check (logo_url is null or (char_length(logo_url) <= 2000 and logo_url ~ '^https?://')),
  updated_at timestamptz not null default now()
);
comment on table public.branding_settings is 'Branding of an organization: colours, font, logo. One row per organization.';

-- The stores or brands an organization runs campaigns for, with contact details.
create table public.brands (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  email extensions.citext check (email is null or (char_length(email) <= 254
    and email::text ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$')),
  phone text check (phone is null or phone ~ '^\+?[0-9 ().-]{5,25}$'),
  address text check (char_length(address) <= 200),
  city text check (char_length(city) <= 100),
  state text check (char_length(state) <= 100),
  zip text check (char_length(zip) <= 20),
  country text check (char_length(country) <= 100),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint brands_org_id_name_key unique (org_id, name)
);
comment on table public.brands is 'Brands (stores) of an organization, with contact details.';

-- Who changed what, written by triggers only.
create table public.audit_log (
  id bigint generated always as identity primary key,
  org_id uuid not null references public.organizations (id) on delete cascade,
  actor_id uuid references auth.users (id) on delete set null,
  action text not null,
  target_type text not null,
  target_id text,
  before jsonb,
  after jsonb,
  at timestamptz not null default now()
);
-- Pages are keyset by id (newest first), optionally narrowed to a kind of change.
create index audit_log_org_id_id_idx on public.audit_log (org_id, id desc);
create index audit_log_org_id_target_type_idx on public.audit_log (org_id, target_type, id desc);
create index audit_log_org_id_action_idx on public.audit_log (org_id, action, id desc);
create index audit_log_actor_id_idx on public.audit_log (actor_id);
comment on table public.audit_log is 'Append-only audit trail of membership, role, invitation and settings changes.';

-- Section: functions (private helpers; security definer, empty search_path)

-- The organizations the current user belongs to. Policies call it as
-- `org_id in (select private.user_org_ids())` so it runs once per statement.
-- plpgsql rather than sql: Postgres 17 re-plans a SQL function's body on every
-- call, while plpgsql keeps the plan for the session.
create function private.user_org_ids()
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query select m.org_id from public.members m where m.user_id = (select auth.uid());
end;
$$;
comment on function private.user_org_ids() is 'Organizations of the current user (for RLS policies).';

-- The organizations where the current user holds a permission, through their
-- base role or their custom role (plpgsql for its cached plan, as above).
create function private.org_ids_with_permission(p_permission text)
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query
  select m.org_id
    from public.members m
   where m.user_id = (select auth.uid())
     and (exists (select 1 from public.base_role_permissions b
                   where b.role = m.role and b.permission = p_permission)
          or exists (select 1 from public.role_permissions r
                      where r.role_id = m.custom_role_id and r.permission = p_permission));
end;
$$;
comment on function private.org_ids_with_permission(text) is 'Organizations where the current user holds a permission (for RLS policies).';

-- Everyone who shares an organization with the current user (themselves included).
create function private.co_member_ids()
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query
  select distinct other.user_id
    from public.members mine
    join public.members other on other.org_id = mine.org_id
   where mine.user_id = (select auth.uid());
end;
$$;
comment on function private.co_member_ids() is 'Users who share an organization with the current user (for RLS policies).';

-- Whether the current user holds a permission in an organization.
create function private.has_permission(p_org_id uuid, p_permission text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (select 1 from private.org_ids_with_permission(p_permission) o where o = p_org_id);
$$;
comment on function private.has_permission(uuid, text) is 'True when the current user holds the permission in the organization.';

-- The current user's base role in an organization (null when not a member).
create function private.member_role(p_org_id uuid)
returns public.org_role
language sql
stable
security definer
set search_path = ''
as $$
  select m.role from public.members m where m.org_id = p_org_id and m.user_id = (select auth.uid());
$$;
comment on function private.member_role(uuid) is 'The current user''s base role in an organization.';

-- Whether the current user may hand out a custom role: only if they hold every
-- permission it grants (nobody grants what they lack).
create function private.can_grant_custom_role(p_org_id uuid, p_role_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select not exists (
    select 1 from public.role_permissions r
     where r.org_id = p_org_id and r.role_id = p_role_id
       and not private.has_permission(p_org_id, r.permission));
$$;
comment on function private.can_grant_custom_role(uuid, uuid) is 'True when the current user holds every permission of the custom role.';

-- Raises with a stable code the app maps to a message (hint carries the code).
create function private.raise_denied(p_message text, p_code text)
returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception '%', p_message using errcode = '42501', hint = p_code;
end;
$$;
comment on function private.raise_denied(text, text) is 'Raises insufficient_privilege with a machine-readable hint.';

revoke all on function private.user_org_ids() from public;
revoke all on function private.org_ids_with_permission(text) from public;
revoke all on function private.has_permission(uuid, text) from public;
revoke all on function private.member_role(uuid) from public;
revoke all on function private.can_grant_custom_role(uuid, uuid) from public;
revoke all on function private.raise_denied(text, text) from public;
revoke all on function private.co_member_ids() from public;
grant execute on function private.co_member_ids() to authenticated;
grant execute on function private.user_org_ids() to authenticated;
grant execute on function private.org_ids_with_permission(text) to authenticated;
grant execute on function private.has_permission(uuid, text) to authenticated;

-- Section: trigger functions

-- A new organization gets its branding row, and its creator becomes owner.
create function private.organizations_after_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.branding_settings (org_id) values (new.id);
  if new.created_by is not null then
    insert into public.members (org_id, user_id, role) values (new.id, new.created_by, 'owner');
  end if;
  return new;
end;
$$;

-- Guards membership changes: owners are made and unmade only by owners, nobody
-- raises their own role, custom roles are granted only by those holding all
-- their permissions, and an organization always keeps an owner. Changes are
-- serialized per organization so two concurrent demotions cannot both pass.
create function private.members_guard()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  actor uuid := (select auth.uid());
  actor_role public.org_role;
begin
  -- The organization itself is being deleted: its members go with it.
  perform 1 from public.organizations where id = old.org_id for update;
  if not found then
    return coalesce(new, old);
  end if;

  if actor is not null then
    actor_role := private.member_role(old.org_id);
    if tg_op = 'UPDATE' then
      if (old.role = 'owner' or new.role = 'owner') and new.role is distinct from old.role
         and actor_role is distinct from 'owner' then
        perform private.raise_denied('Only an owner can grant or remove the owner role.', 'owner_only');
      end if;
      if old.user_id = actor and new.role < old.role then
        perform private.raise_denied('You cannot raise your own role.', 'self_escalation');
      end if;
      if new.custom_role_id is not null and new.custom_role_id is distinct from old.custom_role_id
         and not private.can_grant_custom_role(new.org_id, new.custom_role_id) then
        perform private.raise_denied('You cannot grant a role with permissions you do not have.', 'grant_exceeds_own');
      end if;
    elsif tg_op = 'DELETE' and old.role = 'owner' and old.user_id <> actor
          and actor_role is distinct from 'owner' then
      perform private.raise_denied('Only an owner can remove an owner.', 'owner_only');
    end if;
  end if;

  if old.role = 'owner' and (tg_op = 'DELETE' or new.role <> 'owner') and not exists (
      select 1 from public.members m
       where m.org_id = old.org_id and m.role = 'owner' and m.user_id <> old.user_id) then
    raise exception 'An organization must keep at least one owner.'
      using errcode = '23514', hint = 'last_owner';
  end if;
  return coalesce(new, old);
end;
$$;

-- Nobody adds a permission to a custom role that they do not hold themselves.
create function private.role_permissions_guard()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if (select auth.uid()) is not null and not private.has_permission(new.org_id, new.permission) then
    perform private.raise_denied('You cannot grant a permission you do not have.', 'grant_exceeds_own');
  end if;
  return new;
end;
$$;

-- New invitations: only owners invite owners; custom roles follow the grant
-- rule; an address that already belongs to a member cannot be invited.
create function private.invitations_guard()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if (select auth.uid()) is not null then
    if new.role = 'owner' and private.member_role(new.org_id) is distinct from 'owner' then
      perform private.raise_denied('Only an owner can invite an owner.', 'owner_only');
    end if;
    if new.custom_role_id is not null
       and not private.can_grant_custom_role(new.org_id, new.custom_role_id) then
      perform private.raise_denied('You cannot grant a role with permissions you do not have.', 'grant_exceeds_own');
    end if;
  end if;
  if exists (
      select 1 from public.members m join auth.users u on u.id = m.user_id
       where m.org_id = new.org_id and lower(u.email) = lower(new.email::text)) then
    raise exception 'That person is already a member.'
      using errcode = '23505', detail = format('Key (email)=(%s) is already a member.', new.email),
            hint = 'already_member';
  end if;
  return new;
end;
$$;

-- Writes one audit row per change. Secrets (token hashes) never reach the log.
create function private.audit_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  before_row jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) - 'token_hash' end;
  after_row jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) - 'token_hash' end;
  row_data jsonb := coalesce(after_row, before_row);
  target_org uuid := case when tg_table_name = 'organizations'
                          then (row_data ->> 'id')::uuid else (row_data ->> 'org_id')::uuid end;
begin
  if tg_op = 'UPDATE' and before_row = after_row then
    return null;
  end if;
  -- Cascading deletes of a whole organization leave nothing to attach a log to.
  if not exists (select 1 from public.organizations where id = target_org) then
    return null;
  end if;
  insert into public.audit_log (org_id, actor_id, action, target_type, target_id, before, after)
  values (
    target_org,
    (select auth.uid()),
    tg_table_name || '.' || lower(tg_op),
    tg_table_name,
    coalesce(row_data ->> 'id', row_data ->> 'user_id', row_data ->> 'role_id', row_data ->> 'org_id'),
    before_row,
    after_row);
  return null;
end;
$$;

revoke all on function private.organizations_after_insert() from public;
revoke all on function private.members_guard() from public;
revoke all on function private.role_permissions_guard() from public;
revoke all on function private.invitations_guard() from public;
revoke all on function private.audit_change() from public;

-- Section: public functions (the API surface; each checks who is calling)

-- Creates an organization with the caller as its owner. Returns its id.
create function public.create_organization(p_name text, p_slug text)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  new_id uuid;
begin
  if (select auth.uid()) is null then
    raise exception 'Sign in to create an organization.' using errcode = '42501', hint = 'not_signed_in';
  end if;
  insert into public.organizations (name, slug, created_by)
  values (btrim(p_name), lower(btrim(p_slug)), (select auth.uid()))
  returning id into new_id;
  return new_id;
end;
$$;
comment on function public.create_organization(text, text) is 'Creates an organization; the caller becomes its owner.';

-- What the accept page shows about an invitation, to whoever holds its token.
create function public.invitation_preview(p_token text)
returns table (
  org_name text, org_slug text, email text, role public.org_role,
  inviter_name text, status text, expires_at timestamptz)
language sql
stable
security definer
set search_path = ''
as $$
  select o.name, o.slug, i.email::text, i.role, coalesce(nullif(p.full_name, ''), p.email),
         case when i.revoked_at is not null then 'revoked'
              when i.accepted_at is not null then 'accepted'
              when i.expires_at <= now() then 'expired'
              else 'pending' end,
         i.expires_at
    from public.invitations i
    join public.organizations o on o.id = i.org_id
    left join public.profiles p on p.id = i.invited_by
   where i.token_hash = encode(extensions.digest(convert_to(p_token, 'UTF8'), 'sha256'), 'hex');
$$;
comment on function public.invitation_preview(text) is 'Public details of the invitation a token belongs to.';

-- Accepts an invitation for the signed-in user whose email it was sent to.
-- Single-use under a row lock: of two concurrent accepts exactly one succeeds.
create function public.accept_invitation(p_token text)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  invitation public.invitations;
  caller uuid := (select auth.uid());
  caller_email text;
begin
  if caller is null then
    raise exception 'Sign in to accept this invitation.' using errcode = '42501', hint = 'not_signed_in';
  end if;
  select * into invitation from public.invitations
   where token_hash = encode(extensions.digest(convert_to(p_token, 'UTF8'), 'sha256'), 'hex')
   for update;
  if not found then
    raise exception 'This invitation link is not valid.' using errcode = 'P0002', hint = 'invitation_not_found';
  end if;
  if invitation.revoked_at is not null then
    raise exception 'This invitation was revoked.' using errcode = '22023', hint = 'invitation_revoked';
  end if;
  if invitation.accepted_at is not null then
    raise exception 'This invitation has already been used.' using errcode = '22023', hint = 'invitation_used';
  end if;
  if invitation.expires_at <= now() then
    raise exception 'This invitation has expired.' using errcode = '22023', hint = 'invitation_expired';
  end if;
  select email into caller_email from auth.users where id = caller;
  if caller_email is null or lower(caller_email) <> lower(invitation.email::text) then
    raise exception 'This invitation was sent to another email address.'
      using errcode = '42501', hint = 'invitation_wrong_email';
  end if;

  insert into public.members (org_id, user_id, role, custom_role_id)
  values (invitation.org_id, caller, invitation.role, invitation.custom_role_id)
  on conflict (org_id, user_id) do nothing;
  update public.invitations set accepted_at = now(), accepted_by = caller where id = invitation.id;
  return invitation.org_id;
end;
$$;
comment on function public.accept_invitation(text) is 'Accepts an invitation for the invited, signed-in user; single-use.';

revoke all on function public.create_organization(text, text) from public, anon;
revoke all on function public.invitation_preview(text) from public;
revoke all on function public.accept_invitation(text) from public, anon;
grant execute on function public.create_organization(text, text) to authenticated;
grant execute on function public.invitation_preview(text) to anon, authenticated;
grant execute on function public.accept_invitation(text) to authenticated;

-- Section: triggers
create trigger organizations_set_updated_at before update on public.organizations
  for each row execute function private.set_updated_at();
create trigger roles_set_updated_at before update on public.roles
  for each row execute function private.set_updated_at();
create trigger members_set_updated_at before update on public.members
  for each row execute function private.set_updated_at();
create trigger branding_settings_set_updated_at before update on public.branding_settings
  for each row execute function private.set_updated_at();
create trigger brands_set_updated_at before update on public.brands
  for each row execute function private.set_updated_at();

create trigger organizations_after_insert after insert on public.organizations
  for each row execute function private.organizations_after_insert();
create trigger members_guard before update or delete on public.members
  for each row execute function private.members_guard();
create trigger role_permissions_guard before insert on public.role_permissions
  for each row execute function private.role_permissions_guard();
create trigger invitations_guard before insert on public.invitations
  for each row execute function private.invitations_guard();

create trigger organizations_audit after insert or update or delete on public.organizations
  for each row execute function private.audit_change();
create trigger members_audit after insert or update or delete on public.members
  for each row execute function private.audit_change();
create trigger roles_audit after insert or update or delete on public.roles
  for each row execute function private.audit_change();
create trigger role_permissions_audit after insert or delete on public.role_permissions
  for each row execute function private.audit_change();
create trigger invitations_audit after insert or update or delete on public.invitations
  for each row execute function private.audit_change();
create trigger branding_settings_audit after update on public.branding_settings
  for each row execute function private.audit_change();

-- Section: policies
alter table public.permissions enable row level security;
alter table public.base_role_permissions enable row level security;
alter table public.organizations enable row level security;
alter table public.roles enable row level security;
alter table public.role_permissions enable row level security;
alter table public.members enable row level security;
alter table public.invitations enable row level security;
alter table public.branding_settings enable row level security;
alter table public.brands enable row level security;
alter table public.audit_log enable row level security;

-- One select policy (not two permissive ones): yourself, and your teammates.
drop policy "Users can read their own profile" on public.profiles;
create policy "Users can read their own profile and their teammates'"
  on public.profiles for select to authenticated
  using (id = (select auth.uid()) or id in (select private.co_member_ids()));

create policy "Signed-in users can read the permission catalog"
  on public.permissions for select to authenticated using (true);

create policy "Signed-in users can read what each base role grants"
  on public.base_role_permissions for select to authenticated using (true);

create policy "Members can read their organizations"
  on public.organizations for select to authenticated
  using (id in (select private.user_org_ids()));
create policy "Members with settings permission can update their organization"
  on public.organizations for update to authenticated
  using (id in (select private.org_ids_with_permission('org.settings')))
  with check (id in (select private.org_ids_with_permission('org.settings')));
create policy "Owners can delete their organization"
  on public.organizations for delete to authenticated
  using (id in (select private.org_ids_with_permission('org.delete')));

create policy "Members can read their organization's custom roles"
  on public.roles for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Role managers can create custom roles"
  on public.roles for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('roles.manage')));
create policy "Role managers can update custom roles"
  on public.roles for update to authenticated
  using (org_id in (select private.org_ids_with_permission('roles.manage')))
  with check (org_id in (select private.org_ids_with_permission('roles.manage')));
create policy "Role managers can delete custom roles"
  on public.roles for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('roles.manage')));

create policy "Members can read their organization's role permissions"
  on public.role_permissions for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Role managers can add permissions to custom roles"
  on public.role_permissions for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('roles.manage')));
create policy "Role managers can remove permissions from custom roles"
  on public.role_permissions for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('roles.manage')));

create policy "Members can read their organization's members"
  on public.members for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Member managers can change members' roles"
  on public.members for update to authenticated
  using (org_id in (select private.org_ids_with_permission('members.manage')))
  with check (org_id in (select private.org_ids_with_permission('members.manage')));
create policy "Member managers can remove members, and anyone can leave"
  on public.members for delete to authenticated
  using (user_id = (select auth.uid())
         or org_id in (select private.org_ids_with_permission('members.manage')));

create policy "Member managers can read invitations"
  on public.invitations for select to authenticated
  using (org_id in (select private.org_ids_with_permission('members.manage')));
create policy "Member managers can send invitations"
  on public.invitations for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('members.manage'))
              and invited_by = (select auth.uid()));
create policy "Member managers can resend or revoke invitations"
  on public.invitations for update to authenticated
  using (org_id in (select private.org_ids_with_permission('members.manage')))
  with check (org_id in (select private.org_ids_with_permission('members.manage')));
create policy "Member managers can delete invitations"
  on public.invitations for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('members.manage')));

create policy "Members can read their organization's branding"
  on public.branding_settings for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Members with settings permission can update branding"
  on public.branding_settings for update to authenticated
  using (org_id in (select private.org_ids_with_permission('org.settings')))
  with check (org_id in (select private.org_ids_with_permission('org.settings')));

create policy "Members can read their organization's brands"
  on public.brands for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Brand editors can create brands"
  on public.brands for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('brands.write')));
create policy "Brand editors can update brands"
  on public.brands for update to authenticated
  using (org_id in (select private.org_ids_with_permission('brands.write')))
  with check (org_id in (select private.org_ids_with_permission('brands.write')));
create policy "Brand editors can delete brands"
  on public.brands for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('brands.write')));

create policy "Audit readers can read their organization's audit log"
  on public.audit_log for select to authenticated
  using (org_id in (select private.org_ids_with_permission('audit.read')));

-- Section: grants
-- Supabase grants every table to anon and authenticated; narrow that to the
-- operations and columns each role may use. Ids, org_id and created_by are
-- never writable after the fact.
revoke all on public.permissions, public.base_role_permissions, public.organizations, public.roles,
  public.role_permissions, public.members, public.invitations, public.branding_settings,
  public.brands, public.audit_log from anon, authenticated;

grant select on public.permissions, public.base_role_permissions to authenticated;
grant select, delete on public.organizations to authenticated;
grant update (name, slug) on public.organizations to authenticated;
grant select, delete on public.roles to authenticated;
grant insert (org_id, name, description), update (name, description) on public.roles to authenticated;
grant select, insert, delete on public.role_permissions to authenticated;
grant select, delete on public.members to authenticated;
grant update (role, custom_role_id) on public.members to authenticated;
grant select, delete on public.invitations to authenticated;
grant insert (org_id, email, role, custom_role_id, token_hash, expires_at) on public.invitations to authenticated;
grant update (revoked_at, token_hash, expires_at) on public.invitations to authenticated;
grant select on public.branding_settings to authenticated;
grant update (primary_color, accent_color, font_family, logo_url) on public.branding_settings to authenticated;
grant select, delete on public.brands to authenticated;
grant insert (org_id, name, email, phone, address, city, state, zip, country),
  update (name, email, phone, address, city, state, zip, country) on public.brands to authenticated;
grant select on public.audit_log to authenticated;

-- Section: data

insert into public.permissions (name, description) values
  ('org.settings', 'Change the organization''s name, slug and branding'),
  ('org.delete', 'Delete the organization'),
  ('members.manage', 'Invite, remove and change the roles of members'),
  ('roles.manage', 'Create and edit custom roles'),
  ('billing.manage', 'Manage the plan, payment methods and invoices'),
  ('audit.read', 'Read the audit log'),
  ('brands.write', 'Create and edit brands'),
  ('contacts.write', 'Create, edit, import and delete contacts'),
  ('contacts.export', 'Export contacts and their data'),
  ('campaigns.write', 'Create, edit and send campaigns'),
  ('influencers.write', 'Manage influencers and their campaign links'),
  ('automations.write', 'Create, edit and activate automations'),
  ('webhooks.manage', 'Manage outgoing webhooks'),
  ('inbox.reply', 'Answer conversations in the shared inbox'),
  ('sites.write', 'Edit and publish sites'),
  ('files.write', 'Upload and organize files'),
  ('finance.write', 'Create financial documents'),
  ('finance.approve', 'Approve, reject and mark financial documents paid');

insert into public.base_role_permissions (role, permission)
select 'owner'::public.org_role, name from public.permissions
union all
select 'admin', name from public.permissions where name not in ('org.delete', 'billing.manage')
union all
select 'member', name from public.permissions
 where name in ('brands.write', 'contacts.write', 'campaigns.write', 'influencers.write',
                'automations.write', 'inbox.reply', 'sites.write', 'files.write', 'finance.write');
