-- Feature: webhooks, both ways.
--
-- Outgoing: organization admins subscribe URLs to event types. The events
-- trigger creates a delivery row and queues its job in the transaction of the
-- change, so nothing is lost when no worker runs. The worker posts Supabase's
-- database-webhook payload (type, table, schema, record, old_record) for the
-- event row, signed with HMAC-SHA256 over "<timestamp>.<body>", retries with
-- exponential backoff, and logs every attempt (status, latency, error).
-- Deliveries can be replayed by hand.
--
-- Incoming: an endpoint per integration with its own signing secret. The
-- inbound-webhook edge function verifies the signature, then calls
-- inbound_webhook_receive(), which creates or updates the contact (so the
-- contact events fire) and records webhook.received, the event behind the
-- "incoming webhook" automation trigger.

-- Section: types

create type public.webhook_delivery_status as enum ('pending', 'succeeded', 'failed');

-- Section: tables

-- An outgoing webhook: where to post which events, and the signing secret.
create table public.webhook_subscriptions (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  url text not null
    constraint webhook_subscriptions_url_format check (char_length(url) <= 2000 and url ~ '^https?://[^[:space:]]+$'),
  description text not null default '' check (char_length(description) <= 200),
  event_types text[] not null
    constraint webhook_subscriptions_event_types_check check (
      cardinality(event_types) between 1 and 100
      and array_to_string(event_types, ' ') ~ '^[a-z][a-z_]*(\.[a-z][a-z_]*)+( [a-z][a-z_]*(\.[a-z][a-z_]*)+)*$'),
  secret text not null default encode(extensions.gen_random_bytes(32), 'hex')
    constraint webhook_subscriptions_secret_check check (char_length(secret) between 32 and 200),
  enabled boolean not null default true,
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint webhook_subscriptions_org_id_id_key unique (org_id, id)
);
create index webhook_subscriptions_org_id_idx on public.webhook_subscriptions (org_id, created_at);
create index webhook_subscriptions_created_by_idx on public.webhook_subscriptions (created_by);
comment on table public.webhook_subscriptions is 'Outgoing webhooks: URL, event types, signing secret.';

-- One event posted to one subscription, with its attempts.
create table public.webhook_deliveries (
  id bigint generated always as identity primary key,
  org_id uuid not null,
  subscription_id uuid not null,
  event_id bigint not null references public.events (id) on delete cascade,
  event_type text not null,
  status public.webhook_delivery_status not null default 'pending',
  attempts smallint not null default 0,
  response_status integer,
  -- The start of the last response body (at most 2000 characters).
  response_body text check (char_length(response_body) <= 2000),
  latency_ms integer,
  error text check (char_length(error) <= 2000),
  -- Every attempt: [{at, status, latency_ms, error}].
  attempt_log jsonb not null default '[]'::jsonb check (jsonb_typeof(attempt_log) = 'array'),
  next_attempt_at timestamptz,
  replay_of bigint references public.webhook_deliveries (id) on delete set null,
  created_at timestamptz not null default now(),
  delivered_at timestamptz,
  updated_at timestamptz not null default now(),
  foreign key (org_id, subscription_id) references public.webhook_subscriptions (org_id, id) on delete cascade
);
create index webhook_deliveries_org_id_created_at_idx on public.webhook_deliveries (org_id, created_at desc, id desc);
create index webhook_deliveries_subscription_idx on public.webhook_deliveries (org_id, subscription_id, created_at desc, id desc);
create index webhook_deliveries_event_id_idx on public.webhook_deliveries (event_id);
create index webhook_deliveries_replay_of_idx on public.webhook_deliveries (replay_of);
comment on table public.webhook_deliveries is 'Outgoing webhook deliveries: status, attempts, response code, latency.';

-- An incoming webhook endpoint: requests signed with its secret create or update contacts.
create table public.inbound_webhooks (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  -- The contacts' `source` when this endpoint creates them.
  source text not null default 'webhook' check (char_length(source) between 1 and 50),
  secret text not null default encode(extensions.gen_random_bytes(32), 'hex')
    constraint inbound_webhooks_secret_check check (char_length(secret) between 32 and 200),
  enabled boolean not null default true,
  last_received_at timestamptz,
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint inbound_webhooks_org_id_name_key unique (org_id, name),
  constraint inbound_webhooks_org_id_id_key unique (org_id, id)
);
create index inbound_webhooks_created_by_idx on public.inbound_webhooks (created_by);
comment on table public.inbound_webhooks is 'Incoming webhook endpoints: signed requests create or update contacts.';

-- Every request an endpoint answered, refused ones included.
create table public.inbound_webhook_requests (
  id bigint generated always as identity primary key,
  org_id uuid not null,
  endpoint_id uuid not null,
  received_at timestamptz not null default now(),
  status_code smallint not null check (status_code between 100 and 599),
  error text check (char_length(error) <= 2000),
  contact_id uuid references public.contacts (id) on delete set null,
  event_id bigint,
  foreign key (org_id, endpoint_id) references public.inbound_webhooks (org_id, id) on delete cascade
);
create index inbound_webhook_requests_endpoint_idx on public.inbound_webhook_requests (org_id, endpoint_id, received_at desc);
create index inbound_webhook_requests_contact_id_idx on public.inbound_webhook_requests (contact_id);
comment on table public.inbound_webhook_requests is 'Log of requests to incoming webhook endpoints, accepted and refused.';

-- Section: functions

-- Queues (or re-queues, at p_at) the job that posts a delivery.
create function private.webhook_delivery_schedule(p_delivery_id bigint, p_at timestamptz default null)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.enqueue_job('webhooks_deliver', jsonb_build_object('deliveryId', p_delivery_id),
    'webhook_delivery:' || p_delivery_id, p_at, 10);
end;
$$;
comment on function private.webhook_delivery_schedule(bigint, timestamptz) is 'Queues the job that posts a webhook delivery (worker only).';

-- Trigger (statement, after insert on events): a delivery per enabled
-- subscription to each new event's type, queued in the same transaction.
create function private.webhooks_route_events()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  delivery record;
begin
  for delivery in
    insert into public.webhook_deliveries (org_id, subscription_id, event_id, event_type)
    select e.org_id, s.id, e.id, e.type
      from new_events e
      join public.webhook_subscriptions s
        on s.org_id = e.org_id and s.enabled and e.type = any (s.event_types)
    returning id
  loop
    perform private.webhook_delivery_schedule(delivery.id, null);
  end loop;
  return null;
end;
$$;
comment on function private.webhooks_route_events() is 'Trigger: creates and queues webhook deliveries for new events.';

-- Posts a delivery again, as a new delivery row (the original stays in the log).
create function public.replay_webhook_delivery(p_delivery_id bigint)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  original public.webhook_deliveries;
  new_id bigint;
begin
  select * into original from public.webhook_deliveries where id = p_delivery_id;
  if not found or not private.has_permission(original.org_id, 'webhooks.manage') then
    raise exception 'Delivery not found.' using errcode = 'P0002', hint = 'delivery_not_found';
  end if;
  insert into public.webhook_deliveries (org_id, subscription_id, event_id, event_type, replay_of)
  values (original.org_id, original.subscription_id, original.event_id, original.event_type, original.id)
  returning id into new_id;
  perform private.webhook_delivery_schedule(new_id, null);
  return new_id;
end;
$$;
comment on function public.replay_webhook_delivery(bigint) is 'Replays a webhook delivery as a new delivery; returns its id.';

-- Logs a request an endpoint refused (bad signature, malformed body, …).
create function private.inbound_webhook_refused(p_endpoint_id uuid, p_status integer, p_error text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.inbound_webhook_requests (org_id, endpoint_id, status_code, error)
  select w.org_id, w.id, p_status, left(p_error, 2000)
    from public.inbound_webhooks w where w.id = p_endpoint_id;
end;
$$;
comment on function private.inbound_webhook_refused(uuid, integer, text) is 'Logs a refused incoming webhook request (edge function only).';

-- Accepts a verified incoming webhook: creates or updates the contact by email
-- (contact events fire), adds the tags it names, records webhook.received and
-- logs the request. The edge function checked the signature and the shape.
-- Body: {email, first_name?, last_name?, phone?, company?, custom?, tags?, data?}.
create function private.inbound_webhook_receive(p_endpoint_id uuid, p_body jsonb)
returns table (request_id bigint, contact_id uuid, created boolean, event_id bigint)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  endpoint public.inbound_webhooks;
  v_contact_id uuid;
  v_created boolean;
  v_request_id bigint;
  v_event_id bigint;
begin
  select * into endpoint from public.inbound_webhooks w where w.id = p_endpoint_id and w.enabled;
  if not found then
    raise exception 'Endpoint not found.' using errcode = 'P0002', hint = 'endpoint_not_found';
  end if;

  insert into public.contacts as c (org_id, email, first_name, last_name, phone, company, source, custom)
  values (endpoint.org_id, p_body ->> 'email', p_body ->> 'first_name', p_body ->> 'last_name',
          p_body ->> 'phone', p_body ->> 'company', endpoint.source, coalesce(p_body -> 'custom', '{}'::jsonb))
  on conflict (org_id, lower(email::text)) do update
     set first_name = coalesce(excluded.first_name, c.first_name),
         last_name = coalesce(excluded.last_name, c.last_name),
         phone = coalesce(excluded.phone, c.phone),
         company = coalesce(excluded.company, c.company),
         custom = c.custom || excluded.custom
  returning c.id, (c.xmax = 0) into v_contact_id, v_created;

  if jsonb_typeof(p_body -> 'tags') = 'array' and jsonb_array_length(p_body -> 'tags') > 0 then
    insert into public.tags (org_id, name)
    select endpoint.org_id, t from jsonb_array_elements_text(p_body -> 'tags') t
    on conflict on constraint tags_org_id_name_key do nothing;
    insert into public.contact_tags (org_id, contact_id, tag_id)
    select endpoint.org_id, v_contact_id, tg.id
      from public.tags tg
     where tg.org_id = endpoint.org_id
       and tg.name in (select t::extensions.citext from jsonb_array_elements_text(p_body -> 'tags') t)
    on conflict do nothing;
  end if;

  insert into public.inbound_webhook_requests (org_id, endpoint_id, status_code, contact_id)
  values (endpoint.org_id, endpoint.id, 200, v_contact_id)
  returning id into v_request_id;
  v_event_id := private.record_event(endpoint.org_id, 'webhook.received', 'contact', v_contact_id,
    jsonb_build_object('endpoint_id', endpoint.id, 'request_id', v_request_id, 'contact_id', v_contact_id,
                       'created', v_created, 'data', coalesce(p_body -> 'data', '{}'::jsonb)));
  update public.inbound_webhook_requests r set event_id = v_event_id where r.id = v_request_id;
  update public.inbound_webhooks w set last_received_at = now() where w.id = endpoint.id;
  return query select v_request_id, v_contact_id, v_created, v_event_id;
end;
$$;
comment on function private.inbound_webhook_receive(uuid, jsonb) is 'Creates or updates a contact from a verified incoming webhook; records webhook.received (edge function only).';

revoke all on function private.webhook_delivery_schedule(bigint, timestamptz) from public;
revoke all on function private.webhooks_route_events() from public;
revoke all on function public.replay_webhook_delivery(bigint) from public, anon;
revoke all on function private.inbound_webhook_refused(uuid, integer, text) from public;
revoke all on function private.inbound_webhook_receive(uuid, jsonb) from public;
grant execute on function private.webhook_delivery_schedule(bigint, timestamptz) to service_role;
grant execute on function public.replay_webhook_delivery(bigint) to authenticated;
grant execute on function private.inbound_webhook_refused(uuid, integer, text) to service_role;
grant execute on function private.inbound_webhook_receive(uuid, jsonb) to service_role;

-- Section: triggers
create trigger webhooks_route_events after insert on public.events
  referencing new table as new_events
  for each statement execute function private.webhooks_route_events();
create trigger webhook_subscriptions_set_updated_at before update on public.webhook_subscriptions
  for each row execute function private.set_updated_at();
create trigger webhook_deliveries_set_updated_at before update on public.webhook_deliveries
  for each row execute function private.set_updated_at();
create trigger inbound_webhooks_set_updated_at before update on public.inbound_webhooks
  for each row execute function private.set_updated_at();

-- Section: policies
alter table public.webhook_subscriptions enable row level security;
alter table public.webhook_deliveries enable row level security;
alter table public.inbound_webhooks enable row level security;
alter table public.inbound_webhook_requests enable row level security;

create policy "Webhook managers can read their organization's webhooks"
  on public.webhook_subscriptions for select to authenticated
  using (org_id in (select private.org_ids_with_permission('webhooks.manage')));
create policy "Webhook managers can create webhooks"
  on public.webhook_subscriptions for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('webhooks.manage')));
create policy "Webhook managers can change webhooks"
  on public.webhook_subscriptions for update to authenticated
  using (org_id in (select private.org_ids_with_permission('webhooks.manage')))
  with check (org_id in (select private.org_ids_with_permission('webhooks.manage')));
create policy "Webhook managers can delete webhooks"
  on public.webhook_subscriptions for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('webhooks.manage')));

create policy "Webhook managers can read deliveries"
  on public.webhook_deliveries for select to authenticated
  using (org_id in (select private.org_ids_with_permission('webhooks.manage')));

create policy "Webhook managers can read incoming webhook endpoints"
  on public.inbound_webhooks for select to authenticated
  using (org_id in (select private.org_ids_with_permission('webhooks.manage')));
create policy "Webhook managers can create incoming webhook endpoints"
  on public.inbound_webhooks for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('webhooks.manage')));
create policy "Webhook managers can change incoming webhook endpoints"
  on public.inbound_webhooks for update to authenticated
  using (org_id in (select private.org_ids_with_permission('webhooks.manage')))
  with check (org_id in (select private.org_ids_with_permission('webhooks.manage')));
create policy "Webhook managers can delete incoming webhook endpoints"
  on public.inbound_webhooks for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('webhooks.manage')));

create policy "Webhook managers can read incoming webhook requests"
  on public.inbound_webhook_requests for select to authenticated
  using (org_id in (select private.org_ids_with_permission('webhooks.manage')));

-- Section: grants
-- Deliveries and request logs are written by triggers, RPCs and the worker.
revoke all on public.webhook_subscriptions, public.webhook_deliveries, public.inbound_webhooks,
  public.inbound_webhook_requests from anon, authenticated;

grant select, delete on public.webhook_subscriptions to authenticated;
grant insert (org_id, url, description, event_types, enabled),
  update (url, description, event_types, enabled, secret) on public.webhook_subscriptions to authenticated;
grant select on public.webhook_deliveries to authenticated;
grant select, delete on public.inbound_webhooks to authenticated;
grant insert (org_id, name, source, enabled), update (name, source, enabled, secret)
  on public.inbound_webhooks to authenticated;
grant select on public.inbound_webhook_requests to authenticated;
