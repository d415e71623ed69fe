-- Search: a term with many matches, none of them among the newest contacts.
--
-- search_contacts_probe answered such a term with null ("broad"), and the
-- list then walked its sort index from the top: "6 0012" (10,000 phone
-- numbers, all far down the list) walked 120,000 rows, ~75 ms. Given the
-- list's order, the probe now returns the first matches in that order
-- instead: the trigram index finds every match (a bitmap, ~5 ms for 23,000
-- candidates), and a top-N sort keeps the first p_limit + 1. The list reads
-- its page from those ids, and only walks when its other filters leave the
-- page short.

-- Section: functions

drop function public.search_contacts_probe(uuid, text, integer);

-- Ids of an organization's contacts whose name, email, phone or company
-- contains a term (members only):
--   * null when the term is broad (dense among the newest contacts): walking
--     the list's sort index and filtering finds a page sooner;
--   * given the list's order (p_sort, p_desc) and its cursor value (p_after):
--     every match from the cursor on when there are at most p_limit, else the
--     first p_limit + 1 in that order (ties and null emails included: the
--     caller applies the exact cursor);
--   * without an order: every match when there are at most p_limit, else null.
-- The index is asked for the term's longest word only ("0012" of "6 0012"):
-- short words such as the "6" every French mobile number carries bring
-- trigrams that match every row. strpos then checks the whole term.
-- The lookups read the trigram index alone, then filter by organization
-- (`offset 0` keeps the organization out of the scan), so the trigram bitmap
-- is the only plan left: without the fence, one benchmark run took 155 ms for
-- "6 0012" where the runs before and after took ~30 ms (the plan was not
-- captured; ANDing in a bitmap of the organization's million rows would cost
-- about that).
-- Security definer because LIKE is not leakproof, so under RLS the trigram
-- index cannot be used; membership is checked here and the caller's query
-- still runs under RLS.
create function public.search_contacts_probe(
  p_org_id uuid,
  p_term text,
  p_limit integer,
  p_sort text default null,
  p_desc boolean default true,
  p_after text default null
)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
-- Never a sequential scan: with a limit the planner may bet on finding
-- matches early in one, and a sparse term (the only kind that gets there) loses.
set enable_seqscan = off
-- Restored on exit: turned off below for the ordered lookup only.
set enable_indexscan = on
as $$
declare
  term text := lower(p_term);
  word text := (select w from regexp_split_to_table(lower(p_term), '[^[:alnum:]]+') w order by char_length(w) desc limit 1);
  lookup text;
  ids uuid[];
  sort_key text;
  sort_type text;
  cursor_condition text := '';
  candidates text;
  direction text := case when p_desc then 'desc' else 'asc' end;
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
  if p_sort is null then
    select array_agg(m.id) into ids
      from (select c.id, c.org_id, c.search from public.contacts c where c.search like lookup offset 0) m
     where m.org_id = p_org_id and strpos(m.search, term) > 0
     limit greatest(p_limit, 0) + 1;
    return case when coalesce(cardinality(ids), 0) <= p_limit then coalesce(ids, '{}') end;
  end if;

  -- The list's own sort keys (contacts/list.ts), never the caller's text.
  case p_sort
    when 'created_at' then sort_key := 'c.created_at'; sort_type := 'timestamptz';
    when 'updated_at' then sort_key := 'c.updated_at'; sort_type := 'timestamptz';
    when 'name' then sort_key := 'c.sort_name'; sort_type := 'text';
    when 'email' then sort_key := 'lower(c.email::text)'; sort_type := 'text';
    else raise exception 'unknown contact sort: %', p_sort using errcode = '22023';
  end case;
  -- From the cursor's value on, a little wide: the caller applies the exact
  -- cursor (the id tie-break, and where null emails sort).
  if p_after is not null then
    cursor_condition := case
      when p_sort = 'email' and not p_desc then 'and (m.sort_key >= $5 or m.email is null)'
      when p_desc then format('and m.sort_key <= $5::%s', sort_type)
      else format('and m.sort_key >= $5::%s', sort_type)
    end;
  end if;
  candidates := format('select c.id, c.org_id, c.search, c.email, %s as sort_key
                          from public.contacts c where c.search like $2 offset 0', sort_key);
  -- Every match from the trigram bitmap, then a top-N sort: the planner,
  -- unable to estimate LIKE '%…%', would otherwise walk the sort index, as the
  -- list did.
  perform set_config('enable_indexscan', 'off', true);
  execute format(
    'select array(select m.id from (%s) m
                   where m.org_id = $1 and strpos(m.search, $3) > 0 %s
                   order by m.sort_key %s, m.id %s limit $4)',
    candidates, cursor_condition, direction, direction)
    into ids using p_org_id, lookup, term, greatest(p_limit, 0) + 1, p_after;
  return ids;
end;
$$;
comment on function public.search_contacts_probe(uuid, text, integer, text, boolean, text) is 'Contacts of an organization matching a search term: all of them (at most p_limit), the first p_limit + 1 in a list order, or null for a broad term (members only).';
revoke all on function public.search_contacts_probe(uuid, text, integer, text, boolean, text) from public, anon;
grant execute on function public.search_contacts_probe(uuid, text, integer, text, boolean, text) to authenticated;
