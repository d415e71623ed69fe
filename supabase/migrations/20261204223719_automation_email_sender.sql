-- Automation emails sent as the organization: a reply-to address on its
-- branding, and the one write an unsubscribe link may make (withdraw a
-- contact's email consent) for people who are not signed in.

-- Section: schemas

-- The unsubscribe link's two functions, callable by anon (people who are not
-- signed in). Not in private: anon has no use of that schema, so none of its
-- helpers is within anon's reach. Not in an exposed schema either (the Data
-- API serves public only), so nobody calls them with ids they guessed: only
-- the app does, after verifying the link's signature.
create schema unsubscribe;
comment on schema unsubscribe is
  'Functions of the public unsubscribe link (/u/<token>), for anon; not exposed through the Data API.';
revoke all on schema unsubscribe from public;
grant usage on schema unsubscribe to anon, authenticated;

-- Section: tables

-- Replies to automation emails go to the organization, not to the platform's
-- sending address (which only the platform may send from).
alter table public.branding_settings
  add column reply_to_email extensions.citext
    constraint branding_settings_reply_to_email_format check (reply_to_email is null or (
      char_length(reply_to_email) <= 254
      and reply_to_email::text ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'));
comment on column public.branding_settings.reply_to_email is
  'Where replies to the organization''s automation emails go (null: no Reply-To).';

-- /u/<token> is the unsubscribe link: an organization at /u would lose its
-- two-segment pages (/u/contacts) to it, so "u" joins the reserved addresses.
-- NOT VALID: an existing organization called "u" keeps its address until it
-- changes it (every new or changed slug is checked).
alter table public.organizations
  drop constraint organizations_slug_reserved,
  add constraint organizations_slug_reserved check (slug not in (
    'account', 'admin', 'api', 'app', 'auth', 'forgot-password', 'functions', 'invitations',
    'login', 'logout', 'mailbox', 'new', 'onboarding', 'reset-password', 'settings', 'signup',
    'static', 'storage', 'u')) not valid;

-- Section: functions

-- The unsubscribe link (/u/<token>) is public: the app verifies the token's
-- signature, then calls this with the (organization, contact) it names. It
-- only ever withdraws email consent, through consent_records, so the change
-- is evidence like any other (consent.changed event, status unsubscribed,
-- the contact's timeline). Not in an exposed schema: nobody can call it
-- through the API with ids they guessed. Returns the organization's name, or
-- null when the contact no longer exists there (deleted or erased).
create function unsubscribe.withdraw_email(p_org_id uuid, p_contact_id uuid)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_name text;
begin
  select o.name into v_name
    from public.organizations o
    join public.contacts c on c.org_id = o.id
   where o.id = p_org_id and c.id = p_contact_id and c.erased_at is null;
  if v_name is null then
    return null;
  end if;
  -- A second click records nothing new: the latest email consent is already withdrawn.
  if coalesce((select r.status <> 'withdrawn' from public.consent_records r
                where r.org_id = p_org_id and r.contact_id = p_contact_id and r.channel = 'email'
                order by r.recorded_at desc, r.id desc limit 1), true) then
    insert into public.consent_records (org_id, contact_id, channel, status, source, recorded_by)
    values (p_org_id, p_contact_id, 'email', 'withdrawn', 'Unsubscribe link in an email', null);
  end if;
  return v_name;
end;
$$;
comment on function unsubscribe.withdraw_email(uuid, uuid) is
  'Unsubscribe link: withdraws one contact''s email consent, for a token the app verified; returns the organization''s name.';

-- The organization's name for the unsubscribe page before the person confirms.
create function unsubscribe.org_name(p_org_id uuid)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select o.name from public.organizations o where o.id = p_org_id;
$$;
comment on function unsubscribe.org_name(uuid) is
  'Unsubscribe page: the name of the organization a verified token names.';

-- Section: grants

-- Functions are executable by PUBLIC by default: only the link's callers get these.
revoke all on function unsubscribe.withdraw_email(uuid, uuid) from public;
revoke all on function unsubscribe.org_name(uuid) from public;
grant execute on function unsubscribe.withdraw_email(uuid, uuid) to anon, authenticated;
grant execute on function unsubscribe.org_name(uuid) to anon, authenticated;

-- Owners and admins set the reply-to address on the branding page (the update
-- policy already limits who may; the column grant lets the column be written).
grant update (reply_to_email) on public.branding_settings to authenticated;
