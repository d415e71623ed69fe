-- Demo data for a fresh local database: the demo account (also what
-- `supabase db reset` seeds). `npm run dev` runs it first, then builds the demo
-- workspace on it with platform/demo/*.sql (platform/demo.ts). Never run
-- against production.

-- A confirmed demo account: demo@growthdesk.test / growthdesk-demo.
-- Stored the way Supabase Auth stores users (bcrypt hash, email identity), so
-- signing in goes through the normal Auth API.
insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  raw_app_meta_data, raw_user_meta_data, is_super_admin, created_at, updated_at,
  confirmation_token, recovery_token, email_change_token_new, email_change
) values (
  '00000000-0000-0000-0000-000000000000',
  'd0d0d0d0-0000-4000-8000-000000000001',
  'authenticated', 'authenticated', 'demo@growthdesk.test',
  extensions.crypt('growthdesk-demo', extensions.gen_salt('bf', 10)),
  now(),
  '{"provider": "email", "providers": ["email"]}',
  '{"full_name": "Dana Demo"}',
  false, now(), now(), '', '', '', ''
) on conflict (id) do nothing;

insert into auth.identities (id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
values (
  'd0d0d0d0-0000-4000-8000-000000000002',
  'd0d0d0d0-0000-4000-8000-000000000001',
  'd0d0d0d0-0000-4000-8000-000000000001',
  '{"sub": "d0d0d0d0-0000-4000-8000-000000000001", "email": "demo@growthdesk.test", "email_verified": true, "phone_verified": false}',
  'email', now(), now(), now()
) on conflict do nothing;
