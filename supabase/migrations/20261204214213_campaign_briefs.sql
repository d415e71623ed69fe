-- Feature: a campaign's products, audiences and creative brief (issue 14,
-- parts 4–6, the campaign side).
--   * campaign_products: products a campaign promotes or seeds, with a
--     quantity (> 0) and a discount (0–100 %). The unit price and currency are
--     copied from the catalogue when the line is added (a later price change
--     does not rewrite a campaign's history); the line total is a generated
--     column and campaign_product_totals sums them per campaign and currency.
--   * campaign_audiences: the organization's audiences a campaign targets.
--   * creative_requirements: the brief: what to deliver (type, platform,
--     format or aspect ratio, how many, by when, guidelines, hashtags and
--     mentions, which kinds of file are accepted).
--   * creative_assets and creative_asset_versions: files uploaded into the
--     `campaign-creatives` bucket (under `<org id>/<campaign id>/…`) against a
--     requirement, versioned; each version is reviewed pending → approved or
--     changes requested by holders of campaigns.review, once. An approved
--     version cannot be changed or deleted, whoever writes (service role too).
--   * creative_comments: threaded comments on a version.
--   * creative_requirement_progress: per requirement, how many deliverables
--     are approved, waiting or sent back, and how many are still missing.
--   * The wizard's audience, creative and products sections are applied to
--     these tables when a campaign is submitted (a trigger on
--     campaign_submissions), in the submission's transaction.
-- Events creative.submitted / creative.approved / creative.changes_requested
-- go to the outbox; review decisions and product lines are audited.

-- Section: types

create type public.creative_review_status as enum ('pending', 'approved', 'changes_requested');

-- Section: functions (checks used by the tables)

-- Whether every element of a list matches a pattern, with no element twice.
create function private.tokens_ok(p_values text[], p_pattern text)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  select coalesce(bool_and(v ~ p_pattern), true) and private.distinct_ok(p_values)
    from unnest(p_values) v;
$$;
comment on function private.tokens_ok(text[], text) is 'True when every element matches the pattern and none is repeated (hashtags, mentions).';

-- Section: tables

-- A product on a campaign: quantity, discount, and the price it was added at.
create table public.campaign_products (
  org_id uuid not null,
  campaign_id uuid not null,
  product_id uuid not null,
  quantity integer not null constraint campaign_products_quantity_check check (quantity > 0 and quantity <= 1000000),
  discount_percent numeric(5, 2) not null default 0
    constraint campaign_products_discount_percent_check check (discount_percent >= 0 and discount_percent <= 100),
  -- Copied from the product when the line is added (a trigger), so totals keep their history.
  unit_price numeric(12, 2) not null check (unit_price >= 0),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  line_total numeric(20, 2) generated always as (round(unit_price * quantity * (100 - discount_percent) / 100, 2)) stored,
  position smallint not null default 0 check (position between 0 and 999),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (campaign_id, product_id),
  foreign key (org_id, campaign_id) references public.campaigns (org_id, id) on delete cascade,
  -- A product on a campaign is archived, not deleted.
  foreign key (org_id, product_id) references public.products (org_id, id)
);
create index campaign_products_org_id_campaign_id_idx on public.campaign_products (org_id, campaign_id, position);
create index campaign_products_product_idx on public.campaign_products (org_id, product_id);
comment on table public.campaign_products is 'Products of a campaign: quantity, discount 0–100 %, unit price copied from the catalogue, line total computed.';

-- The audiences a campaign targets.
create table public.campaign_audiences (
  org_id uuid not null,
  campaign_id uuid not null,
  audience_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (campaign_id, audience_id),
  foreign key (org_id, campaign_id) references public.campaigns (org_id, id) on delete cascade,
  foreign key (org_id, audience_id) references public.audiences (org_id, id)
);
create index campaign_audiences_org_id_campaign_id_idx on public.campaign_audiences (org_id, campaign_id);
create index campaign_audiences_audience_idx on public.campaign_audiences (org_id, audience_id);
comment on table public.campaign_audiences is 'Audiences a campaign targets (an audience in use is kept: delete refused).';

-- One line of a campaign's creative brief.
create table public.creative_requirements (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  campaign_id uuid not null,
  position smallint not null default 0 check (position between 0 and 99),
  deliverable text not null constraint creative_requirements_deliverable_check check (deliverable in (
    'post', 'story', 'reel', 'short_video', 'long_video', 'live', 'photo', 'carousel', 'blog_post',
    'email', 'sms', 'whatsapp', 'banner', 'other')),
  platform text not null constraint creative_requirements_platform_check check (platform in (
    'instagram', 'tiktok', 'youtube', 'facebook', 'x', 'linkedin', 'pinterest', 'snapchat', 'twitch',
    'blog', 'email', 'sms', 'whatsapp', 'website', 'other')),
  -- An aspect ratio (9:16) or a format in words (A4 PDF, 1080×1080 PNG).
  format text not null default '' constraint creative_requirements_format_check check (char_length(format) <= 60),
  count smallint not null default 1 constraint creative_requirements_count_check check (count between 1 and 100),
  due_on date,
  guidelines text not null default '' constraint creative_requirements_guidelines_check check (char_length(guidelines) <= 5000),
  hashtags text[] not null default '{}' constraint creative_requirements_hashtags_check check (
    cardinality(hashtags) <= 30 and private.tokens_ok(hashtags, '^#[[:alnum:]_]{1,100}$')),
  mentions text[] not null default '{}' constraint creative_requirements_mentions_check check (
    cardinality(mentions) <= 30 and private.tokens_ok(mentions, '^@[A-Za-z0-9._]{1,100}$')),
  -- The kinds of file accepted: image, video, audio, pdf (empty: any the bucket takes).
  accepted_kinds text[] not null default '{}' constraint creative_requirements_accepted_kinds_check check (
    accepted_kinds <@ array['image', 'video', 'audio', 'pdf']::text[]),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint creative_requirements_org_id_id_key unique (org_id, id),
  constraint creative_requirements_campaign_id_id_key unique (campaign_id, id),
  foreign key (org_id, campaign_id) references public.campaigns (org_id, id) on delete cascade
);
create index creative_requirements_org_id_campaign_id_idx on public.creative_requirements (org_id, campaign_id, position);
comment on table public.creative_requirements is 'The creative brief of a campaign: one line per kind of deliverable.';

-- One deliverable submitted against a requirement; its files are its versions.
create table public.creative_assets (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  campaign_id uuid not null,
  requirement_id uuid not null,
  title text not null check (char_length(btrim(title)) between 1 and 200),
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  constraint creative_assets_org_id_id_key unique (org_id, id),
  foreign key (org_id, campaign_id) references public.campaigns (org_id, id) on delete cascade,
  -- The requirement is of the same campaign; a requirement with deliverables is kept.
  foreign key (campaign_id, requirement_id) references public.creative_requirements (campaign_id, id)
);
create index creative_assets_org_id_campaign_id_idx on public.creative_assets (org_id, campaign_id, created_at);
create index creative_assets_requirement_idx on public.creative_assets (campaign_id, requirement_id);
create index creative_assets_created_by_idx on public.creative_assets (created_by);
comment on table public.creative_assets is 'A deliverable of a campaign''s brief; its uploads are creative_asset_versions.';

-- One uploaded file of a deliverable and its review.
create table public.creative_asset_versions (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  asset_id uuid not null,
  version integer not null check (version > 0),
  -- The object's name in the `campaign-creatives` bucket: `<org id>/<campaign id>/…`.
  storage_path text not null constraint creative_asset_versions_storage_path_check check (
    char_length(storage_path) <= 1024 and storage_path like org_id::text || '/%'
    and storage_path !~ '(^|/)\.\.(/|$)'),
  file_name text not null check (char_length(btrim(file_name)) between 1 and 255),
  mime_type text not null constraint creative_asset_versions_mime_type_check check (mime_type ~ '^[a-z]+/[A-Za-z0-9.+-]{1,100}$'),
  size_bytes bigint not null check (size_bytes >= 0 and size_bytes <= 1073741824),
  note text not null default '' check (char_length(note) <= 2000),
  status public.creative_review_status not null default 'pending',
  submitted_by uuid default auth.uid() references auth.users (id) on delete set null,
  submitted_at timestamptz not null default now(),
  reviewed_by uuid references auth.users (id) on delete set null,
  reviewed_at timestamptz,
  constraint creative_asset_versions_asset_id_version_key unique (asset_id, version),
  constraint creative_asset_versions_org_id_id_key unique (org_id, id),
  constraint creative_asset_versions_reviewed_check check ((status = 'pending') = (reviewed_at is null)),
  foreign key (org_id, asset_id) references public.creative_assets (org_id, id) on delete cascade
);
create index creative_asset_versions_org_id_asset_id_idx on public.creative_asset_versions (org_id, asset_id, version desc);
create index creative_asset_versions_org_id_status_idx on public.creative_asset_versions (org_id, status, submitted_at);
create index creative_asset_versions_submitted_by_idx on public.creative_asset_versions (submitted_by);
create index creative_asset_versions_reviewed_by_idx on public.creative_asset_versions (reviewed_by);
comment on table public.creative_asset_versions is 'Versions of a creative deliverable, each reviewed once; an approved version is immutable.';

-- Threaded comments on a version (a reply names its parent).
create table public.creative_comments (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  version_id uuid not null,
  parent_id uuid,
  body text not null check (char_length(btrim(body)) between 1 and 5000),
  author_id uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  constraint creative_comments_version_id_id_key unique (version_id, id),
  foreign key (org_id, version_id) references public.creative_asset_versions (org_id, id) on delete cascade,
  -- A reply is on the same version as the comment it answers.
  foreign key (version_id, parent_id) references public.creative_comments (version_id, id) on delete cascade
);
create index creative_comments_org_id_version_idx on public.creative_comments (org_id, version_id, created_at);
create index creative_comments_parent_idx on public.creative_comments (version_id, parent_id);
create index creative_comments_author_idx on public.creative_comments (author_id);
comment on table public.creative_comments is 'Threaded review comments on a creative version.';

-- Section: views

-- A campaign's product totals per currency: units, list value, discount and total.
create view public.campaign_product_totals with (security_invoker = true) as
select p.org_id, p.campaign_id, p.currency,
       count(*)::integer as lines,
       sum(p.quantity)::bigint as units,
       sum(round(p.unit_price * p.quantity, 2))::numeric(20, 2) as subtotal,
       (sum(round(p.unit_price * p.quantity, 2)) - sum(p.line_total))::numeric(20, 2) as discount,
       sum(p.line_total)::numeric(20, 2) as total
  from public.campaign_products p
 group by p.org_id, p.campaign_id, p.currency;
comment on view public.campaign_product_totals is 'Totals of a campaign''s products per currency, computed by the database (RLS of campaign_products applies).';

-- What the brief still misses: per requirement, deliverables whose latest
-- version is approved, waiting for review or sent back, and how many are missing.
create view public.creative_requirement_progress with (security_invoker = true) as
select r.org_id, r.campaign_id, r.id as requirement_id, r.count::integer as required,
       (count(*) filter (where l.status = 'approved'))::integer as approved,
       (count(*) filter (where l.status = 'pending'))::integer as pending,
       (count(*) filter (where l.status = 'changes_requested'))::integer as changes_requested,
       greatest(r.count - count(*) filter (where l.status = 'approved'), 0)::integer as missing
  from public.creative_requirements r
  left join public.creative_assets a on a.campaign_id = r.campaign_id and a.requirement_id = r.id
  left join lateral (select v.status from public.creative_asset_versions v
                      where v.org_id = a.org_id and v.asset_id = a.id
                      order by v.version desc limit 1) l on true
 group by r.org_id, r.campaign_id, r.id, r.count;
comment on view public.creative_requirement_progress is 'Per brief requirement: approved, pending and sent-back deliverables (latest version) and how many are missing.';

-- Section: functions

-- Raises a check violation on a column with a stable hint (for the app's field errors).
create function private.brief_refuse(p_table text, p_column text, p_message text, p_hint text)
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
comment on function private.brief_refuse(text, text, text, text) is 'Raises a 23514 naming the table and column, with a hint the app maps.';

-- Trigger (row, before insert on campaign_products): the price and currency
-- come from the catalogue; an archived product is not added to a campaign.
create function private.campaign_products_before_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  item public.products;
begin
  select * into item from public.products p where p.org_id = new.org_id and p.id = new.product_id;
  if not found then
    perform private.brief_refuse('campaign_products', 'product_id', 'Pick one of the organization''s products.', 'product_unknown');
  end if;
  if item.archived_at is not null then
    perform private.brief_refuse('campaign_products', 'product_id',
      format('"%s" is archived and cannot be added to a campaign.', item.name), 'product_archived');
  end if;
  new.unit_price := item.price;
  new.currency := item.currency;
  return new;
end;
$$;
comment on function private.campaign_products_before_insert() is 'Trigger: copies the product''s price and currency onto a campaign line; refuses archived products.';

-- Trigger (row, before insert on creative_asset_versions): numbers the
-- version (the asset row is locked, so two uploads get 1 and 2), starts it
-- pending, keeps the file under the campaign's folder and refuses a kind of
-- file the requirement does not accept.
create function private.creative_versions_before_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  asset public.creative_assets;
  kinds text[];
  kind text;
begin
  select * into asset from public.creative_assets a where a.org_id = new.org_id and a.id = new.asset_id for update;
  if not found then
    raise exception 'Deliverable not found.' using errcode = 'P0002', hint = 'asset_not_found';
  end if;
  if new.storage_path not like new.org_id::text || '/' || asset.campaign_id::text || '/%' then
    perform private.brief_refuse('creative_asset_versions', 'storage_path',
      'A creative is stored in its campaign''s folder.', 'creative_outside_campaign');
  end if;
  select r.accepted_kinds into kinds from public.creative_requirements r
   where r.campaign_id = asset.campaign_id and r.id = asset.requirement_id;
  kind := case when new.mime_type = 'application/pdf' then 'pdf' else split_part(new.mime_type, '/', 1) end;
  if cardinality(kinds) > 0 and not kind = any(kinds) then
    perform private.brief_refuse('creative_asset_versions', 'mime_type',
      format('This deliverable takes %s files, not %s.', array_to_string(kinds, ' or '), new.mime_type),
      'creative_wrong_type');
  end if;
  new.version := coalesce((select max(v.version) from public.creative_asset_versions v
                            where v.asset_id = new.asset_id), 0) + 1;
  new.status := 'pending';
  new.reviewed_by := null;
  new.reviewed_at := null;
  new.submitted_at := now();
  return new;
end;
$$;
comment on function private.creative_versions_before_insert() is 'Trigger: numbers a creative version, starts it pending, checks its folder and file kind.';

-- Trigger (row, before update on creative_asset_versions): a version is
-- reviewed once, pending → approved or changes requested, by a holder of
-- campaigns.review; its file never changes (a new version is uploaded
-- instead). An approved version cannot be changed by anyone.
create function private.creative_versions_before_update()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.status = 'approved' then
    perform private.brief_refuse('creative_asset_versions', 'status',
      'This version is approved and can no longer be changed; upload a new version instead.', 'creative_approved_locked');
  end if;
  if (new.org_id, new.asset_id, new.version, new.storage_path, new.file_name, new.mime_type, new.size_bytes,
      new.note, new.submitted_by, new.submitted_at)
     is distinct from (old.org_id, old.asset_id, old.version, old.storage_path, old.file_name, old.mime_type,
      old.size_bytes, old.note, old.submitted_by, old.submitted_at) then
    perform private.brief_refuse('creative_asset_versions', 'storage_path',
      'A version''s file cannot be replaced; upload a new version instead.', 'creative_version_immutable');
  end if;
  if old.status <> 'pending' then
    perform private.brief_refuse('creative_asset_versions', 'status',
      'This version has already been reviewed.', 'creative_already_reviewed');
  end if;
  if new.status not in ('approved', 'changes_requested') then
    perform private.brief_refuse('creative_asset_versions', 'status',
      'A review approves the version or asks for changes.', 'creative_review_invalid');
  end if;
  if (select auth.uid()) is not null and not private.has_permission(new.org_id, 'campaigns.review') then
    raise exception 'You do not have permission to review creatives.'
      using errcode = '42501', hint = 'creative_review_denied';
  end if;
  new.reviewed_by := coalesce((select auth.uid()), new.reviewed_by);
  new.reviewed_at := now();
  return new;
end;
$$;
comment on function private.creative_versions_before_update() is 'Trigger: one review per version (pending → approved / changes requested) by reviewers; approved versions are immutable.';

-- Trigger (row, before delete on creative_asset_versions and creative_assets):
-- an approved version stays, as does its deliverable, while the campaign
-- exists (deleting a campaign or organization still takes everything).
create function private.creative_keep_approved()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_table_name = 'creative_asset_versions' then
    if old.status = 'approved' and exists (select 1 from public.creative_assets a where a.id = old.asset_id) then
      perform private.brief_refuse('creative_asset_versions', 'status',
        'An approved version cannot be deleted.', 'creative_approved_locked');
    end if;
  elsif exists (select 1 from public.creative_asset_versions v where v.asset_id = old.id and v.status = 'approved')
        and exists (select 1 from public.campaigns c where c.id = old.campaign_id) then
    perform private.brief_refuse('creative_assets', 'id',
      'A deliverable with an approved version cannot be deleted.', 'creative_approved_locked');
  end if;
  return old;
end;
$$;
comment on function private.creative_keep_approved() is 'Trigger: approved versions and their deliverables cannot be deleted while their campaign exists.';

-- Trigger (row, after insert or update on creative_asset_versions): the
-- outbox events automations start on, and an audit entry per review.
create function private.creative_versions_events()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  asset public.creative_assets;
  payload jsonb;
begin
  select * into asset from public.creative_assets a where a.id = new.asset_id;
  payload := jsonb_build_object('campaign_id', asset.campaign_id, 'requirement_id', asset.requirement_id,
                                'version_id', new.id, 'version', new.version);
  if tg_op = 'INSERT' then
    perform private.record_event(new.org_id, 'creative.submitted', 'creative', new.asset_id, payload);
  elsif new.status is distinct from old.status then
    perform private.record_event(new.org_id,
      case new.status when 'approved' then 'creative.approved' else 'creative.changes_requested' end,
      'creative', new.asset_id, payload);
    perform private.audit_write(new.org_id, 'creative_asset_versions.update', 'creative_asset_versions',
      new.id::text, jsonb_build_object('title', asset.title, 'version', new.version, 'status', old.status),
      jsonb_build_object('title', asset.title, 'version', new.version, 'status', new.status));
  end if;
  return null;
end;
$$;
comment on function private.creative_versions_events() is 'Trigger: creative.submitted / approved / changes_requested events and review audit entries.';

-- Trigger (row, campaign_products): audit entries for product lines.
create function private.audit_campaign_products()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.audit_write(new.org_id, 'campaign_products.insert', 'campaign_products', new.campaign_id::text,
      null, jsonb_build_object('product_id', new.product_id, 'quantity', new.quantity, 'discount_percent', new.discount_percent));
  elsif tg_op = 'DELETE' then
    perform private.audit_write(old.org_id, 'campaign_products.delete', 'campaign_products', old.campaign_id::text,
      jsonb_build_object('product_id', old.product_id, 'quantity', old.quantity, 'discount_percent', old.discount_percent), null);
  elsif (new.quantity, new.discount_percent) is distinct from (old.quantity, old.discount_percent) then
    perform private.audit_write(new.org_id, 'campaign_products.update', 'campaign_products', new.campaign_id::text,
      jsonb_build_object('product_id', old.product_id, 'quantity', old.quantity, 'discount_percent', old.discount_percent),
      jsonb_build_object('product_id', new.product_id, 'quantity', new.quantity, 'discount_percent', new.discount_percent));
  end if;
  return null;
end;
$$;
comment on function private.audit_campaign_products() is 'Trigger: audit entries for a campaign''s product lines.';

-- Trigger (row, after insert on campaign_submissions): applies the submitted
-- audience, products and creative sections to campaign_audiences,
-- campaign_products and creative_requirements (only the sections the
-- campaign's kind has). Section shapes (written by the wizard's steps):
--   audience: { "audience_ids": [uuid…] }
--   products: { "lines": [{ "product_id", "quantity", "discount_percent" }…] }
--   creative: { "requirements": [{ "id", "deliverable", "platform", "format", "count",
--               "due_on", "guidelines", "hashtags", "mentions", "accepted_kinds" }…] }
-- Bad values fail the submission with the column named (the table's checks).
create function private.apply_campaign_brief()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_audience jsonb := new.snapshot -> 'audience';
  v_products jsonb := new.snapshot -> 'products';
  v_creative jsonb := new.snapshot -> 'creative';
  v_list jsonb;
begin
  if v_audience is not null then
    v_list := case when jsonb_typeof(v_audience -> 'audience_ids') = 'array' then v_audience -> 'audience_ids' else '[]' end;
    delete from public.campaign_audiences ca
     where ca.campaign_id = new.campaign_id
       and not exists (select 1 from jsonb_array_elements_text(v_list) x where x = ca.audience_id::text);
    insert into public.campaign_audiences (org_id, campaign_id, audience_id)
    select distinct new.org_id, new.campaign_id, x::uuid from jsonb_array_elements_text(v_list) x
    on conflict do nothing;
  end if;

  if v_products is not null then
    v_list := case when jsonb_typeof(v_products -> 'lines') = 'array' then v_products -> 'lines' else '[]' end;
    delete from public.campaign_products cp
     where cp.campaign_id = new.campaign_id
       and not exists (select 1 from jsonb_array_elements(v_list) l where l ->> 'product_id' = cp.product_id::text);
    insert into public.campaign_products (org_id, campaign_id, product_id, quantity, discount_percent, position,
                                          unit_price, currency)
    select new.org_id, new.campaign_id, (l.line ->> 'product_id')::uuid, (l.line ->> 'quantity')::integer,
           coalesce((l.line ->> 'discount_percent')::numeric, 0), (l.ord - 1)::smallint, 0, 'XXX'
      from jsonb_array_elements(v_list) with ordinality l (line, ord)
    on conflict (campaign_id, product_id) do update
       set quantity = excluded.quantity, discount_percent = excluded.discount_percent, position = excluded.position;
  end if;

  if v_creative is not null then
    v_list := case when jsonb_typeof(v_creative -> 'requirements') = 'array' then v_creative -> 'requirements' else '[]' end;
    delete from public.creative_requirements r
     where r.campaign_id = new.campaign_id
       and not exists (select 1 from jsonb_array_elements(v_list) x where x ->> 'id' = r.id::text);
    insert into public.creative_requirements (id, org_id, campaign_id, position, deliverable, platform, format, count,
                                              due_on, guidelines, hashtags, mentions, accepted_kinds)
    select coalesce((x.req ->> 'id')::uuid, gen_random_uuid()), new.org_id, new.campaign_id, (x.ord - 1)::smallint,
           x.req ->> 'deliverable', x.req ->> 'platform', coalesce(x.req ->> 'format', ''),
           coalesce((x.req ->> 'count')::smallint, 1), nullif(x.req ->> 'due_on', '')::date,
           coalesce(x.req ->> 'guidelines', ''),
           coalesce(array(select jsonb_array_elements_text(x.req -> 'hashtags')), '{}'),
           coalesce(array(select jsonb_array_elements_text(x.req -> 'mentions')), '{}'),
           coalesce(array(select jsonb_array_elements_text(x.req -> 'accepted_kinds')), '{}')
      from jsonb_array_elements(v_list) with ordinality x (req, ord)
    on conflict (id) do update
       set position = excluded.position, deliverable = excluded.deliverable, platform = excluded.platform,
           format = excluded.format, count = excluded.count, due_on = excluded.due_on,
           guidelines = excluded.guidelines, hashtags = excluded.hashtags, mentions = excluded.mentions,
           accepted_kinds = excluded.accepted_kinds
     where public.creative_requirements.campaign_id = new.campaign_id;
  end if;
  return null;
end;
$$;
comment on function private.apply_campaign_brief() is 'Trigger: applies a submission''s audience, products and creative sections to the campaign''s tables.';

-- Section: triggers

create trigger campaign_products_before_insert before insert on public.campaign_products
  for each row execute function private.campaign_products_before_insert();
create trigger campaign_products_set_updated_at before update on public.campaign_products
  for each row execute function private.set_updated_at();
create trigger creative_requirements_set_updated_at before update on public.creative_requirements
  for each row execute function private.set_updated_at();
-- Closed (completed or cancelled) campaigns keep their brief as it was.
create trigger campaign_products_campaign_guard before insert or update or delete on public.campaign_products
  for each row execute function private.campaign_children_guard();
create trigger campaign_audiences_campaign_guard before insert or update or delete on public.campaign_audiences
  for each row execute function private.campaign_children_guard();
create trigger creative_requirements_campaign_guard before insert or update or delete on public.creative_requirements
  for each row execute function private.campaign_children_guard();
create trigger creative_versions_before_insert before insert on public.creative_asset_versions
  for each row execute function private.creative_versions_before_insert();
create trigger creative_versions_before_update before update on public.creative_asset_versions
  for each row execute function private.creative_versions_before_update();
create trigger creative_versions_keep_approved before delete on public.creative_asset_versions
  for each row execute function private.creative_keep_approved();
create trigger creative_assets_keep_approved before delete on public.creative_assets
  for each row execute function private.creative_keep_approved();
create trigger creative_versions_events after insert or update on public.creative_asset_versions
  for each row execute function private.creative_versions_events();
create trigger campaign_products_audit after insert or update or delete on public.campaign_products
  for each row execute function private.audit_campaign_products();
create trigger campaign_submissions_apply_brief after insert on public.campaign_submissions
  for each row execute function private.apply_campaign_brief();

-- Section: policies

alter table public.campaign_products enable row level security;
alter table public.campaign_audiences enable row level security;
alter table public.creative_requirements enable row level security;
alter table public.creative_assets enable row level security;
alter table public.creative_asset_versions enable row level security;
alter table public.creative_comments enable row level security;

create policy "Members can read their organization's campaign products"
  on public.campaign_products for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Campaign editors can add products to campaigns"
  on public.campaign_products for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));
create policy "Campaign editors can change campaign products"
  on public.campaign_products for update to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.write')))
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));
create policy "Campaign editors can remove campaign products"
  on public.campaign_products for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.write')));

create policy "Members can read their organization's campaign audiences"
  on public.campaign_audiences for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Campaign editors can target audiences"
  on public.campaign_audiences for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));
create policy "Campaign editors can stop targeting audiences"
  on public.campaign_audiences for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.write')));

create policy "Members can read their organization's creative briefs"
  on public.creative_requirements for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Campaign editors can add brief requirements"
  on public.creative_requirements for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));
create policy "Campaign editors can change brief requirements"
  on public.creative_requirements for update to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.write')))
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));
create policy "Campaign editors can remove brief requirements"
  on public.creative_requirements for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.write')));

create policy "Members can read their organization's creatives"
  on public.creative_assets for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Campaign editors can add creatives"
  on public.creative_assets for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));
create policy "Campaign editors can rename creatives"
  on public.creative_assets for update to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.write')))
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));
create policy "Campaign editors can delete creatives"
  on public.creative_assets for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.write')));

create policy "Members can read their organization's creative versions"
  on public.creative_asset_versions for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Campaign editors can upload creative versions"
  on public.creative_asset_versions for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));
create policy "Reviewers can review creative versions"
  on public.creative_asset_versions for update to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.review')))
  with check (org_id in (select private.org_ids_with_permission('campaigns.review')));
create policy "Campaign editors can delete creative versions"
  on public.creative_asset_versions for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.write')));

create policy "Members can read comments on their organization's creatives"
  on public.creative_comments for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Campaign editors and reviewers can comment as themselves"
  on public.creative_comments for insert to authenticated
  with check (author_id = (select auth.uid())
              and (org_id in (select private.org_ids_with_permission('campaigns.write'))
                   or org_id in (select private.org_ids_with_permission('campaigns.review'))));
create policy "Authors can delete their comments"
  on public.creative_comments for delete to authenticated
  using (author_id = (select auth.uid()) and org_id in (select private.user_org_ids()));

-- Section: grants

revoke all on function private.tokens_ok(text[], text) from public;
revoke all on function private.brief_refuse(text, text, text, text) from public;
revoke all on function private.campaign_products_before_insert() from public;
revoke all on function private.creative_versions_before_insert() from public;
revoke all on function private.creative_versions_before_update() from public;
revoke all on function private.creative_keep_approved() from public;
revoke all on function private.creative_versions_events() from public;
revoke all on function private.audit_campaign_products() from public;
revoke all on function private.apply_campaign_brief() from public;
grant execute on function private.tokens_ok(text[], text) to authenticated, service_role;
grant execute on function private.brief_refuse(text, text, text, text) to authenticated, service_role;

revoke all on public.campaign_products, public.campaign_audiences, public.creative_requirements,
  public.creative_assets, public.creative_asset_versions, public.creative_comments,
  public.campaign_product_totals, public.creative_requirement_progress from anon, authenticated;
grant select on public.campaign_product_totals, public.creative_requirement_progress to authenticated;
grant select, delete on public.campaign_products to authenticated;
grant insert (org_id, campaign_id, product_id, quantity, discount_percent, position),
  update (quantity, discount_percent, position) on public.campaign_products to authenticated;
grant select, delete on public.campaign_audiences to authenticated;
grant insert (org_id, campaign_id, audience_id) on public.campaign_audiences to authenticated;
grant select, delete on public.creative_requirements to authenticated;
grant insert (id, org_id, campaign_id, position, deliverable, platform, format, count, due_on, guidelines,
              hashtags, mentions, accepted_kinds),
  update (position, deliverable, platform, format, count, due_on, guidelines, hashtags, mentions, accepted_kinds)
  on public.creative_requirements to authenticated;
grant select, delete on public.creative_assets to authenticated;
grant insert (org_id, campaign_id, requirement_id, title), update (title) on public.creative_assets to authenticated;
grant select, delete on public.creative_asset_versions to authenticated;
grant insert (org_id, asset_id, storage_path, file_name, mime_type, size_bytes, note),
  update (status) on public.creative_asset_versions to authenticated;
grant select, delete on public.creative_comments to authenticated;
grant insert (org_id, version_id, parent_id, body) on public.creative_comments to authenticated;
