-- Feature: collaborations (issue 16, part 3): an influencer of the
-- organization's CRM on one of its influencer campaigns.
--   * collaborations: the agreement (rate amount and currency) and its status
--     machine pending → accepted | rejected, accepted → completed, enforced
--     here for every writer (service role included), with who moved it and
--     when. A collaboration for another organization's campaign or influencer
--     is refused by this file's trigger and foreign keys, not only by RLS.
--   * collaboration_deliverables: which lines of the campaign's creative brief
--     the influencer delivers, and how many (agreed while pending).
--   * creative_assets.collaboration_id: the influencer's content is a
--     deliverable of the brief like any other, reviewed through the existing
--     creative review (approve / request changes); the link says whose it is.
--   * collaboration_products: product seeding, chosen → ordered → shipped
--     (tracking number, carrier) → delivered, forward only, dated.
--   * A tracking link (an unguessable short code and an https destination)
--     and a promo code (unique per organization, any case) per collaboration.
--     The public redirect /r/<code> calls tracking.collaboration_click(): it
--     only ever answers the destination stored here, and records a click.
--   * conversions: orders reported by a shop (service role), attributed by
--     private.attribute_conversion() — the rules are written there.
-- Events: collaboration.created, collaboration.status_changed,
-- collaboration.product_delivered. Status, rate and deletions are audited.

-- Section: types

create type public.collaboration_status as enum ('pending', 'accepted', 'rejected', 'completed');
create type public.seeding_status as enum ('chosen', 'ordered', 'shipped', 'delivered');

-- Section: functions (used by defaults)

-- An unguessable short code for a tracking link: 9 random bytes, URL-safe
-- base64 (12 characters, 72 bits): nobody finds another collaboration's link
-- by trying codes.
create function private.collaboration_link_code()
returns text
language sql
volatile
set search_path = ''
as $$
  select rtrim(translate(encode(extensions.gen_random_bytes(9), 'base64'), '+/', '-_'), '=');
$$;
comment on function private.collaboration_link_code() is 'A random 12-character URL-safe code for a collaboration''s tracking link.';

-- Section: tables

-- An influencer on an influencer campaign: the rate agreed and the status.
create table public.collaborations (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  campaign_id uuid not null,
  influencer_id uuid not null,
  rate_amount numeric(14, 2) not null
    constraint collaborations_rate_amount_check check (rate_amount >= 0 and rate_amount <= 10000000000),
  rate_currency text not null references public.currencies (code),
  status public.collaboration_status not null default 'pending',
  status_changed_at timestamptz not null default now(),
  status_changed_by uuid default auth.uid() references auth.users (id) on delete set null,
  accepted_at timestamptz,
  rejected_at timestamptz,
  completed_at timestamptz,
  note text not null default '' constraint collaborations_note_check check (char_length(note) <= 2000),
  -- The tracking link: /r/<link_code> redirects to link_url (none until set).
  link_code text not null default private.collaboration_link_code()
    constraint collaborations_link_code_check check (link_code ~ '^[A-Za-z0-9_-]{8,32}$'),
  link_url text constraint collaborations_link_url_check check (
    char_length(link_url) <= 2000 and link_url ~* '^https://[a-z0-9.-]+(:[0-9]+)?(/[^[:space:]]*)?$'),
  promo_code text constraint collaborations_promo_code_check check (promo_code ~ '^[A-Za-z0-9_-]{3,32}$'),
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint collaborations_campaign_id_influencer_id_key unique (campaign_id, influencer_id),
  constraint collaborations_org_id_id_key unique (org_id, id),
  constraint collaborations_campaign_id_id_key unique (campaign_id, id),
  constraint collaborations_link_code_key unique (link_code),
  foreign key (org_id, campaign_id) references public.campaigns (org_id, id) on delete cascade,
  -- An influencer record deleted from the CRM takes its collaborations with it.
  foreign key (org_id, influencer_id) references public.influencers (org_id, id) on delete cascade
);
-- A promo code is one per organization whatever its case (shops compare codes case-insensitively).
create unique index collaborations_promo_code_key on public.collaborations (org_id, upper(promo_code));
create index collaborations_org_id_campaign_id_idx on public.collaborations (org_id, campaign_id, created_at);
create index collaborations_influencer_idx on public.collaborations (org_id, influencer_id, created_at desc);
create index collaborations_org_id_status_idx on public.collaborations (org_id, status);
create index collaborations_rate_currency_idx on public.collaborations (rate_currency);
create index collaborations_status_changed_by_idx on public.collaborations (status_changed_by);
create index collaborations_created_by_idx on public.collaborations (created_by);
comment on table public.collaborations is
  'An influencer on an influencer campaign: rate, status machine (pending → accepted/rejected → completed), tracking link and promo code.';

-- The lines of the campaign's brief a collaboration delivers, with a count.
-- The composite keys make a line of another campaign impossible.
create table public.collaboration_deliverables (
  org_id uuid not null,
  campaign_id uuid not null,
  collaboration_id uuid not null,
  requirement_id uuid not null,
  count smallint not null default 1 constraint collaboration_deliverables_count_check check (count between 1 and 100),
  created_at timestamptz not null default now(),
  primary key (collaboration_id, requirement_id),
  foreign key (org_id, collaboration_id) references public.collaborations (org_id, id) on delete cascade,
  foreign key (campaign_id, collaboration_id) references public.collaborations (campaign_id, id) on delete cascade,
  foreign key (campaign_id, requirement_id) references public.creative_requirements (campaign_id, id) on delete cascade
);
create index collaboration_deliverables_org_idx on public.collaboration_deliverables (org_id, collaboration_id);
create index collaboration_deliverables_requirement_idx on public.collaboration_deliverables (campaign_id, requirement_id);
create index collaboration_deliverables_campaign_idx on public.collaboration_deliverables (campaign_id, collaboration_id);
comment on table public.collaboration_deliverables is
  'Which lines of the campaign''s creative brief a collaboration delivers, and how many of each.';

-- Content: a creative deliverable may be an influencer's, for one of the
-- lines their collaboration delivers (both keys checked by foreign keys).
alter table public.creative_assets add column collaboration_id uuid;
alter table public.creative_assets
  add constraint creative_assets_collaboration_fkey foreign key (campaign_id, collaboration_id)
    references public.collaborations (campaign_id, id) on delete set null (collaboration_id),
  add constraint creative_assets_collaboration_deliverable_fkey foreign key (collaboration_id, requirement_id)
    references public.collaboration_deliverables (collaboration_id, requirement_id) on delete set null (collaboration_id);
create index creative_assets_collaboration_idx on public.creative_assets (collaboration_id, requirement_id);
create index creative_assets_campaign_collaboration_idx on public.creative_assets (campaign_id, collaboration_id);

-- Product seeding: a product sent to the influencer of a collaboration.
create table public.collaboration_products (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  collaboration_id uuid not null,
  product_id uuid not null,
  quantity integer not null default 1
    constraint collaboration_products_quantity_check check (quantity between 1 and 10000),
  status public.seeding_status not null default 'chosen',
  tracking_number text constraint collaboration_products_tracking_number_check check (
    char_length(btrim(tracking_number)) between 1 and 100 and tracking_number !~ '[[:cntrl:]]'),
  carrier text constraint collaboration_products_carrier_check check (
    char_length(btrim(carrier)) between 1 and 60 and carrier !~ '[[:cntrl:]]'),
  ordered_at timestamptz,
  shipped_at timestamptz,
  delivered_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint collaboration_products_collaboration_id_product_id_key unique (collaboration_id, product_id),
  foreign key (org_id, collaboration_id) references public.collaborations (org_id, id) on delete cascade,
  -- A product that was seeded is archived, not deleted. Checked at commit: an
  -- organization being deleted may reach its products before its collaborations.
  foreign key (org_id, product_id) references public.products (org_id, id) deferrable initially deferred
);
create index collaboration_products_org_idx on public.collaboration_products (org_id, collaboration_id);
create index collaboration_products_product_idx on public.collaboration_products (org_id, product_id);
comment on table public.collaboration_products is
  'Product seeding per collaboration: chosen → ordered → shipped (tracking number, carrier) → delivered, forward only.';

-- Clicks on collaborations' tracking links, one row per click, with the
-- visitor (a random id the redirect keeps in a cookie) for attribution.
create table public.collaboration_clicks (
  id bigint generated always as identity primary key,
  org_id uuid not null,
  collaboration_id uuid not null,
  visitor_id uuid,
  clicked_at timestamptz not null default now(),
  foreign key (org_id, collaboration_id) references public.collaborations (org_id, id) on delete cascade
);
create index collaboration_clicks_collaboration_idx on public.collaboration_clicks (org_id, collaboration_id, clicked_at);
create index collaboration_clicks_visitor_idx on public.collaboration_clicks (org_id, visitor_id, clicked_at desc, id desc);
comment on table public.collaboration_clicks is 'Clicks on collaborations'' tracking links (written only by the public redirect''s function).';

-- Orders reported by a shop (service role), each attributed to at most one
-- collaboration by private.attribute_conversion().
create table public.conversions (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  order_ref text not null constraint conversions_order_ref_check check (char_length(btrim(order_ref)) between 1 and 100),
  amount numeric(14, 2) not null constraint conversions_amount_check check (amount >= 0 and amount <= 10000000000),
  currency text not null references public.currencies (code),
  promo_code text constraint conversions_promo_code_check check (char_length(promo_code) <= 64),
  visitor_id uuid,
  occurred_at timestamptz not null default now(),
  -- Set by the database (never by the writer): who the conversion counts for and by which rule.
  collaboration_id uuid,
  attributed_by text not null default 'none' constraint conversions_attributed_by_check check (
    attributed_by in ('promo_code', 'last_click', 'none')),
  created_at timestamptz not null default now(),
  constraint conversions_org_id_order_ref_key unique (org_id, order_ref),
  foreign key (org_id, collaboration_id) references public.collaborations (org_id, id) on delete set null (collaboration_id)
);
create index conversions_collaboration_idx on public.conversions (org_id, collaboration_id);
create index conversions_currency_idx on public.conversions (currency);
comment on table public.conversions is 'Orders reported by a shop, attributed to at most one collaboration by documented rules.';

-- Section: functions

-- Raises a check violation on a collaboration column with a stable hint.
create function private.collaboration_refuse(p_table text, p_column text, p_message text, p_hint text)
returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception '%', p_message
    using errcode = '23514', table = p_table, column = p_column,
          constraint = p_table || '_' || p_column || '_check', hint = p_hint;
end;
$$;
comment on function private.collaboration_refuse(text, text, text, text) is 'Raises a 23514 naming the column at fault, with a hint the app maps.';

-- Trigger (row, before insert or update of collaborations): the status
-- machine and the organization rules, for every writer (security definer:
-- it must see another organization's rows to refuse them).
--   insert:  status pending; the campaign is an influencer campaign of the
--            same organization, not completed or cancelled; the influencer
--            is the same organization's.
--   moves:   pending → accepted | rejected, accepted → completed; nothing else.
--   rate:    agreed while pending; fixed once accepted, rejected or completed.
--   keys:    organization, campaign and influencer never change.
create function private.collaborations_guard()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_campaign public.campaigns;
  v_influencer_org uuid;
  decimals smallint;
begin
  if tg_op = 'INSERT' then
    if new.status <> 'pending' then
      perform private.collaboration_refuse('collaborations', 'status', 'A collaboration starts as an invitation (pending).',
        'collaboration_transition_refused');
    end if;
    select * into v_campaign from public.campaigns c where c.id = new.campaign_id;
    if not found or v_campaign.org_id <> new.org_id then
      perform private.collaboration_refuse('collaborations', 'campaign_id', 'Pick one of the organization''s campaigns.',
        'campaign_unknown');
    end if;
    if v_campaign.kind <> 'influencer' then
      perform private.collaboration_refuse('collaborations', 'campaign_id', 'Only influencer campaigns have collaborations.',
        'campaign_not_influencer');
    end if;
    if v_campaign.status in ('completed', 'cancelled') then
      perform private.collaboration_refuse('collaborations', 'campaign_id',
        format('A %s campaign takes no new influencers.', v_campaign.status), 'campaign_closed');
    end if;
    select i.org_id into v_influencer_org from public.influencers i where i.id = new.influencer_id;
    if v_influencer_org is distinct from new.org_id then
      perform private.collaboration_refuse('collaborations', 'influencer_id', 'Pick one of the organization''s influencers.',
        'influencer_unknown');
    end if;
    new.status_changed_at := now();
    new.status_changed_by := (select auth.uid());
  else
    if (new.org_id, new.campaign_id, new.influencer_id) is distinct from (old.org_id, old.campaign_id, old.influencer_id) then
      perform private.collaboration_refuse('collaborations', 'campaign_id',
        'A collaboration stays with its campaign and influencer; invite the influencer again instead.', 'collaboration_field_locked');
    end if;
    if new.status is distinct from old.status then
      if not ((old.status, new.status) in (('pending', 'accepted'), ('pending', 'rejected'), ('accepted', 'completed'))) then
        perform private.collaboration_refuse('collaborations', 'status',
          format('A %s collaboration cannot become %s.', old.status, new.status), 'collaboration_transition_refused');
      end if;
      new.status_changed_at := now();
      new.status_changed_by := (select auth.uid());
      case new.status
        when 'accepted' then new.accepted_at := now();
        when 'rejected' then new.rejected_at := now();
        when 'completed' then new.completed_at := now();
        else null;
      end case;
    else
      -- Who and when belong to the last move; a plain edit does not rewrite them.
      new.status_changed_at := old.status_changed_at;
      new.status_changed_by := old.status_changed_by;
      new.accepted_at := old.accepted_at;
      new.rejected_at := old.rejected_at;
      new.completed_at := old.completed_at;
    end if;
    if old.status <> 'pending' and (new.rate_amount, new.rate_currency) is distinct from (old.rate_amount, old.rate_currency) then
      perform private.collaboration_refuse('collaborations', 'rate_amount',
        format('The rate of a %s collaboration cannot change.', old.status), 'collaboration_rate_locked');
    end if;
    new.link_code := old.link_code;
    new.updated_at := now();
  end if;
  select c.minor_units into decimals from public.currencies c where c.code = new.rate_currency;
  if decimals is not null and round(new.rate_amount, decimals) <> new.rate_amount then
    perform private.collaboration_refuse('collaborations', 'rate_amount',
      format('Amounts in %s have at most %s decimals.', new.rate_currency, decimals), 'rate_decimals');
  end if;
  return new;
end;
$$;
comment on function private.collaborations_guard() is
  'Trigger: the collaboration status machine, same-organization campaign and influencer, rate fixed once answered.';

-- Trigger (row, before delete of collaborations): only invitations still
-- pending or turned down are deleted; accepted and completed ones have a
-- history (content, products, clicks). A campaign or organization being
-- deleted takes its collaborations with it.
create function private.collaborations_before_delete()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.status in ('accepted', 'completed')
     and exists (select 1 from public.campaigns c where c.id = old.campaign_id) then
    perform private.collaboration_refuse('collaborations', 'status',
      format('A %s collaboration cannot be deleted.', old.status), 'collaboration_not_deletable');
  end if;
  return old;
end;
$$;
comment on function private.collaborations_before_delete() is 'Trigger: only pending or rejected collaborations can be deleted.';

-- Trigger (row, before any write of collaboration_deliverables): what is
-- delivered is agreed with the rate, while the collaboration is pending.
create function private.collaboration_deliverables_guard()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_status public.collaboration_status;
begin
  select c.status into v_status from public.collaborations c where c.id = coalesce(new.collaboration_id, old.collaboration_id);
  if found and v_status <> 'pending' then
    perform private.collaboration_refuse('collaboration_deliverables', 'requirement_id',
      format('The deliverables of a %s collaboration cannot change.', v_status), 'collaboration_deliverables_locked');
  end if;
  return coalesce(new, old);
end;
$$;
comment on function private.collaboration_deliverables_guard() is 'Trigger: deliverables change only while the collaboration is pending.';

-- Trigger (row, before insert of creative_assets with a collaboration): an
-- influencer's content arrives once the collaboration is accepted.
create function private.creative_assets_collaboration_guard()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_status public.collaboration_status;
begin
  if new.collaboration_id is not null
     and (tg_op = 'INSERT' or new.collaboration_id is distinct from old.collaboration_id) then
    select c.status into v_status from public.collaborations c where c.id = new.collaboration_id;
    if v_status is distinct from 'accepted' then
      perform private.collaboration_refuse('creative_assets', 'collaboration_id',
        'Content is submitted for an accepted collaboration.', 'collaboration_not_accepted');
    end if;
  end if;
  return new;
end;
$$;
comment on function private.creative_assets_collaboration_guard() is 'Trigger: an influencer''s content is added only to an accepted collaboration.';

-- Trigger (row, before insert or update of collaboration_products): the
-- seeding machine. Lines are added as chosen, while the collaboration is
-- pending or accepted; they move forward only (a step may be skipped, e.g. a
-- tracking number imported for a line still "chosen" ships it); ordering and
-- shipping need an accepted (or completed) collaboration; shipped and
-- delivered need a tracking number and a carrier; a delivered line is final.
-- Each move is dated.
create function private.collaboration_products_guard()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_status public.collaboration_status;
begin
  select c.status into v_status from public.collaborations c where c.id = new.collaboration_id;
  if tg_op = 'INSERT' then
    if new.status <> 'chosen' then
      perform private.collaboration_refuse('collaboration_products', 'status', 'A product is first chosen, then ordered.',
        'seeding_transition_refused');
    end if;
    if v_status not in ('pending', 'accepted') then
      perform private.collaboration_refuse('collaboration_products', 'product_id',
        format('A %s collaboration takes no new products.', v_status), 'collaboration_closed');
    end if;
  else
    if (new.org_id, new.collaboration_id, new.product_id) is distinct from (old.org_id, old.collaboration_id, old.product_id) then
      perform private.collaboration_refuse('collaboration_products', 'product_id',
        'A seeded product stays on its collaboration.', 'seeding_field_locked');
    end if;
    if old.status = 'delivered' and new is distinct from old then
      perform private.collaboration_refuse('collaboration_products', 'status', 'A delivered product can no longer change.',
        'seeding_delivered');
    end if;
    if new.status is distinct from old.status then
      if new.status < old.status then
        perform private.collaboration_refuse('collaboration_products', 'status',
          format('A %s product cannot go back to %s.', old.status, new.status), 'seeding_transition_refused');
      end if;
      if v_status not in ('accepted', 'completed') then
        perform private.collaboration_refuse('collaboration_products', 'status',
          format('Products are ordered and shipped once the collaboration is accepted (it is %s).', v_status),
          'collaboration_not_accepted');
      end if;
      if new.status >= 'ordered' and old.status < 'ordered' then new.ordered_at := now(); end if;
      if new.status >= 'shipped' and old.status < 'shipped' then new.shipped_at := now(); end if;
      if new.status = 'delivered' then new.delivered_at := now(); end if;
    end if;
    new.updated_at := now();
  end if;
  if new.status >= 'shipped' and (new.tracking_number is null or new.carrier is null) then
    perform private.collaboration_refuse('collaboration_products', 'tracking_number',
      'A shipped product needs a tracking number and a carrier.', 'seeding_tracking_missing');
  end if;
  return new;
end;
$$;
comment on function private.collaboration_products_guard() is
  'Trigger: product seeding moves forward only (chosen → ordered → shipped → delivered), dated, with tracking once shipped.';

-- Trigger (row, after insert or update of collaborations): the events
-- automations start on, and audit entries for status and rate changes.
create function private.collaborations_after_write()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.record_event(new.org_id, 'collaboration.created', 'collaboration', new.id,
      jsonb_build_object('campaign_id', new.campaign_id, 'influencer_id', new.influencer_id));
    perform private.audit_write(new.org_id, 'collaborations.insert', 'collaborations', new.id::text, null,
      jsonb_build_object('campaign_id', new.campaign_id, 'influencer_id', new.influencer_id,
                         'rate_amount', new.rate_amount, 'rate_currency', new.rate_currency));
    return null;
  end if;
  if new.status is distinct from old.status then
    perform private.record_event(new.org_id, 'collaboration.status_changed', 'collaboration', new.id,
      jsonb_build_object('campaign_id', new.campaign_id, 'influencer_id', new.influencer_id,
                         'from', old.status, 'to', new.status));
  end if;
  if (new.status, new.rate_amount, new.rate_currency, new.promo_code, new.link_url)
     is distinct from (old.status, old.rate_amount, old.rate_currency, old.promo_code, old.link_url) then
    perform private.audit_write(new.org_id, 'collaborations.update', 'collaborations', new.id::text,
      jsonb_build_object('status', old.status, 'rate_amount', old.rate_amount, 'rate_currency', old.rate_currency,
                         'promo_code', old.promo_code, 'link_url', old.link_url),
      jsonb_build_object('status', new.status, 'rate_amount', new.rate_amount, 'rate_currency', new.rate_currency,
                         'promo_code', new.promo_code, 'link_url', new.link_url));
  end if;
  return null;
end;
$$;
comment on function private.collaborations_after_write() is
  'Trigger: records collaboration.created / collaboration.status_changed and audits status, rate, link and promo code.';

-- Trigger (row, after delete of collaborations): an audit entry.
create function private.collaborations_after_delete()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (select 1 from public.organizations o where o.id = old.org_id) then
    perform private.audit_write(old.org_id, 'collaborations.delete', 'collaborations', old.id::text,
      jsonb_build_object('campaign_id', old.campaign_id, 'influencer_id', old.influencer_id, 'status', old.status), null);
  end if;
  return null;
end;
$$;
comment on function private.collaborations_after_delete() is 'Trigger: audits a deleted collaboration.';

-- Trigger (row, after update of collaboration_products): collaboration.product_delivered.
create function private.collaboration_products_after_update()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_collab public.collaborations;
begin
  if new.status = 'delivered' and old.status <> 'delivered' then
    select * into v_collab from public.collaborations c where c.id = new.collaboration_id;
    perform private.record_event(new.org_id, 'collaboration.product_delivered', 'collaboration', new.collaboration_id,
      jsonb_build_object('campaign_id', v_collab.campaign_id, 'influencer_id', v_collab.influencer_id,
                         'product_id', new.product_id, 'seeding_id', new.id));
  end if;
  return null;
end;
$$;
comment on function private.collaboration_products_after_update() is 'Trigger: records collaboration.product_delivered.';

-- Trigger (row, before insert of conversions): attribution. The database
-- decides; whatever the writer put in collaboration_id / attributed_by is
-- replaced. The rules, in order (each has its own test in
-- tests/collaborations/attribution.test.ts):
--   1. Promo code first: a conversion whose promo code (any case) is the
--      promo code of one of the organization's collaborations counts for
--      that collaboration, whatever links the buyer clicked.
--   2. Else last click: the buyer's (visitor's) latest click on a tracking
--      link of the organization within the 30 days before the conversion
--      counts; a later click on another link wins over an earlier one.
--   3. A click after the conversion, or more than 30 days before it, counts
--      for nobody.
--   4. A promo code that is not one of the organization's (another
--      organization's, a typo) attributes nothing; the clicks still decide.
--   5. A rejected collaboration's promo code or clicks count for nobody.
--   6. Another organization's clicks never count (visitors are matched
--      within the conversion's organization only).
--   7. With neither a code nor a click, the conversion counts for nobody
--      (attributed_by 'none'). A click on an unknown code is not recorded at
--      all, so it can count for nobody either.
--   8. One collaboration per conversion, decided once when it is recorded;
--      later clicks do not move it.
create function private.attribute_conversion()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_collab uuid;
begin
  new.collaboration_id := null;
  new.attributed_by := 'none';
  if nullif(btrim(coalesce(new.promo_code, '')), '') is not null then
    select c.id into v_collab from public.collaborations c
     where c.org_id = new.org_id and upper(c.promo_code) = upper(btrim(new.promo_code)) and c.status <> 'rejected';
    if v_collab is not null then
      new.collaboration_id := v_collab;
      new.attributed_by := 'promo_code';
      return new;
    end if;
  end if;
  if new.visitor_id is not null then
    select k.collaboration_id into v_collab
      from public.collaboration_clicks k
      join public.collaborations c on c.id = k.collaboration_id
     where k.org_id = new.org_id and k.visitor_id = new.visitor_id
       and k.clicked_at <= new.occurred_at and k.clicked_at > new.occurred_at - interval '30 days'
       and c.status <> 'rejected'
     order by k.clicked_at desc, k.id desc
     limit 1;
    if v_collab is not null then
      new.collaboration_id := v_collab;
      new.attributed_by := 'last_click';
    end if;
  end if;
  return new;
end;
$$;
comment on function private.attribute_conversion() is
  'Trigger: attributes a conversion to one collaboration (promo code, else last click within 30 days, else nobody).';

-- Trigger (row, before update of conversions): a conversion is attributed
-- once; its attribution and identity do not change afterwards (rule 8).
create function private.conversions_immutable()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'A conversion cannot be changed once recorded.'
    using errcode = '23514', table = 'conversions', hint = 'conversion_immutable';
end;
$$;
comment on function private.conversions_immutable() is 'Trigger: conversions are recorded once and never rewritten.';

-- The public redirect of a tracking link (/r/<code>), called as anon: the
-- destination stored for the code, and a click recorded for the visitor.
-- Null (nothing recorded) for a malformed or unknown code, a link without a
-- destination or a rejected collaboration: the route answers 404 and
-- redirects nowhere. The caller never supplies a URL.
create function tracking.collaboration_click(p_code text, p_visitor_id uuid)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_collab public.collaborations;
begin
  if p_code is null or p_code !~ '^[A-Za-z0-9_-]{8,32}$' then
    return null;
  end if;
  select * into v_collab from public.collaborations c
   where c.link_code = p_code and c.link_url is not null and c.status <> 'rejected';
  if not found then
    return null;
  end if;
  insert into public.collaboration_clicks (org_id, collaboration_id, visitor_id)
  values (v_collab.org_id, v_collab.id, p_visitor_id);
  return v_collab.link_url;
end;
$$;
comment on function tracking.collaboration_click(text, uuid) is
  'Tracking-link redirect: the stored https destination of a collaboration''s code, recording a click; null when unknown.';

revoke all on function private.collaboration_link_code() from public;
revoke all on function private.collaboration_refuse(text, text, text, text) from public;
revoke all on function private.collaborations_guard() from public;
revoke all on function private.collaborations_before_delete() from public;
revoke all on function private.collaboration_deliverables_guard() from public;
revoke all on function private.creative_assets_collaboration_guard() from public;
revoke all on function private.collaboration_products_guard() from public;
revoke all on function private.collaborations_after_write() from public;
revoke all on function private.collaborations_after_delete() from public;
revoke all on function private.collaboration_products_after_update() from public;
revoke all on function private.attribute_conversion() from public;
revoke all on function private.conversions_immutable() from public;
revoke all on function tracking.collaboration_click(text, uuid) from public;
-- The column default runs as the writer.
grant execute on function private.collaboration_link_code() to authenticated, service_role;
grant execute on function tracking.collaboration_click(text, uuid) to anon, authenticated, service_role;

-- Section: triggers

create trigger collaborations_guard before insert or update on public.collaborations
  for each row execute function private.collaborations_guard();
create trigger collaborations_before_delete before delete on public.collaborations
  for each row execute function private.collaborations_before_delete();
create trigger collaborations_after_write after insert or update on public.collaborations
  for each row execute function private.collaborations_after_write();
create trigger collaborations_after_delete after delete on public.collaborations
  for each row execute function private.collaborations_after_delete();
create trigger collaboration_deliverables_guard before insert or update or delete on public.collaboration_deliverables
  for each row execute function private.collaboration_deliverables_guard();
create trigger creative_assets_collaboration_guard before insert or update of collaboration_id on public.creative_assets
  for each row execute function private.creative_assets_collaboration_guard();
create trigger collaboration_products_guard before insert or update on public.collaboration_products
  for each row execute function private.collaboration_products_guard();
create trigger collaboration_products_after_update after update on public.collaboration_products
  for each row execute function private.collaboration_products_after_update();
create trigger conversions_attribute before insert on public.conversions
  for each row execute function private.attribute_conversion();
create trigger conversions_immutable before update on public.conversions
  for each row execute function private.conversions_immutable();

-- Section: policies

alter table public.collaborations enable row level security;
alter table public.collaboration_deliverables enable row level security;
alter table public.collaboration_products enable row level security;
alter table public.collaboration_clicks enable row level security;
alter table public.conversions enable row level security;

create policy "Members can read their organization's collaborations"
  on public.collaborations for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Influencer managers can invite influencers to campaigns"
  on public.collaborations for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('influencers.write')));
create policy "Influencer managers can change collaborations"
  on public.collaborations for update to authenticated
  using (org_id in (select private.org_ids_with_permission('influencers.write')))
  with check (org_id in (select private.org_ids_with_permission('influencers.write')));
create policy "Influencer managers can delete collaborations"
  on public.collaborations for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('influencers.write')));

create policy "Members can read their organization's collaboration deliverables"
  on public.collaboration_deliverables for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Influencer managers can add deliverables"
  on public.collaboration_deliverables for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('influencers.write')));
create policy "Influencer managers can change deliverables"
  on public.collaboration_deliverables for update to authenticated
  using (org_id in (select private.org_ids_with_permission('influencers.write')))
  with check (org_id in (select private.org_ids_with_permission('influencers.write')));
create policy "Influencer managers can remove deliverables"
  on public.collaboration_deliverables for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('influencers.write')));

create policy "Members can read their organization's product seeding"
  on public.collaboration_products for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Influencer managers can choose products to seed"
  on public.collaboration_products for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('influencers.write')));
create policy "Influencer managers can track product seeding"
  on public.collaboration_products for update to authenticated
  using (org_id in (select private.org_ids_with_permission('influencers.write')))
  with check (org_id in (select private.org_ids_with_permission('influencers.write')));
create policy "Influencer managers can remove products not yet sent"
  on public.collaboration_products for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('influencers.write')) and status = 'chosen');

create policy "Members can read their organization's link clicks"
  on public.collaboration_clicks for select to authenticated
  using (org_id in (select private.user_org_ids()));

create policy "Members can read their organization's conversions"
  on public.conversions for select to authenticated
  using (org_id in (select private.user_org_ids()));

-- Section: grants
-- Clicks are written by tracking.collaboration_click(), conversions by the
-- service role (a shop's webhook); neither by API clients.

revoke all on public.collaborations, public.collaboration_deliverables, public.collaboration_products,
  public.collaboration_clicks, public.conversions from anon, authenticated;
grant select, delete on public.collaborations to authenticated;
grant insert (org_id, campaign_id, influencer_id, rate_amount, rate_currency, note, link_url, promo_code),
  update (rate_amount, rate_currency, status, note, link_url, promo_code)
  on public.collaborations to authenticated;
grant select, delete on public.collaboration_deliverables to authenticated;
grant insert (org_id, campaign_id, collaboration_id, requirement_id, count), update (count)
  on public.collaboration_deliverables to authenticated;
grant select, delete on public.collaboration_products to authenticated;
grant insert (org_id, collaboration_id, product_id, quantity), update (quantity, status, tracking_number, carrier)
  on public.collaboration_products to authenticated;
grant select on public.collaboration_clicks, public.conversions to authenticated;
grant insert (collaboration_id) on public.creative_assets to authenticated;
