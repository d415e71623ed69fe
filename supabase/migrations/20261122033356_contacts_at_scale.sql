-- Feature: contacts at a million (follows 20261122013033_contacts_bulk_paths.sql).
-- Measured with bench/contacts.ts (1M contacts in an organization, 2M in the table):
--   * an import wrote one contact.created (or contact.updated, tag.added)
--     event per row: a million events rows, their three indexes and the
--     automation routing cost more than the contacts themselves. An import now
--     records one contacts.imported event; automations that should act on
--     imported people follow segment.entered, which the segment refresh after
--     the import records per contact.
--   * counts under RLS ran on one core: the policy helpers were not marked
--     parallel safe, so no query calling them could use parallel workers.
--     They only read, so they are.
--   * a search first asks how common its term is (search_contacts_probe):
--     looking up a common term in the trigram index cost more than the page.
--   * segment event rules ("did X within N days") read every matching event
--     row from the heap; the type index now carries the subject, so they are
--     answered from the index alone.

-- Section: functions

-- Whether the contact triggers record per-contact events: not inside the
-- worker's import (which records one contacts.imported instead). The setting
-- is honoured only for the worker's roles: an API role cannot turn events off.
create function private.contact_events_wanted()
returns boolean
language sql
stable
parallel safe
set search_path = ''
as $$
  select current_setting('growthdesk.importing', true) is distinct from 'on'
      or coalesce(current_setting('role', true), '') in ('authenticated', 'anon', 'none', '');
$$;
comment on function private.contact_events_wanted() is 'False inside a worker import, where one contacts.imported event stands for the rows.';
-- Executable by everyone: trigger WHEN clauses run as the writing role.

alter function private.user_org_ids() parallel safe;
alter function private.org_ids_with_permission(text) parallel safe;
alter function private.co_member_ids() parallel safe;
alter function private.has_permission(uuid, text) parallel safe;
alter function private.member_role(uuid) parallel safe;

-- Up to p_limit ids of an organization's contacts whose name, email, phone or
-- company contains a term, or null when the term is broad (dense among the
-- newest contacts, or more matches than p_limit): for a broad term, walking
-- the list's sort index and filtering finds a page sooner. Replaces
-- search_contact_ids, which always looked the term up in the trigram index: a
-- common term's posting lists cost more than the page itself.
-- The index is asked for the term's longest word only ("0012" of "6 0012"):
-- short words such as the "6" every French mobile number carries bring
-- trigrams that match every row. strpos then checks the whole term.
-- Security definer for the reason search_contact_ids was (LIKE is not
-- leakproof, so under RLS the trigram index cannot be used); membership is
-- checked here and the caller's query still runs under RLS.
create function public.search_contacts_probe(p_org_id uuid, p_term text, p_limit integer)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
-- Never a sequential scan: with a limit the planner may bet on finding
-- matches early in one, and a sparse term (the only kind that gets there) loses.
set enable_seqscan = off
as $$
declare
  term text := lower(p_term);
  word text := (select w from regexp_split_to_table(lower(p_term), '[^[:alnum:]]+') w order by char_length(w) desc limit 1);
  lookup text;
  ids uuid[];
begin
  if p_org_id is null or not exists (select 1 from private.user_org_ids() o where o = p_org_id) then
    return '{}';
  end if;
  -- Density among the newest 2,000: one match in 200 or more means a page of
  -- 50 is found within ~10,000 rows of the sort index.
  if (select count(*) from (select c.search from public.contacts c
                             where c.org_id = p_org_id order by c.created_at desc, c.id desc limit 2000) s
       where strpos(s.search, term) > 0) >= 10 then
    return null;
  end if;
  lookup := '%' || replace(replace(replace(case when char_length(word) >= 3 then word else term end,
    '\', '\\'), '%', '\%'), '_', '\_') || '%';
  select array_agg(x.id) into ids
    from (select c.id from public.contacts c
           where c.org_id = p_org_id and c.search like lookup and strpos(c.search, term) > 0
           limit greatest(p_limit, 0) + 1) x;
  if cardinality(ids) > p_limit then
    return null;
  end if;
  return coalesce(ids, '{}');
end;
$$;
comment on function public.search_contacts_probe(uuid, text, integer) is 'Contacts of an organization matching a search term (at most p_limit), or null for a broad term (members only).';
revoke all on function public.search_contacts_probe(uuid, text, integer) from public, anon;
grant execute on function public.search_contacts_probe(uuid, text, integer) to authenticated;

drop function public.search_contact_ids(uuid, text, integer);

-- Section: triggers

drop trigger contacts_after_insert on public.contacts;
create trigger contacts_after_insert after insert on public.contacts
  referencing new table as new_rows
  for each statement when (private.contact_events_wanted()) execute function private.contacts_after_insert();
drop trigger contacts_after_update on public.contacts;
create trigger contacts_after_update after update on public.contacts
  referencing old table as old_rows new table as new_rows
  for each statement when (private.contact_events_wanted()) execute function private.contacts_after_update();
drop trigger contact_tags_after_insert on public.contact_tags;
create trigger contact_tags_after_insert after insert on public.contact_tags
  referencing new table as new_rows
  for each statement when (private.contact_events_wanted()) execute function private.contact_tags_events();

-- Section: indexes

create index events_org_id_type_subject_idx on public.events (org_id, type, occurred_at desc)
  include (subject_type, subject_id);
drop index public.events_org_id_type_idx;
