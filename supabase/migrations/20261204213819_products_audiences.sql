-- Feature: the product catalogue and reusable audiences (issue 14, parts 4 and 6).
--   * products: what an organization sells and promotes in campaigns: name,
--     SKU (unique per organization, case-insensitively), description, a price
--     (numeric, ISO 4217 currency beside it), an image (a Storage object path
--     under the organization's folder) and an archive flag. Managed by holders
--     of the new `campaigns.products` permission.
--   * audiences: who a campaign targets, reusable across an organization's
--     campaigns: age ranges, genders, countries (ISO 3166-1), regions
--     (ISO 3166-2), cities, languages (ISO 639-1) and interests from a fixed
--     taxonomy (public.interests, seeded here); for message campaigns the
--     segments to include and exclude (audience_segments), whose reach on a
--     channel public.segments_reach() counts with the same consent rules as
--     public.contact_can_send(). Managed with `campaigns.write`.
--   * `campaigns.review` ("Review creatives") is added to the catalogue for
--     the creative review that lands with campaigns.
-- Changes to products and audiences are written to the audit log.

-- Section: types

-- Age brackets as ad platforms report them.
create type public.audience_age_range as enum ('13-17', '18-24', '25-34', '35-44', '45-54', '55-64', '65+');

create type public.audience_gender as enum ('female', 'male', 'non_binary');

-- Section: functions (code lists; the app keeps the same lists in src/lib/iso.ts)

-- ISO 4217 currencies in use as money (no funds, metals or withdrawn codes).
create function private.iso_currencies()
returns text[]
language sql
immutable
parallel safe
set search_path = ''
as $$
  select array[
    'AED','AFN','ALL','AMD','AOA','ARS','AUD','AWG','AZN','BAM','BBD','BDT','BGN','BHD','BIF','BMD',
    'BND','BOB','BRL','BSD','BTN','BWP','BYN','BZD','CAD','CDF','CHF','CLP','CNY','COP','CRC','CUP',
    'CVE','CZK','DJF','DKK','DOP','DZD','EGP','ERN','ETB','EUR','FJD','FKP','GBP','GEL','GHS','GIP',
    'GMD','GNF','GTQ','GYD','HKD','HNL','HTG','HUF','IDR','ILS','INR','IQD','IRR','ISK','JMD','JOD',
    'JPY','KES','KGS','KHR','KMF','KPW','KRW','KWD','KYD','KZT','LAK','LBP','LKR','LRD','LSL','LYD',
    'MAD','MDL','MGA','MKD','MMK','MNT','MOP','MRU','MUR','MVR','MWK','MXN','MYR','MZN','NAD','NGN',
    'NIO','NOK','NPR','NZD','OMR','PAB','PEN','PGK','PHP','PKR','PLN','PYG','QAR','RON','RSD','RUB',
    'RWF','SAR','SBD','SCR','SDG','SEK','SGD','SHP','SLE','SOS','SRD','SSP','STN','SVC','SYP','SZL',
    'THB','TJS','TMT','TND','TOP','TRY','TTD','TWD','TZS','UAH','UGX','USD','UYU','UZS','VED','VES',
    'VND','VUV','WST','XAF','XCD','XCG','XOF','XPF','YER','ZAR','ZMW','ZWG'  ]::text[];
$$;
comment on function private.iso_currencies() is 'ISO 4217 currency codes a price or budget may use (same list as src/lib/iso.ts).';

-- ISO 3166-1 alpha-2 country codes (officially assigned).
create function private.iso_countries()
returns text[]
language sql
immutable
parallel safe
set search_path = ''
as $$
  select array[
    'AD','AE','AF','AG','AI','AL','AM','AO','AQ','AR','AS','AT','AU','AW','AX','AZ',
    'BA','BB','BD','BE','BF','BG','BH','BI','BJ','BL','BM','BN','BO','BQ','BR','BS',
    'BT','BV','BW','BY','BZ','CA','CC','CD','CF','CG','CH','CI','CK','CL','CM','CN',
    'CO','CR','CU','CV','CW','CX','CY','CZ','DE','DJ','DK','DM','DO','DZ','EC','EE',
    'EG','EH','ER','ES','ET','FI','FJ','FK','FM','FO','FR','GA','GB','GD','GE','GF',
    'GG','GH','GI','GL','GM','GN','GP','GQ','GR','GS','GT','GU','GW','GY','HK','HM',
    'HN','HR','HT','HU','ID','IE','IL','IM','IN','IO','IQ','IR','IS','IT','JE','JM',
    'JO','JP','KE','KG','KH','KI','KM','KN','KP','KR','KW','KY','KZ','LA','LB','LC',
    'LI','LK','LR','LS','LT','LU','LV','LY','MA','MC','MD','ME','MF','MG','MH','MK',
    'ML','MM','MN','MO','MP','MQ','MR','MS','MT','MU','MV','MW','MX','MY','MZ','NA',
    'NC','NE','NF','NG','NI','NL','NO','NP','NR','NU','NZ','OM','PA','PE','PF','PG',
    'PH','PK','PL','PM','PN','PR','PS','PT','PW','PY','QA','RE','RO','RS','RU','RW',
    'SA','SB','SC','SD','SE','SG','SH','SI','SJ','SK','SL','SM','SN','SO','SR','SS',
    'ST','SV','SX','SY','SZ','TC','TD','TF','TG','TH','TJ','TK','TL','TM','TN','TO',
    'TR','TT','TV','TW','TZ','UA','UG','UM','US','UY','UZ','VA','VC','VE','VG','VI',
    'VN','VU','WF','WS','YE','YT','ZA','ZM','ZW'  ]::text[];
$$;
comment on function private.iso_countries() is 'ISO 3166-1 alpha-2 country codes (same list as src/lib/iso.ts).';

-- ISO 639-1 language codes (current, no withdrawn ones).
create function private.iso_languages()
returns text[]
language sql
immutable
parallel safe
set search_path = ''
as $$
  select array[
    'aa','ab','ae','af','ak','am','an','ar','as','av','ay','az','ba','be','bg','bi',
    'bm','bn','bo','br','bs','ca','ce','ch','co','cr','cs','cu','cv','cy','da','de',
    'dv','dz','ee','el','en','eo','es','et','eu','fa','ff','fi','fj','fo','fr','fy',
    'ga','gd','gl','gn','gu','gv','ha','he','hi','ho','hr','ht','hu','hy','hz','ia',
    'id','ie','ig','ii','ik','io','is','it','iu','ja','jv','ka','kg','ki','kj','kk',
    'kl','km','kn','ko','kr','ks','ku','kv','kw','ky','la','lb','lg','li','ln','lo',
    'lt','lu','lv','mg','mh','mi','mk','ml','mn','mr','ms','mt','my','na','nb','nd',
    'ne','ng','nl','nn','no','nr','nv','ny','oc','oj','om','or','os','pa','pi','pl',
    'ps','pt','qu','rm','rn','ro','ru','rw','sa','sc','sd','se','sg','si','sk','sl',
    'sm','sn','so','sq','sr','ss','st','su','sv','sw','ta','te','tg','th','ti','tk',
    'tl','tn','to','tr','ts','tt','tw','ty','ug','uk','ur','uz','ve','vi','vo','wa',
    'wo','xh','yi','yo','za','zh','zu'  ]::text[];
$$;
comment on function private.iso_languages() is 'ISO 639-1 language codes (same list as src/lib/iso.ts).';

-- Whether every region is an ISO 3166-2 subdivision code of a known country
-- (the format and the country part; subdivision lists change too often to pin).
create function private.iso_regions_ok(p_regions text[])
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  select coalesce(bool_and(r ~ '^[A-Z]{2}-[A-Z0-9]{1,3}$' and left(r, 2) = any(private.iso_countries())), true)
    from unnest(p_regions) r;
$$;
comment on function private.iso_regions_ok(text[]) is 'True when every element is an ISO 3166-2 code of a known country.';

-- Whether every element of a list of names is trimmed, non-empty and short.
create function private.short_names_ok(p_names text[], p_max integer)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  select coalesce(bool_and(n is not null and n = btrim(n) and char_length(n) between 1 and p_max), true)
    from unnest(p_names) n;
$$;
comment on function private.short_names_ok(text[], integer) is 'True when every name is trimmed, non-empty and at most p_max characters.';

-- Whether an array holds no value twice.
create function private.distinct_ok(p_values anyarray)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  select cardinality(p_values) = (select count(distinct v) from unnest(p_values) v);
$$;
comment on function private.distinct_ok(anyarray) is 'True when no element of the array is repeated.';

-- Section: tables

-- The fixed taxonomy of interests audiences pick from (global, read-only):
-- top-level groups and their topics, keyed `group` or `group.topic`.
create table public.interests (
  key text primary key check (key ~ '^[a-z_]+(\.[a-z_]+)?$'),
  parent_key text references public.interests (key),
  label text not null check (char_length(label) between 1 and 60),
  position integer not null default 0,
  constraint interests_parent_check check ((parent_key is null) = (key !~ '\.')
    and (parent_key is null or key like parent_key || '.%'))
);
create index interests_parent_key_idx on public.interests (parent_key);
comment on table public.interests is 'Interest taxonomy for audience targeting; global, seeded by migrations, read-only through the API.';

-- The organization's product catalogue.
create table public.products (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 200),
  -- Letters, digits and - _ . / (no spaces); unique per organization, case-insensitively.
  sku text not null constraint products_sku_format check (sku ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$'),
  description text not null default '' check (char_length(description) <= 2000),
  price numeric(12, 2) not null constraint products_price_check check (price >= 0),
  currency text not null constraint products_currency_check check (currency = any(private.iso_currencies())),
  -- A Storage object path under the organization's folder (`<org_id>/…`).
  image_path text constraint products_image_path_check check (image_path is null
    or (image_path like org_id::text || '/%' and char_length(image_path) <= 1024 and image_path !~ '(^|/)\.\.(/|$)')),
  archived_at timestamptz,
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint products_org_id_id_key unique (org_id, id)
);
create unique index products_org_id_sku_key on public.products (org_id, lower(sku));
create index products_org_id_name_idx on public.products (org_id, lower(name), id);
create index products_created_by_idx on public.products (created_by);
comment on table public.products is 'Product catalogue of an organization: SKU unique per organization (case-insensitive), price with ISO 4217 currency.';

-- A reusable target audience: demographics, places, languages and interests
-- (influencer campaigns) and, through audience_segments, the contacts a
-- message campaign reaches. Empty lists mean "anyone".
create table public.audiences (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  description text not null default '' check (char_length(description) <= 500),
  age_ranges public.audience_age_range[] not null default '{}'
    constraint audiences_age_ranges_check check (private.distinct_ok(age_ranges)),
  genders public.audience_gender[] not null default '{}'
    constraint audiences_genders_check check (private.distinct_ok(genders)),
  countries text[] not null default '{}'
    constraint audiences_countries_check check (countries <@ private.iso_countries() and private.distinct_ok(countries)),
  regions text[] not null default '{}'
    constraint audiences_regions_check check (cardinality(regions) <= 100 and private.iso_regions_ok(regions)
      and private.distinct_ok(regions)),
  cities text[] not null default '{}'
    constraint audiences_cities_check check (cardinality(cities) <= 100 and private.short_names_ok(cities, 100)
      and private.distinct_ok(cities)),
  languages text[] not null default '{}'
    constraint audiences_languages_check check (languages <@ private.iso_languages() and private.distinct_ok(languages)),
  -- Keys of public.interests, checked by a trigger (an array cannot hold foreign keys).
  interests text[] not null default '{}'
    constraint audiences_interests_check check (cardinality(interests) <= 100 and private.distinct_ok(interests)),
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint audiences_org_id_name_key unique (org_id, name),
  constraint audiences_org_id_id_key unique (org_id, id)
);
create index audiences_created_by_idx on public.audiences (created_by);
comment on table public.audiences is 'Reusable target audiences of an organization (demographics, locations, languages, interests; segments in audience_segments).';

-- The segments an audience includes or excludes (message campaigns). Both
-- sides belong to one organization (composite foreign keys).
create table public.audience_segments (
  org_id uuid not null,
  audience_id uuid not null,
  segment_id uuid not null,
  excluded boolean not null default false,
  primary key (org_id, audience_id, segment_id),
  foreign key (org_id, audience_id) references public.audiences (org_id, id) on delete cascade,
  foreign key (org_id, segment_id) references public.segments (org_id, id) on delete cascade
);
create index audience_segments_segment_idx on public.audience_segments (org_id, segment_id);
comment on table public.audience_segments is 'Segments an audience includes (excluded = false) or excludes (excluded = true).';

-- Section: functions

-- How many contacts of an organization a message on a channel reaches: members
-- of any included segment (everyone when none is included), minus members of
-- any excluded segment, who may be messaged on that channel (the rules of
-- public.contact_can_send: not erased; email: subscribed with an address and
-- no withdrawn consent; SMS/WhatsApp: a phone and an explicit grant).
-- Security invoker: RLS decides which contacts the caller may count.
create function public.segments_reach(
  p_org_id uuid,
  p_include uuid[],
  p_exclude uuid[],
  p_channel public.consent_channel
)
returns bigint
language sql
stable
set search_path = ''
as $$
  select count(*)
    from public.contacts c
   where c.org_id = p_org_id
     and c.erased_at is null
     and case when p_channel = 'email' then c.status = 'subscribed' and c.email is not null
              else c.phone is not null end
     and (coalesce(cardinality(p_include), 0) = 0
          or exists (select 1 from public.segment_memberships m
                      where m.org_id = p_org_id and m.contact_id = c.id and m.segment_id = any(p_include)))
     and not exists (select 1 from public.segment_memberships m
                      where m.org_id = p_org_id and m.contact_id = c.id
                        and m.segment_id = any(coalesce(p_exclude, '{}')))
     and coalesce((select r.status = 'granted' from public.consent_records r
                    where r.org_id = c.org_id and r.contact_id = c.id and r.channel = p_channel
                    order by r.recorded_at desc, r.id desc limit 1),
                  p_channel = 'email');
$$;
comment on function public.segments_reach(uuid, uuid[], uuid[], public.consent_channel) is
  'Contacts reached on a channel by included minus excluded segments, with consent (as contact_can_send).';

-- The reach of a saved audience on a channel.
create function public.audience_reach(p_audience_id uuid, p_channel public.consent_channel)
returns bigint
language sql
stable
set search_path = ''
as $$
  select public.segments_reach(a.org_id,
           array(select s.segment_id from public.audience_segments s
                  where s.org_id = a.org_id and s.audience_id = a.id and not s.excluded),
           array(select s.segment_id from public.audience_segments s
                  where s.org_id = a.org_id and s.audience_id = a.id and s.excluded),
           p_channel)
    from public.audiences a
   where a.id = p_audience_id;
$$;
comment on function public.audience_reach(uuid, public.consent_channel) is 'Contacts a saved audience reaches on a channel, with consent.';

-- Trigger (row, audiences): every interest is one of the taxonomy's keys.
create function private.audiences_check_interests()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  unknown text;
begin
  select i into unknown from unnest(new.interests) i
   where not exists (select 1 from public.interests t where t.key = i) limit 1;
  if unknown is not null then
    raise exception 'The interest "%" is not in the list.', left(unknown, 60)
      using errcode = '23514', column = 'interests', hint = 'unknown_interest';
  end if;
  return new;
end;
$$;
comment on function private.audiences_check_interests() is 'Trigger: refuses interests that are not keys of public.interests.';

-- Trigger (row, products): created, changed, archived/restored, deleted.
create function private.audit_products()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.audit_write(new.org_id, 'products.insert', 'products', new.id::text, null,
      jsonb_build_object('name', new.name, 'sku', new.sku, 'price', new.price, 'currency', new.currency));
  elsif tg_op = 'DELETE' then
    perform private.audit_write(old.org_id, 'products.delete', 'products', old.id::text,
      jsonb_build_object('name', old.name, 'sku', old.sku, 'price', old.price, 'currency', old.currency), null);
  elsif (new.name, new.sku, new.description, new.price, new.currency, new.image_path, new.archived_at)
        is distinct from (old.name, old.sku, old.description, old.price, old.currency, old.image_path, old.archived_at) then
    perform private.audit_write(new.org_id, 'products.update', 'products', new.id::text,
      jsonb_build_object('name', old.name, 'sku', old.sku, 'price', old.price, 'currency', old.currency,
                         'archived_at', old.archived_at),
      jsonb_build_object('name', new.name, 'sku', new.sku, 'price', new.price, 'currency', new.currency,
                         'archived_at', new.archived_at));
  end if;
  return null;
end;
$$;
comment on function private.audit_products() is 'Trigger: audit entries for products created, changed, archived and deleted.';

-- Trigger (row, audiences): created, changed, deleted (names only; targeting
-- is summarised as "changed").
create function private.audit_audiences()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.audit_write(new.org_id, 'audiences.insert', 'audiences', new.id::text, null,
      jsonb_build_object('name', new.name, 'description', new.description));
  elsif tg_op = 'DELETE' then
    perform private.audit_write(old.org_id, 'audiences.delete', 'audiences', old.id::text,
      jsonb_build_object('name', old.name, 'description', old.description), null);
  elsif (new.name, new.description, new.age_ranges, new.genders, new.countries, new.regions, new.cities,
         new.languages, new.interests)
        is distinct from (old.name, old.description, old.age_ranges, old.genders, old.countries, old.regions,
         old.cities, old.languages, old.interests) then
    perform private.audit_write(new.org_id, 'audiences.update', 'audiences', new.id::text,
      jsonb_build_object('name', old.name, 'description', old.description),
      jsonb_build_object('name', new.name, 'description', new.description,
        'targeting_changed', (new.age_ranges, new.genders, new.countries, new.regions, new.cities,
          new.languages, new.interests) is distinct from (old.age_ranges, old.genders, old.countries,
          old.regions, old.cities, old.languages, old.interests)));
  end if;
  return null;
end;
$$;
comment on function private.audit_audiences() is 'Trigger: audit entries for audiences created, changed and deleted.';

-- Section: triggers

create trigger products_set_updated_at before update on public.products
  for each row execute function private.set_updated_at();
create trigger audiences_set_updated_at before update on public.audiences
  for each row execute function private.set_updated_at();
create trigger audiences_check_interests before insert or update of interests on public.audiences
  for each row execute function private.audiences_check_interests();
create trigger products_audit after insert or update or delete on public.products
  for each row execute function private.audit_products();
create trigger audiences_audit after insert or update or delete on public.audiences
  for each row execute function private.audit_audiences();

-- Section: policies

alter table public.interests enable row level security;
alter table public.products enable row level security;
alter table public.audiences enable row level security;
alter table public.audience_segments enable row level security;

create policy "Signed-in users can read the interest taxonomy"
  on public.interests for select to authenticated using (true);

create policy "Members can read their organization's products"
  on public.products for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Product managers can add products"
  on public.products for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('campaigns.products')));
create policy "Product managers can change products"
  on public.products for update to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.products')))
  with check (org_id in (select private.org_ids_with_permission('campaigns.products')));
create policy "Product managers can delete products"
  on public.products for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.products')));

create policy "Members can read their organization's audiences"
  on public.audiences for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Campaign editors can add audiences"
  on public.audiences for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));
create policy "Campaign editors can change audiences"
  on public.audiences for update to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.write')))
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));
create policy "Campaign editors can delete audiences"
  on public.audiences for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.write')));

create policy "Members can read their organization's audience segments"
  on public.audience_segments for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Campaign editors can add segments to audiences"
  on public.audience_segments for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));
create policy "Campaign editors can include or exclude audience segments"
  on public.audience_segments for update to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.write')))
  with check (org_id in (select private.org_ids_with_permission('campaigns.write')));
create policy "Campaign editors can remove segments from audiences"
  on public.audience_segments for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('campaigns.write')));

-- Section: grants

revoke all on function private.iso_currencies() from public;
revoke all on function private.iso_countries() from public;
revoke all on function private.iso_languages() from public;
revoke all on function private.iso_regions_ok(text[]) from public;
revoke all on function private.short_names_ok(text[], integer) from public;
revoke all on function private.distinct_ok(anyarray) from public;
revoke all on function private.audiences_check_interests() from public;
revoke all on function private.audit_products() from public;
revoke all on function private.audit_audiences() from public;
revoke all on function public.segments_reach(uuid, uuid[], uuid[], public.consent_channel) from public, anon;
revoke all on function public.audience_reach(uuid, public.consent_channel) from public, anon;
-- The checks run as whoever writes a row.
grant execute on function private.iso_currencies(), private.iso_countries(), private.iso_languages(),
  private.iso_regions_ok(text[]), private.short_names_ok(text[], integer), private.distinct_ok(anyarray)
  to authenticated, service_role;
grant execute on function public.segments_reach(uuid, uuid[], uuid[], public.consent_channel) to authenticated, service_role;
grant execute on function public.audience_reach(uuid, public.consent_channel) to authenticated, service_role;

revoke all on public.interests, public.products, public.audiences, public.audience_segments from anon, authenticated;
grant select on public.interests to authenticated;
grant select, delete on public.products to authenticated;
grant insert (org_id, name, sku, description, price, currency, image_path, archived_at),
  update (name, sku, description, price, currency, image_path, archived_at) on public.products to authenticated;
grant select, delete on public.audiences to authenticated;
grant insert (org_id, name, description, age_ranges, genders, countries, regions, cities, languages, interests),
  update (name, description, age_ranges, genders, countries, regions, cities, languages, interests)
  on public.audiences to authenticated;
grant select, delete on public.audience_segments to authenticated;
grant insert (org_id, audience_id, segment_id, excluded), update (excluded) on public.audience_segments to authenticated;

-- Section: data

insert into public.permissions (name, description) values
  ('campaigns.products', 'Manage products'),
  ('campaigns.review', 'Review creatives');

insert into public.base_role_permissions (role, permission) values
  ('owner', 'campaigns.products'),
  ('admin', 'campaigns.products'),
  ('member', 'campaigns.products'),
  ('owner', 'campaigns.review'),
  ('admin', 'campaigns.review');

insert into public.interests (key, parent_key, label, position) values
  ('fashion', null, 'Fashion', 1),
  ('fashion.womenswear', 'fashion', 'Womenswear', 1),
  ('fashion.menswear', 'fashion', 'Menswear', 2),
  ('fashion.streetwear', 'fashion', 'Streetwear', 3),
  ('fashion.accessories', 'fashion', 'Shoes and accessories', 4),
  ('fashion.sustainable', 'fashion', 'Sustainable fashion', 5),
  ('beauty', null, 'Beauty', 2),
  ('beauty.makeup', 'beauty', 'Make-up', 1),
  ('beauty.skincare', 'beauty', 'Skincare', 2),
  ('beauty.haircare', 'beauty', 'Haircare', 3),
  ('beauty.fragrance', 'beauty', 'Fragrance', 4),
  ('food', null, 'Food and drink', 3),
  ('food.cooking', 'food', 'Cooking and recipes', 1),
  ('food.coffee', 'food', 'Coffee and tea', 2),
  ('food.vegan', 'food', 'Vegan and plant-based', 3),
  ('food.restaurants', 'food', 'Restaurants', 4),
  ('food.wine', 'food', 'Wine and spirits', 5),
  ('fitness', null, 'Health and fitness', 4),
  ('fitness.running', 'fitness', 'Running', 1),
  ('fitness.yoga', 'fitness', 'Yoga', 2),
  ('fitness.gym', 'fitness', 'Gym and strength', 3),
  ('fitness.nutrition', 'fitness', 'Nutrition', 4),
  ('fitness.wellbeing', 'fitness', 'Wellbeing', 5),
  ('outdoors', null, 'Outdoors', 5),
  ('outdoors.hiking', 'outdoors', 'Hiking', 1),
  ('outdoors.camping', 'outdoors', 'Camping', 2),
  ('outdoors.cycling', 'outdoors', 'Cycling', 3),
  ('outdoors.climbing', 'outdoors', 'Climbing', 4),
  ('outdoors.water', 'outdoors', 'Water sports', 5),
  ('travel', null, 'Travel', 6),
  ('travel.city_breaks', 'travel', 'City breaks', 1),
  ('travel.adventure', 'travel', 'Adventure travel', 2),
  ('travel.luxury', 'travel', 'Luxury travel', 3),
  ('travel.family', 'travel', 'Family travel', 4),
  ('tech', null, 'Technology', 7),
  ('tech.gadgets', 'tech', 'Gadgets', 1),
  ('tech.gaming', 'tech', 'Gaming', 2),
  ('tech.photography', 'tech', 'Photography', 3),
  ('tech.software', 'tech', 'Apps and software', 4),
  ('home', null, 'Home and living', 8),
  ('home.interior', 'home', 'Interior design', 1),
  ('home.garden', 'home', 'Gardening', 2),
  ('home.diy', 'home', 'DIY', 3),
  ('family', null, 'Family', 9),
  ('family.parenting', 'family', 'Parenting', 1),
  ('family.pets', 'family', 'Pets', 2),
  ('culture', null, 'Arts and culture', 10),
  ('culture.music', 'culture', 'Music', 1),
  ('culture.film', 'culture', 'Film and TV', 2),
  ('culture.books', 'culture', 'Books', 3),
  ('culture.art', 'culture', 'Art and design', 4),
  ('sports', null, 'Sports', 11),
  ('sports.football', 'sports', 'Football', 1),
  ('sports.tennis', 'sports', 'Tennis', 2),
  ('sports.motorsport', 'sports', 'Motorsport', 3),
  ('finance', null, 'Money and business', 12),
  ('finance.investing', 'finance', 'Investing', 1),
  ('finance.entrepreneurs', 'finance', 'Entrepreneurship', 2);
