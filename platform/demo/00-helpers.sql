-- Demo workspace, part 0: helpers every later part uses. They live in pg_temp,
-- so they vanish with the seeding session and nothing of them stays in the
-- database. The loader (platform/demo.ts) runs every file of this folder in
-- name order, in one transaction on one connection.
--
-- Determinism: ids and "random" choices are hashes of a key (demo_id,
-- demo_rand), never random(); times are offsets from demo_now(), which is the
-- transaction's now() unless growthdesk.demo_now says otherwise (the tests pin
-- it to compare two seedings).

-- The moment the demo is built around ("now" of the demo's history).
create function pg_temp.demo_now()
returns timestamptz
language sql
stable
as $$
  select coalesce(nullif(current_setting('growthdesk.demo_now', true), '')::timestamptz, now());
$$;

-- A number in [0, 1) that depends only on the key.
create function pg_temp.demo_rand(p_key text)
returns double precision
language sql
immutable
as $$
  select ('x' || substr(md5(p_key), 1, 13))::bit(52)::bigint / 4503599627370496.0;
$$;

-- A version-4-shaped uuid that depends only on the key (the app's validators
-- check the version and variant bits).
create function pg_temp.demo_id(p_key text)
returns uuid
language sql
immutable
as $$
  select (substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-'
          || substr('89ab', ('x' || substr(h, 17, 1))::bit(4)::integer % 4 + 1, 1) || substr(h, 18, 3)
          || '-' || substr(h, 21, 12))::uuid
    from md5('growthdesk-demo:' || p_key) h;
$$;

-- One element of a list, chosen by a number in [0, 1).
create function pg_temp.demo_pick(p_items text[], p_r double precision)
returns text
language sql
immutable
as $$
  select p_items[1 + least(floor(p_r * cardinality(p_items))::integer, cardinality(p_items) - 1)];
$$;

-- Acts as a user for what follows in the transaction: triggers and functions
-- that record who did something (auth.uid()) see this user, as they would in
-- a request. Null acts as the system (the worker).
create function pg_temp.demo_act_as(p_user_id uuid)
returns void
language sql
as $$
  select set_config('request.jwt.claims',
    case when p_user_id is null then ''
         else json_build_object('sub', p_user_id, 'role', 'authenticated')::text end, true);
$$;

-- Creates a confirmed email account the way the platform's Auth does
-- (platform/auth/users.ts: insertUser, insertEmailIdentity, then confirmation),
-- so the person signs in through the normal Auth API. The profile follows from
-- the trigger on auth.users (its timestamps are moved back in 99-history.sql).
-- Every teammate has the demo account's password: its bcrypt hash is reused
-- (hashing costs a few hundred milliseconds a person).
create function pg_temp.demo_user(p_key text, p_email text, p_full_name text, p_created_at timestamptz)
returns uuid
language plpgsql
as $$
declare
  user_id uuid := pg_temp.demo_id('user:' || p_key);
begin
  insert into auth.users (
    instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
    raw_app_meta_data, raw_user_meta_data, is_super_admin, created_at, updated_at, last_sign_in_at,
    is_anonymous, confirmation_token, recovery_token, email_change_token_new, email_change,
    email_change_token_current, email_change_confirm_status, phone_change, phone_change_token,
    reauthentication_token)
  values (
    '00000000-0000-0000-0000-000000000000', user_id, 'authenticated', 'authenticated', lower(p_email),
    (select d.encrypted_password from auth.users d where d.id = 'd0d0d0d0-0000-4000-8000-000000000001'),
    p_created_at,
    '{"provider": "email", "providers": ["email"]}', jsonb_build_object('full_name', p_full_name),
    false, p_created_at, p_created_at, null,
    false, '', '', '', '', '', 0, '', '', '');
  insert into auth.identities (id, provider_id, user_id, identity_data, provider, last_sign_in_at,
    created_at, updated_at)
  values (pg_temp.demo_id('identity:' || p_key), user_id, user_id,
    jsonb_build_object('sub', user_id, 'email', lower(p_email), 'email_verified', true,
      'phone_verified', false, 'full_name', p_full_name),
    'email', p_created_at, p_created_at, p_created_at);
  return user_id;
end;
$$;

-- A person of the demo by key: 'demo' is the demo account of supabase/seed.sql.
create function pg_temp.demo_person(p_key text)
returns uuid
language sql
immutable
as $$
  select case when p_key = 'demo' then 'd0d0d0d0-0000-4000-8000-000000000001'::uuid
              else pg_temp.demo_id('user:' || p_key) end;
$$;

-- A time as JavaScript's toISOString() writes it (what the engine stores in step input and output).
create function pg_temp.demo_iso(p_at timestamptz)
returns text
language sql
immutable
as $$
  select to_char(p_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
$$;
