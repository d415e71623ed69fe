-- Feature: nobody grants what they do not hold. Until now a member manager
-- could hand out any base role below owner: a viewer whose custom role held
-- only members.manage promoted a teammate to admin, or invited a second
-- account of their own as admin that then promoted them. Now, for every path:
--   * members: changing someone's base role needs every permission of the new
--     role (custom roles already needed theirs);
--   * invitations: sending, resending (new token or expiry) and reviving one
--     need every permission of its role and custom role;
--   * accepting: the sender must still be a member who could send it now
--     (holds members.manage and the role's permissions; owners for owners), so
--     an invitation sent before its sender was demoted or removed is void;
--   * custom roles: permissions are added only by those who hold them (as before).
--
-- Who is checked: every request of a user (a JWT with a subject) and anything
-- running as an API role (anon, authenticated, or authenticator after a role
-- reset), so an API request without a subject is refused, not trusted. Trusted
-- server roles without a user are not checked: service_role (workers, verified
-- webhooks, support tooling) bypasses RLS and can write memberships directly
-- anyway, so a check there would only be an illusion and would break the
-- maintenance paths; the Auth service deleting a user, migrations and seeds
-- likewise. Members are never inserted by API roles (no INSERT grant): only
-- create_organization() and accept_invitation() add them.

-- Section: functions (private helpers; security definer, empty search_path)

-- Whether the statement runs as one of the Data API's roles: the role a request
-- switched to (`set local role`), or the session's user when none was set (a
-- PostgREST connection after `reset role` is `authenticator`). Security definer
-- functions do not change the `role` setting, so this sees the caller's role.
create function private.is_api_role()
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce(nullif(current_setting('role', true), 'none'), session_user::text)
         in ('anon', 'authenticated', 'authenticator');
$$;
comment on function private.is_api_role() is 'True when the current role is a Data API role (anon, authenticated, authenticator).';

-- Whether the tenancy guards check the current statement: a user's request, or
-- any API role (see the header for why trusted server roles are not checked).
create function private.tenancy_guards_apply()
returns boolean
language sql
stable
set search_path = ''
as $$
  select (select auth.uid()) is not null or private.is_api_role();
$$;
comment on function private.tenancy_guards_apply() is 'True when membership, invitation and role guards check the caller.';

-- Whether a user holds, in an organization, every permission of a base role
-- and of a custom role (either may be null): what granting them would give.
-- Takes the user as an argument so that accept_invitation() can ask about the
-- invitation's sender rather than the person accepting.
create function private.user_can_grant(
  p_user_id uuid,
  p_org_id uuid,
  p_role public.org_role,
  p_custom_role_id uuid
)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select not exists (
    (select b.permission from public.base_role_permissions b where b.role = p_role
     union
     select r.permission from public.role_permissions r
      where r.org_id = p_org_id and r.role_id = p_custom_role_id)
    except
    (select b.permission
       from public.members m join public.base_role_permissions b on b.role = m.role
      where m.org_id = p_org_id and m.user_id = p_user_id
     union
     select r.permission
       from public.members m join public.role_permissions r on r.role_id = m.custom_role_id
      where m.org_id = p_org_id and m.user_id = p_user_id));
$$;
comment on function private.user_can_grant(uuid, uuid, public.org_role, uuid) is 'True when the user holds every permission of the base role and the custom role in the organization.';

-- Whether a user could send this invitation now: a member manager who holds
-- its role's permissions (and an owner, for an owner invitation).
create function private.user_can_invite(
  p_user_id uuid,
  p_org_id uuid,
  p_role public.org_role,
  p_custom_role_id uuid
)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
           select 1 from public.members m
            where m.org_id = p_org_id and m.user_id = p_user_id
              and (p_role <> 'owner' or m.role = 'owner')
              and (exists (select 1 from public.base_role_permissions b
                            where b.role = m.role and b.permission = 'members.manage')
                   or exists (select 1 from public.role_permissions r
                               where r.role_id = m.custom_role_id and r.permission = 'members.manage')))
     and private.user_can_grant(p_user_id, p_org_id, p_role, p_custom_role_id);
$$;
comment on function private.user_can_invite(uuid, uuid, public.org_role, uuid) is 'True when the user could invite someone at this role now (accepting re-checks the sender).';

revoke all on function private.is_api_role() from public;
revoke all on function private.tenancy_guards_apply() from public;
revoke all on function private.user_can_grant(uuid, uuid, public.org_role, uuid) from public;
revoke all on function private.user_can_invite(uuid, uuid, public.org_role, uuid) from public;

-- Section: trigger functions

-- Guards membership changes: owners are made and unmade only by owners, nobody
-- raises their own role, a base or custom role is granted only by those holding
-- all its permissions, and an organization always keeps an owner. Changes are
-- serialized per organization so two concurrent demotions cannot both pass.
create or replace function private.members_guard()
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

  if private.tenancy_guards_apply() then
    actor_role := private.member_role(old.org_id);
    if tg_op = 'UPDATE' then
      if (old.role = 'owner' or new.role = 'owner') and new.role is distinct from old.role
         and actor_role is distinct from 'owner' then
        perform private.raise_denied('Only an owner can grant or remove the owner role.', 'owner_only');
      end if;
      if old.user_id = actor and new.role < old.role then
        perform private.raise_denied('You cannot raise your own role.', 'self_escalation');
      end if;
      if new.role is distinct from old.role
         and not private.user_can_grant(actor, new.org_id, new.role, null) then
        perform private.raise_denied('You cannot grant a role with permissions you do not have.', 'grant_exceeds_own');
      end if;
      if new.custom_role_id is not null and new.custom_role_id is distinct from old.custom_role_id
         and not private.user_can_grant(actor, new.org_id, null, new.custom_role_id) then
        perform private.raise_denied('You cannot grant a role with permissions you do not have.', 'grant_exceeds_own');
      end if;
    elsif tg_op = 'DELETE' and old.role = 'owner' and old.user_id is distinct from actor
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
comment on function private.members_guard() is 'Trigger: who may change or remove whom; nobody grants a role whose permissions they lack.';

-- Nobody adds a permission to a custom role that they do not hold themselves.
create or replace function private.role_permissions_guard()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if private.tenancy_guards_apply() and not private.has_permission(new.org_id, new.permission) then
    perform private.raise_denied('You cannot grant a permission you do not have.', 'grant_exceeds_own');
  end if;
  return new;
end;
$$;
comment on function private.role_permissions_guard() is 'Trigger: a permission is added to a custom role only by someone who holds it.';

-- Invitations: only owners invite owners; the sender holds every permission of
-- the role and custom role it grants, when it is sent and whenever it is made
-- usable again (a new token or expiry, or un-revoked); an address that already
-- belongs to a member cannot be invited. Revoking needs no such check.
create or replace function private.invitations_guard()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if private.tenancy_guards_apply()
     and (tg_op = 'INSERT'
          or (new.accepted_at is null and new.revoked_at is null
              and (new.token_hash is distinct from old.token_hash
                   or new.expires_at is distinct from old.expires_at
                   or old.revoked_at is not null
                   or new.role is distinct from old.role
                   or new.custom_role_id is distinct from old.custom_role_id))) then
    if new.role = 'owner' and private.member_role(new.org_id) is distinct from 'owner' then
      perform private.raise_denied('Only an owner can invite an owner.', 'owner_only');
    end if;
    if not private.user_can_grant((select auth.uid()), new.org_id, new.role, new.custom_role_id) then
      perform private.raise_denied('You cannot grant a role with permissions you do not have.', 'grant_exceeds_own');
    end if;
  end if;
  if tg_op = 'INSERT' and exists (
      select 1 from public.members m join auth.users u on u.id = m.user_id
       where m.org_id = new.org_id and lower(u.email) = lower(new.email::text)) then
    raise exception 'That person is already a member.'
      using errcode = '23505', detail = format('Key (email)=(%s) is already a member.', new.email),
            hint = 'already_member';
  end if;
  return new;
end;
$$;
comment on function private.invitations_guard() is 'Trigger: invitations grant only what their sender holds; no invitation for a member.';

-- Section: public functions

-- Accepts an invitation for the signed-in user whose email it was sent to.
-- Single-use under a row lock: of two concurrent accepts exactly one succeeds.
-- The sender must still be able to send it (private.user_can_invite): an
-- invitation outlives neither its sender's membership nor their permissions.
create or replace function public.accept_invitation(p_token text)
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
  -- The sender's membership is locked so a demotion cannot slip in between.
  perform 1 from public.members m
   where m.org_id = invitation.org_id and m.user_id = invitation.invited_by for share;
  if not private.user_can_invite(invitation.invited_by, invitation.org_id, invitation.role,
                                 invitation.custom_role_id) then
    raise exception 'This invitation is no longer valid: the person who sent it can no longer invite you with this role.'
      using errcode = '42501', hint = 'invitation_exceeds_sender';
  end if;

  insert into public.members (org_id, user_id, role, custom_role_id)
  values (invitation.org_id, caller, invitation.role, invitation.custom_role_id)
  on conflict (org_id, user_id) do nothing;
  update public.invitations set accepted_at = now(), accepted_by = caller where id = invitation.id;
  return invitation.org_id;
end;
$$;
comment on function public.accept_invitation(text) is 'Accepts an invitation for the invited, signed-in user; single-use; void once its sender could not send it.';

-- Section: triggers
drop trigger invitations_guard on public.invitations;
create trigger invitations_guard before insert or update on public.invitations
  for each row execute function private.invitations_guard();
