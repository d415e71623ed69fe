-- Feature: finance documents' loose ends. A document may name the influencer
-- collaboration it pays for and an invoice the purchase order it bills
-- against; the organization keeps its own exchange rates, and its base
-- currency and approval rule are settings; a document's file can be attached
-- after creation (a purchase order's generated PDF).
--
--   * finance_documents.collaboration_id: a foreign key on (campaign_id,
--     collaboration_id), so the collaboration is one of the document's own
--     campaign (hence organization), refused by the database whoever writes
--     (the trigger names the field first). A collaboration with documents
--     cannot be deleted: documents are the books.
--   * finance_documents.po_id: an invoice's purchase order, of the same
--     campaign (foreign key on (campaign_id, po_id)). The budget guard counts
--     a purchase order and the invoices against it once: the larger of the
--     order's amount (when approved or paid) and the sum of its approved or
--     paid invoices. A PO commits money; invoicing within it spends that
--     commitment, invoicing beyond it spends more (finance_campaign_spend).
--   * public.org_exchange_rates: an organization's own rates (its bank's or
--     its accountant's), preferred on the same date to the global catalogue,
--     which stays written only by migrations and the rates import. Written by
--     holders of org.settings, read by members.
--   * organizations.base_currency is editable (org.settings) until the
--     organization records its first financial document: after that every
--     stored conversion and budget comparison is in it.
--   * attach_finance_document_file(): sets a pending document's file (or a
--     file on a document with none), finance.write, a file of the same
--     organization.

-- Section: tables

alter table public.finance_documents
  add column collaboration_id uuid,
  add column po_id uuid,
  add constraint finance_documents_campaign_id_id_key unique (campaign_id, id),
  add constraint finance_documents_collaboration_fkey foreign key (campaign_id, collaboration_id)
    references public.collaborations (campaign_id, id),
  add constraint finance_documents_po_fkey foreign key (campaign_id, po_id)
    references public.finance_documents (campaign_id, id),
  add constraint finance_documents_po_id_check check (po_id is null or type = 'invoice');
-- Cover both foreign keys; the list filtered by influencer reaches documents
-- through that influencer's collaborations (campaign and id known), and the
-- budget guard groups invoices by their PO.
create index finance_documents_collaboration_idx on public.finance_documents (campaign_id, collaboration_id)
  where collaboration_id is not null;
create index finance_documents_po_idx on public.finance_documents (campaign_id, po_id) where po_id is not null;
comment on column public.finance_documents.collaboration_id is 'The influencer collaboration this document pays for (one of the campaign''s).';
comment on column public.finance_documents.po_id is 'For an invoice: the purchase order it bills against (counted once against the budget).';

-- An organization's own exchange rates: 1 from_currency = rate to_currency on
-- rate_date. Preferred to the global catalogue's rate of the same date.
create table public.org_exchange_rates (
  org_id uuid not null references public.organizations (id) on delete cascade,
  from_currency text not null references public.currencies (code),
  to_currency text not null references public.currencies (code),
  rate_date date not null,
  rate numeric(20, 10) not null
    constraint org_exchange_rates_rate_check check (rate > 0 and rate < 1000000000),
  updated_by uuid default auth.uid() references auth.users (id) on delete set null,
  updated_at timestamptz not null default now(),
  primary key (org_id, from_currency, to_currency, rate_date),
  constraint org_exchange_rates_pair_check check (from_currency <> to_currency)
);
create index org_exchange_rates_to_currency_idx on public.org_exchange_rates (org_id, to_currency, from_currency, rate_date desc);
create index org_exchange_rates_from_currency_idx on public.org_exchange_rates (from_currency);
create index org_exchange_rates_to_idx on public.org_exchange_rates (to_currency);
create index org_exchange_rates_updated_by_idx on public.org_exchange_rates (updated_by);
comment on table public.org_exchange_rates is 'An organization''s own exchange rates, preferred to the global ones on the same date.';

-- Section: functions

-- The rate converting p_from into p_to on p_on for an organization: the
-- newest rate on or before that date, the organization's own before the
-- global catalogue's on the same date, a direct rate before an inverted one;
-- 1 for the same currency. Security invoker: under RLS a caller sees only
-- their organizations' rates (the triggers call it as its owner).
create function private.finance_org_rate(p_org uuid, p_from text, p_to text, p_on date)
returns table (rate numeric, rate_date date)
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_from = p_to then
    return query select 1::numeric, p_on;
    return;
  end if;
  return query
  select x.rate, x.rate_date from (
    (select r.rate, r.rate_date, 0 as pref from public.org_exchange_rates r
      where r.org_id = p_org and r.from_currency = p_from and r.to_currency = p_to and r.rate_date <= p_on
      order by r.rate_date desc limit 1)
    union all
    (select round(1 / r.rate, 10), r.rate_date, 1 from public.org_exchange_rates r
      where r.org_id = p_org and r.from_currency = p_to and r.to_currency = p_from and r.rate_date <= p_on
      order by r.rate_date desc limit 1)
    union all
    (select r.rate, r.rate_date, 2 from public.exchange_rates r
      where r.from_currency = p_from and r.to_currency = p_to and r.rate_date <= p_on
      order by r.rate_date desc limit 1)
    union all
    (select round(1 / r.rate, 10), r.rate_date, 3 from public.exchange_rates r
      where r.from_currency = p_to and r.to_currency = p_from and r.rate_date <= p_on
      order by r.rate_date desc limit 1)
  ) x order by x.rate_date desc, x.pref limit 1;
end;
$$;
comment on function private.finance_org_rate(uuid, text, text, date) is 'An organization''s exchange rate on a date (its own first, then the global catalogue).';

-- What a campaign spends against its budget, in the base currency: its
-- approved and paid documents (plus p_also, the one being approved), where a
-- purchase order and the invoices against it count once, as the larger of
-- the order (when approved or paid) and the sum of those invoices. Security
-- invoker: under RLS a caller sums only what they may read.
create function private.finance_campaign_spend(p_campaign_id uuid, p_also uuid default null)
returns numeric
language sql
stable
set search_path = ''
as $$
  with counted as (
    select d.id, d.type, d.po_id, d.amount_base from public.finance_documents d
     where d.campaign_id = p_campaign_id and (d.status in ('approved', 'paid') or d.id = p_also)
  ), invoiced as (
    select c.po_id, sum(c.amount_base) as total from counted c where c.po_id is not null group by c.po_id
  ), orders as (
    select c.id, c.amount_base from counted c where c.type = 'po'
  )
  select coalesce((select sum(c.amount_base) from counted c where c.type <> 'po' and c.po_id is null), 0)
       + coalesce((select sum(greatest(coalesce(o.amount_base, 0), coalesce(i.total, 0)))
                     from orders o full join invoiced i on i.po_id = o.id), 0);
$$;
comment on function private.finance_campaign_spend(uuid, uuid) is 'A campaign''s approved + paid spend, a PO and its invoices counted once (budget guard and views).';

create or replace function private.finance_documents_guard()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  decimals smallint;
  base_decimals smallint;
  found_rate numeric;
  found_date date;
  next_number integer;
  prefix text;
  budget public.campaigns;
  budget_rate numeric;
  budget_base numeric;
  committed numeric;
begin
  if tg_op = 'INSERT' then
    if new.status <> 'pending' then
      perform private.finance_refuse('status', 'A document starts as pending.', 'finance_transition_refused');
    end if;
    if new.paid_date is not null then
      perform private.finance_refuse('paid_date', 'A new document is not paid yet.', 'finance_transition_refused');
    end if;
    new.issue_date := coalesce(new.issue_date, current_date);
    new.requested_by := (select auth.uid());
    new.overdue_notified_at := null;
    new.status_changed_at := now();
    -- Before the conversion, so a bad amount is refused on its own field.
    if new.amount is null or new.amount <= 0 or new.amount > 1000000000 then
      perform private.finance_refuse('amount', 'The amount must be more than zero and at most 1,000,000,000.',
        'amount_out_of_bounds');
    end if;
    select c.minor_units into decimals from public.currencies c where c.code = new.currency;
    if decimals is not null and round(new.amount, decimals) <> new.amount then
      perform private.finance_refuse('amount', format('Amounts in %s have at most %s decimals.', new.currency, decimals),
        'amount_decimals');
    end if;
    if new.file_id is not null and not exists (
        select 1 from public.files f where f.id = new.file_id and f.org_id = new.org_id) then
      perform private.finance_refuse('file_id', 'Pick one of the organization''s files.', 'file_unknown');
    end if;
    if new.collaboration_id is not null and not exists (
        select 1 from public.collaborations k
         where k.id = new.collaboration_id and k.org_id = new.org_id and k.campaign_id = new.campaign_id) then
      perform private.finance_refuse('collaboration_id', 'Pick one of this campaign''s influencer collaborations.',
        'collaboration_unknown');
    end if;
    if new.po_id is not null then
      if new.type <> 'invoice' then
        perform private.finance_refuse('po_id', 'Only an invoice can refer to a purchase order.', 'po_link_invoice_only');
      end if;
      if not exists (
          select 1 from public.finance_documents p
           where p.id = new.po_id and p.org_id = new.org_id and p.campaign_id = new.campaign_id
             and p.type = 'po' and p.status <> 'rejected') then
        perform private.finance_refuse('po_id', 'Pick one of this campaign''s purchase orders that is not rejected.',
          'po_unknown');
      end if;
    end if;

    select o.base_currency into new.base_currency from public.organizations o where o.id = new.org_id;
    select r.rate, r.rate_date into found_rate, found_date
      from private.finance_org_rate(new.org_id, new.currency, new.base_currency, new.issue_date) r;
    if found_rate is null then
      perform private.finance_refuse('currency',
        format('There is no exchange rate from %s to %s on or before %s; add one before recording this document.',
               new.currency, new.base_currency, new.issue_date), 'exchange_rate_missing');
    end if;
    select c.minor_units into base_decimals from public.currencies c where c.code = new.base_currency;
    new.exchange_rate := found_rate;
    new.rate_date := found_date;
    new.amount_base := round(new.amount * found_rate, base_decimals);

    -- The counter row stays locked until this transaction ends: concurrent
    -- creations take turns, and a rolled-back one gives its number back.
    insert into private.finance_document_counters as c (org_id, type, last_number)
    values (new.org_id, new.type, 1)
    on conflict (org_id, type) do update set last_number = c.last_number + 1
    returning c.last_number into next_number;
    prefix := case new.type when 'po' then 'PO' when 'invoice' then 'INV' else 'FORM' end;
    new.sequence := next_number;
    new.number := prefix || '-' || to_char(current_date, 'YYYY') || '-'
                  || lpad(next_number::text, greatest(4, char_length(next_number::text)), '0');
    return new;
  end if;

  if (new.org_id, new.campaign_id, new.type, new.sequence, new.number, new.amount, new.currency,
      new.base_currency, new.exchange_rate, new.rate_date, new.amount_base, new.issue_date,
      new.requested_by, new.created_at, new.collaboration_id, new.po_id)
     is distinct from
     (old.org_id, old.campaign_id, old.type, old.sequence, old.number, old.amount, old.currency,
      old.base_currency, old.exchange_rate, old.rate_date, old.amount_base, old.issue_date,
      old.requested_by, old.created_at, old.collaboration_id, old.po_id) then
    perform private.finance_refuse('amount',
      'The number, amount, currency, dates of issue and campaign of a document cannot change; reject it and create a new one.',
      'finance_document_locked');
  end if;

  if new.status is distinct from old.status then
    if not ((old.status, new.status) in (('pending', 'approved'), ('pending', 'rejected'), ('approved', 'paid'))) then
      perform private.finance_refuse('status',
        case
          when new.status = 'paid' and old.status = 'rejected' then 'A rejected document cannot be marked paid.'
          when new.status = 'paid' then 'Only an approved document can be marked paid.'
          else format('A %s document cannot become %s.', old.status, new.status)
        end, 'finance_transition_refused');
    end if;
    if new.status = 'approved' and not private.finance_approval_met(new.id) then
      perform private.finance_refuse('status', 'This document does not have the approvals it needs yet.',
        'finance_approvals_missing');
    end if;
    if new.status = 'rejected' and not exists (
        select 1 from public.finance_approvals a where a.document_id = new.id and a.decision = 'rejected') then
      perform private.finance_refuse('status', 'A document is rejected by recording a decision.',
        'finance_approvals_missing');
    end if;
    if new.status = 'approved' then
      -- The budget guard. The campaign row lock makes concurrent approvals of
      -- one campaign take turns; the sum below is read after the lock, so it
      -- sees the approvals committed while this one waited.
      select * into budget from public.campaigns c where c.id = new.campaign_id for no key update;
      if budget.budget_amount is null then
        perform private.finance_refuse('status', 'The campaign has no budget yet; give it one before approving spend.',
          'over_budget');
      end if;
      select r.rate into budget_rate
        from private.finance_org_rate(new.org_id, budget.currency, new.base_currency, current_date) r;
      if budget_rate is null then
        perform private.finance_refuse('status',
          format('There is no exchange rate from %s to %s to compare with the campaign budget.',
                 budget.currency, new.base_currency), 'exchange_rate_missing');
      end if;
      budget_base := budget.budget_amount * budget_rate;
      -- What the campaign would spend with this document approved; an
      -- invoice against a purchase order counts once (finance_campaign_spend).
      committed := private.finance_campaign_spend(new.campaign_id, new.id);
      if committed > budget_base then
        perform private.finance_refuse('status',
          format('Approving this would take the campaign to %s %s, over its budget of %s %s.',
                 round(committed, 2), new.base_currency, round(budget_base, 2), new.base_currency),
          'over_budget');
      end if;
    end if;
    if new.status = 'paid' then
      new.paid_date := coalesce(new.paid_date, current_date);
    end if;
    new.status_changed_at := now();
  end if;
  if new.paid_date is not null and new.status <> 'paid' then
    perform private.finance_refuse('paid_date', 'Only a paid document has a payment date.', 'finance_transition_refused');
  end if;
  new.updated_at := now();
  return new;
end;
$$;

-- Trigger (row, before update of organizations.base_currency): the base
-- currency is chosen before the books start; stored conversions and budget
-- comparisons are all in it afterwards.
create function private.organizations_base_currency_kept()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.base_currency is distinct from old.base_currency
     and exists (select 1 from public.finance_documents d where d.org_id = new.id) then
    raise exception 'The base currency cannot change once financial documents are recorded in it.'
      using errcode = '23514', column = 'base_currency', table = 'organizations',
            constraint = 'organizations_base_currency_check', hint = 'base_currency_locked';
  end if;
  return new;
end;
$$;
comment on function private.organizations_base_currency_kept() is 'Trigger: the base currency changes only while the organization has no financial documents.';

-- Sets the file of a document (a generated purchase order PDF, or an upload
-- added later): finance.write, a file of the document's organization, and
-- only while the document is pending or has no file yet (an approved
-- document's file is what was approved).
create function public.attach_finance_document_file(p_document_id uuid, p_file_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  doc public.finance_documents;
begin
  select * into doc from public.finance_documents d where d.id = p_document_id for update;
  if not found or doc.org_id not in (select private.user_org_ids()) then
    raise exception 'Document not found.' using errcode = 'P0002', hint = 'finance_document_not_found';
  end if;
  if not private.has_permission(doc.org_id, 'finance.write') then
    perform private.raise_denied('You cannot change financial documents.', 'finance_write_denied');
  end if;
  if not exists (select 1 from public.files f where f.id = p_file_id and f.org_id = doc.org_id) then
    perform private.finance_refuse('file_id', 'Pick one of the organization''s files.', 'file_unknown');
  end if;
  if doc.status <> 'pending' and doc.file_id is not null then
    perform private.finance_refuse('file_id', format('The file of a %s document stays as it was decided.', doc.status),
      'finance_file_locked');
  end if;
  update public.finance_documents d set file_id = p_file_id where d.id = doc.id;
end;
$$;
comment on function public.attach_finance_document_file(uuid, uuid) is 'Attaches a file (e.g. a generated PO PDF) to a pending finance document, or to one without a file.';

revoke all on function private.finance_org_rate(uuid, text, text, date) from public;
revoke all on function private.finance_campaign_spend(uuid, uuid) from public;
revoke all on function private.organizations_base_currency_kept() from public;
revoke all on function public.attach_finance_document_file(uuid, uuid) from public, anon;
-- The finance pages convert budgets and sum spend with these, under RLS.
grant execute on function private.finance_org_rate(uuid, text, text, date) to authenticated, service_role;
grant execute on function private.finance_campaign_spend(uuid, uuid) to authenticated, service_role;
grant execute on function public.attach_finance_document_file(uuid, uuid) to authenticated;

-- Section: triggers

create trigger organizations_base_currency_kept before update of base_currency on public.organizations
  for each row execute function private.organizations_base_currency_kept();

-- Section: policies

alter table public.org_exchange_rates enable row level security;

create policy "Members can read their organization's exchange rates"
  on public.org_exchange_rates for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Settings managers can add exchange rates"
  on public.org_exchange_rates for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('org.settings')));
create policy "Settings managers can change exchange rates"
  on public.org_exchange_rates for update to authenticated
  using (org_id in (select private.org_ids_with_permission('org.settings')))
  with check (org_id in (select private.org_ids_with_permission('org.settings')));
create policy "Settings managers can remove exchange rates"
  on public.org_exchange_rates for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('org.settings')));

-- Section: grants

revoke all on public.org_exchange_rates from anon, authenticated;
grant select, delete on public.org_exchange_rates to authenticated;
grant insert (org_id, from_currency, to_currency, rate_date, rate) on public.org_exchange_rates to authenticated;
grant update (rate) on public.org_exchange_rates to authenticated;
grant update (base_currency) on public.organizations to authenticated;
grant insert (collaboration_id, po_id) on public.finance_documents to authenticated;
