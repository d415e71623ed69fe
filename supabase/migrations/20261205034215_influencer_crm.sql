-- Feature: the organization's influencer CRM. Each organization keeps its own
-- records of the influencers it works with, picked from the global
-- marketplace (linked by marketplace_influencer_id, name and handles copied)
-- or entered by hand, in a pipeline shown as a board: cold → active → final.
--
-- What belongs to whom: the marketplace (market's tables) is global and has no
-- personal contact details; the email, phone, notes, tags and owner an
-- organization records live here, under its RLS, never in the global tables.
--
-- The pipeline (enforced by a trigger for every writer, the service role too):
--   cold   → active   first reply / talks started
--   active → final    selected for the collaboration
--   active → cold     talks went quiet
--   final  → active   the selection was reopened
-- A record starts cold or active (someone already talking to the brand);
-- skipping a step (cold → final) or dropping a selection straight to cold
-- (final → cold) is refused: both lose the history of how talks went.
--
-- Board order: board_position is a numeric rank within (organization,
-- status). Moving a card sets its status and a position between its new
-- neighbours (their midpoint, exact in numeric), so a move is one row update;
-- move_influencer() does it in one call. A status change that names no
-- position puts the card at the top of its new column.
--
-- Events: influencer.created {source}, influencer.status_changed
-- {influencer_id, from, to}, influencer.updated {changed}. Outreach emails are
-- logged in influencer_outreach; a message marked sent stamps the record's
-- last_contacted_at.

-- Section: types

create type public.influencer_status as enum ('cold', 'active', 'final');

-- Section: tables

-- An organization's influencer record: who they are to this organization.
create table public.influencers (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  -- The marketplace influencer this record was added from (null: entered by hand).
  marketplace_influencer_id uuid references public.marketplace_influencers (id) on delete set null,
  name text not null check (char_length(btrim(name)) between 1 and 120),
  status public.influencer_status not null default 'cold',
  status_changed_at timestamptz not null default now(),
  -- Rank within the board column (organization, status). NaN (the default)
  -- means "not placed": the guard puts the card on top of its column.
  board_position numeric not null default 'NaN' check (board_position <> 'NaN'),
  owner_id uuid,
  tags text[] not null default '{}' constraint influencers_tags_check check (cardinality(tags) <= 30),
  notes text not null default '' check (char_length(notes) <= 10000),
  -- The organization's own contact details for this influencer.
  email text check (char_length(email) <= 254 and email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  phone text check (phone ~ '^\+?[0-9][0-9 ().-]{3,28}[0-9]$'),
  last_contacted_at timestamptz,
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint influencers_org_id_id_key unique (org_id, id),
  constraint influencers_org_id_marketplace_influencer_id_key unique (org_id, marketplace_influencer_id),
  foreign key (org_id, owner_id) references public.members (org_id, user_id) on delete set null (owner_id)
);
-- The board (a column in order), the table (newest, by name, by last
-- contact; keyset by id), filters by owner and tag, search by name.
create index influencers_board_idx on public.influencers (org_id, status, board_position, id);
create index influencers_org_id_created_at_idx on public.influencers (org_id, created_at desc, id desc);
create index influencers_org_id_name_idx on public.influencers (org_id, lower(name), id);
create index influencers_org_id_last_contacted_idx on public.influencers (org_id, last_contacted_at, id);
create index influencers_owner_idx on public.influencers (org_id, owner_id);
create index influencers_tags_idx on public.influencers using gin (tags);
create index influencers_name_search_idx on public.influencers using gin (name extensions.gin_trgm_ops);
create index influencers_marketplace_influencer_id_idx on public.influencers (marketplace_influencer_id);
create index influencers_created_by_idx on public.influencers (created_by);
comment on table public.influencers is 'An organization''s influencer records (CRM): pipeline status, owner, tags, notes, contact details, board order.';

-- The social accounts an organization records for an influencer, one per
-- platform; a handle is in an organization's CRM at most once per platform.
create table public.influencer_handles (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  influencer_id uuid not null,
  platform public.social_platform not null,
  -- Without the leading @; compared case-insensitively.
  handle text not null check (handle ~ '^[^\s@/]{1,100}$'),
  profile_url text check (char_length(profile_url) <= 500 and profile_url ~ '^https?://[^\s]+$'),
  -- The marketplace profile it was copied from (the record links to it).
  marketplace_profile_id uuid references public.marketplace_profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  constraint influencer_handles_influencer_id_platform_key unique (influencer_id, platform),
  foreign key (org_id, influencer_id) references public.influencers (org_id, id) on delete cascade
);
create unique index influencer_handles_org_id_handle_key
  on public.influencer_handles (org_id, platform, lower(handle));
create index influencer_handles_org_id_influencer_id_idx on public.influencer_handles (org_id, influencer_id);
create index influencer_handles_marketplace_profile_id_idx on public.influencer_handles (marketplace_profile_id);
comment on table public.influencer_handles is 'An organization''s handles of an influencer, one per platform, unique per organization.';

-- Each outreach email sent from an influencer's record. The row is written
-- (status sending) before the mail goes out and marked sent or failed after,
-- so a crash in between leaves "sending" (unknown), never a silent gap.
create table public.influencer_outreach (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  influencer_id uuid not null,
  template_id uuid references public.message_templates (id) on delete set null,
  -- The template's name when sent (the history still reads after it is deleted).
  template_name text check (char_length(template_name) <= 120),
  subject text not null check (char_length(btrim(subject)) between 1 and 300),
  to_email text not null check (char_length(to_email) <= 254 and to_email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  status text not null default 'sending' check (status in ('sending', 'sent', 'failed')),
  error text check (char_length(error) <= 500),
  sent_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  foreign key (org_id, influencer_id) references public.influencers (org_id, id) on delete cascade
);
create index influencer_outreach_influencer_idx on public.influencer_outreach (org_id, influencer_id, created_at desc);
create index influencer_outreach_template_id_idx on public.influencer_outreach (template_id);
create index influencer_outreach_sent_by_idx on public.influencer_outreach (sent_by);
comment on table public.influencer_outreach is 'Outreach emails sent from an influencer record: template, subject, recipient, when, and whether it went out.';

-- Section: functions

-- Raises a refusal on an influencer column with a stable hint the app maps.
create function private.influencer_refuse(p_errcode text, p_table text, p_column text, p_message text, p_hint text)
returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception '%', p_message
    using errcode = p_errcode, table = p_table, column = p_column,
          constraint = p_table || '_' || p_column || '_check', hint = p_hint;
end;
$$;
comment on function private.influencer_refuse(text, text, text, text, text) is 'Raises an error naming the influencer column at fault (for the app''s field messages).';

-- The top of a board column: the position a card put there takes.
create function private.influencer_column_top(p_org_id uuid, p_status public.influencer_status)
returns numeric
language sql
set search_path = ''
as $$
  -- Volatile: each row of a bulk move sees the cards moved before it.
  select coalesce(min(i.board_position) - 1, 0)
    from public.influencers i where i.org_id = p_org_id and i.status = p_status;
$$;
comment on function private.influencer_column_top(uuid, public.influencer_status) is 'The board position just above the first card of a column.';

-- Trigger (row, before insert or update of influencers): the pipeline, the
-- board position of a card entering a column, tidy tags.
create function private.influencers_guard()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    if new.status = 'final' then
      perform private.influencer_refuse('23514', 'influencers', 'status',
        'A new influencer starts as Cold or Active.', 'influencer_transition_refused');
    end if;
    if new.board_position is null or new.board_position = 'NaN' then
      new.board_position := private.influencer_column_top(new.org_id, new.status);
    end if;
    new.status_changed_at := now();
  else
    if new.org_id is distinct from old.org_id then
      perform private.influencer_refuse('23514', 'influencers', 'org_id',
        'An influencer cannot move to another organization.', 'influencer_field_locked');
    end if;
    if new.status is distinct from old.status then
      if not ((old.status, new.status) in (
          ('cold', 'active'), ('active', 'final'), ('active', 'cold'), ('final', 'active'))) then
        perform private.influencer_refuse('23514', 'influencers', 'status',
          format('An influencer cannot go from %s to %s; the pipeline goes Cold → Active → Final.',
                 initcap(old.status::text), initcap(new.status::text)),
          'influencer_transition_refused');
      end if;
      new.status_changed_at := now();
      -- Moved by a status change alone (a bulk action): top of the new column.
      if new.board_position = old.board_position then
        new.board_position := private.influencer_column_top(new.org_id, new.status);
      end if;
    end if;
    new.updated_at := now();
  end if;

  new.name := btrim(new.name);
  new.email := nullif(lower(btrim(new.email)), '');
  new.phone := nullif(btrim(new.phone), '');
  -- Tags: trimmed, no blanks, no duplicates (ignoring case), first spelling kept.
  if new.tags is not null and (tg_op = 'INSERT' or new.tags is distinct from old.tags) then
    if exists (select 1 from unnest(new.tags) t where char_length(btrim(t)) > 40) then
      perform private.influencer_refuse('23514', 'influencers', 'tags',
        'A tag has at most 40 characters.', 'tag_too_long');
    end if;
    new.tags := coalesce((
      select array_agg(t order by first_at)
        from (select distinct on (lower(btrim(x.t))) btrim(x.t) as t, x.n as first_at
                from unnest(new.tags) with ordinality x (t, n)
               where btrim(x.t) <> ''
               order by lower(btrim(x.t)), x.n) d), '{}');
  end if;
  return new;
end;
$$;
comment on function private.influencers_guard() is 'Trigger: the influencer pipeline (cold → active → final), board position on entering a column, tidy tags; for every writer.';

-- Trigger (row, after insert/update of influencers): the events automations
-- and webhooks start from.
create function private.influencers_events()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  before_row jsonb;
  after_row jsonb;
  watched text[] := array['name', 'owner_id', 'tags', 'notes', 'email', 'phone', 'last_contacted_at',
                          'marketplace_influencer_id'];
  changed text[];
begin
  if tg_op = 'INSERT' then
    perform private.record_event(new.org_id, 'influencer.created', 'influencer', new.id,
      jsonb_build_object('source', case when new.marketplace_influencer_id is null then 'manual' else 'marketplace' end,
                         'status', new.status));
    return null;
  end if;
  if new.status is distinct from old.status then
    perform private.record_event(new.org_id, 'influencer.status_changed', 'influencer', new.id,
      jsonb_build_object('influencer_id', new.id, 'from', old.status, 'to', new.status));
  end if;
  before_row := to_jsonb(old);
  after_row := to_jsonb(new);
  select array_agg(k) into changed from unnest(watched) k where before_row -> k is distinct from after_row -> k;
  if changed is not null then
    perform private.record_event(new.org_id, 'influencer.updated', 'influencer', new.id,
      jsonb_build_object('changed', to_jsonb(changed)));
  end if;
  return null;
end;
$$;
comment on function private.influencers_events() is 'Trigger: records influencer.created, influencer.status_changed and influencer.updated.';

-- Trigger (row, influencers): audit entries for records created, deleted, and
-- changes of the columns people ask about (name, status, owner, contact details).
create function private.audit_influencers()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  before_row jsonb;
  after_row jsonb;
  watched text[] := array['name', 'status', 'owner_id', 'email', 'phone'];
  changed text[];
begin
  if tg_op = 'INSERT' then
    perform private.audit_write(new.org_id, 'influencers.insert', 'influencers', new.id::text, null,
      jsonb_build_object('name', new.name, 'status', new.status));
  elsif tg_op = 'DELETE' then
    perform private.audit_write(old.org_id, 'influencers.delete', 'influencers', old.id::text,
      jsonb_build_object('name', old.name, 'status', old.status), null);
  else
    before_row := to_jsonb(old);
    after_row := to_jsonb(new);
    select array_agg(k) into changed from unnest(watched) k where before_row -> k is distinct from after_row -> k;
    if changed is not null then
      perform private.audit_write(new.org_id, 'influencers.update', 'influencers', new.id::text,
        (select jsonb_object_agg(k, before_row -> k) from unnest(changed) k) || jsonb_build_object('name', old.name),
        (select jsonb_object_agg(k, after_row -> k) from unnest(changed) k) || jsonb_build_object('name', new.name));
    end if;
  end if;
  return null;
end;
$$;
comment on function private.audit_influencers() is 'Trigger: audit entries for influencer records created, changed and deleted.';

-- Trigger (row, before insert or update of influencer_handles): the handle
-- without its @, and a duplicate refused with the record that has it (the
-- unique index stays the guard against races; this names the other record).
create function private.influencer_handles_guard()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  holder text;
begin
  new.handle := regexp_replace(btrim(coalesce(new.handle, '')), '^@+', '');
  new.profile_url := nullif(btrim(new.profile_url), '');
  if tg_op = 'UPDATE' and (new.org_id, new.influencer_id) is distinct from (old.org_id, old.influencer_id) then
    perform private.influencer_refuse('23514', 'influencer_handles', 'influencer_id',
      'A handle cannot move to another influencer.', 'influencer_field_locked');
  end if;
  -- Run as the writer: only a record the writer can read is named.
  select i.name into holder
    from public.influencer_handles h join public.influencers i on i.id = h.influencer_id
   where h.org_id = new.org_id and h.platform = new.platform and lower(h.handle) = lower(new.handle)
     and h.id <> new.id;
  if holder is not null then
    raise exception 'The % handle @% is already in your CRM (%).', initcap(new.platform::text), new.handle, holder
      using errcode = '23505', table = 'influencer_handles', column = 'handle',
            constraint = 'influencer_handles_org_id_handle_key', hint = 'handle_taken';
  end if;
  return new;
end;
$$;
comment on function private.influencer_handles_guard() is 'Trigger: strips the @ of a handle and refuses one already in the organization''s CRM, naming the record.';

-- Trigger (row, before insert or update of influencer_outreach): a message is
-- logged as sending, then marked sent or failed once; history never changes.
create function private.influencer_outreach_guard()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    if new.status <> 'sending' then
      perform private.influencer_refuse('23514', 'influencer_outreach', 'status',
        'An outreach message is logged before it is sent.', 'outreach_transition_refused');
    end if;
    new.sent_at := null;
  else
    if old.status <> 'sending' or new.status = 'sending'
       or (new.org_id, new.influencer_id, new.template_id, new.subject, new.to_email, new.created_at)
          is distinct from (old.org_id, old.influencer_id, old.template_id, old.subject, old.to_email, old.created_at) then
      perform private.influencer_refuse('23514', 'influencer_outreach', 'status',
        'A sent or failed outreach message cannot be changed.', 'outreach_transition_refused');
    end if;
    new.sent_at := case when new.status = 'sent' then now() end;
  end if;
  return new;
end;
$$;
comment on function private.influencer_outreach_guard() is 'Trigger: outreach messages go sending → sent or failed, once.';

-- Trigger (row, after update of influencer_outreach): a message sent stamps
-- the record's last contact (the writer may not set that column itself).
create function private.influencer_outreach_after_update()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.status = 'sent' and old.status <> 'sent' then
    update public.influencers i
       set last_contacted_at = greatest(coalesce(i.last_contacted_at, new.sent_at), new.sent_at)
     where i.id = new.influencer_id and i.org_id = new.org_id;
  end if;
  return null;
end;
$$;
comment on function private.influencer_outreach_after_update() is 'Trigger: stamps last_contacted_at on the influencer when an outreach message is sent.';

-- Moves a card on the board: into p_status, right after p_after_id (null:
-- the top of the column). One row update, run as the caller (RLS applies).
-- Returns the new position.
create function public.move_influencer(
  p_influencer_id uuid,
  p_status public.influencer_status,
  p_after_id uuid default null
)
returns numeric
language plpgsql
set search_path = ''
as $$
declare
  target public.influencers;
  prev_pos numeric;
  next_pos numeric;
  new_pos numeric;
begin
  select * into target from public.influencers i where i.id = p_influencer_id for update;
  if not found then
    raise exception 'Influencer not found.' using errcode = 'P0002', hint = 'influencer_not_found';
  end if;
  if p_after_id is not null then
    select i.board_position into prev_pos from public.influencers i
     where i.id = p_after_id and i.org_id = target.org_id and i.status = p_status and i.id <> target.id;
    if not found then
      perform private.influencer_refuse('22023', 'influencers', 'board_position',
        'The card to drop after is not in that column any more; reload the board.', 'board_neighbour_moved');
    end if;
    select min(i.board_position) into next_pos from public.influencers i
     where i.org_id = target.org_id and i.status = p_status and i.id <> target.id
       and (i.board_position, i.id) > (prev_pos, p_after_id);
  else
    select min(i.board_position) into next_pos from public.influencers i
     where i.org_id = target.org_id and i.status = p_status and i.id <> target.id;
  end if;
  new_pos := case
    when prev_pos is null and next_pos is null then 0
    when prev_pos is null then next_pos - 1
    when next_pos is null then prev_pos + 1
    -- Exact midpoint (numeric multiplication does not round).
    else (prev_pos + next_pos) * 0.5 end;
  update public.influencers i set status = p_status, board_position = new_pos where i.id = target.id;
  return new_pos;
end;
$$;
comment on function public.move_influencer(uuid, public.influencer_status, uuid) is 'Moves a board card into a column after another card (null: top), in one row update; RLS applies.';

revoke all on function private.influencer_refuse(text, text, text, text, text) from public;
revoke all on function private.influencer_column_top(uuid, public.influencer_status) from public;
revoke all on function private.influencers_guard() from public;
revoke all on function private.influencers_events() from public;
revoke all on function private.audit_influencers() from public;
revoke all on function private.influencer_handles_guard() from public;
revoke all on function private.influencer_outreach_guard() from public;
revoke all on function private.influencer_outreach_after_update() from public;
revoke all on function public.move_influencer(uuid, public.influencer_status, uuid) from public, anon;
-- The guards run as the writer.
grant execute on function private.influencer_refuse(text, text, text, text, text) to authenticated, service_role;
grant execute on function private.influencer_column_top(uuid, public.influencer_status) to authenticated, service_role;
grant execute on function public.move_influencer(uuid, public.influencer_status, uuid) to authenticated, service_role;

-- Section: triggers

create trigger influencers_guard before insert or update on public.influencers
  for each row execute function private.influencers_guard();
create trigger influencers_events after insert or update on public.influencers
  for each row execute function private.influencers_events();
create trigger audit_influencers after insert or update or delete on public.influencers
  for each row execute function private.audit_influencers();
create trigger influencer_handles_guard before insert or update on public.influencer_handles
  for each row execute function private.influencer_handles_guard();
create trigger influencer_outreach_guard before insert or update on public.influencer_outreach
  for each row execute function private.influencer_outreach_guard();
create trigger influencer_outreach_after_update after update on public.influencer_outreach
  for each row execute function private.influencer_outreach_after_update();

-- Section: policies
alter table public.influencers enable row level security;
alter table public.influencer_handles enable row level security;
alter table public.influencer_outreach enable row level security;

create policy "Members can read their organization's influencers"
  on public.influencers for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Influencer managers can add influencers"
  on public.influencers for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('influencers.write')));
create policy "Influencer managers can change influencers"
  on public.influencers for update to authenticated
  using (org_id in (select private.org_ids_with_permission('influencers.write')))
  with check (org_id in (select private.org_ids_with_permission('influencers.write')));
create policy "Influencer managers can delete influencers"
  on public.influencers for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('influencers.write')));

create policy "Members can read their organization's influencer handles"
  on public.influencer_handles for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Influencer managers can add handles"
  on public.influencer_handles for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('influencers.write')));
create policy "Influencer managers can change handles"
  on public.influencer_handles for update to authenticated
  using (org_id in (select private.org_ids_with_permission('influencers.write')))
  with check (org_id in (select private.org_ids_with_permission('influencers.write')));
create policy "Influencer managers can delete handles"
  on public.influencer_handles for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('influencers.write')));

create policy "Members can read their organization's outreach history"
  on public.influencer_outreach for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Influencer managers can log outreach they send"
  on public.influencer_outreach for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('influencers.write')));
create policy "Influencer managers can mark outreach sent or failed"
  on public.influencer_outreach for update to authenticated
  using (org_id in (select private.org_ids_with_permission('influencers.write')))
  with check (org_id in (select private.org_ids_with_permission('influencers.write')));

-- Section: grants
-- last_contacted_at is stamped by outreach only; outreach is history (no delete).
revoke all on public.influencers, public.influencer_handles, public.influencer_outreach from anon, authenticated;

grant select, delete on public.influencers to authenticated;
grant insert (org_id, marketplace_influencer_id, name, status, board_position, owner_id, tags, notes, email, phone)
  on public.influencers to authenticated;
grant update (name, status, board_position, owner_id, tags, notes, email, phone)
  on public.influencers to authenticated;
grant select, delete on public.influencer_handles to authenticated;
grant insert (org_id, influencer_id, platform, handle, profile_url, marketplace_profile_id),
  update (handle, profile_url) on public.influencer_handles to authenticated;
grant select on public.influencer_outreach to authenticated;
grant insert (org_id, influencer_id, template_id, template_name, subject, to_email),
  update (status, error) on public.influencer_outreach to authenticated;
