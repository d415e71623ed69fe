-- Feature: finance documents. Purchase orders, invoices and forms per
-- campaign, numbered without gaps per organization and type, in any ISO 4217
-- currency converted to the organization's base currency at a stored rate,
-- approved by the organization's rules and kept within the campaign budget.
--
-- How a document is written:
--   * Created by a direct insert (RLS: finance.write). The trigger numbers it
--     (a counter row per organization and type, locked in the creating
--     transaction: a rolled-back creation leaves no gap, and documents are
--     never deleted), looks up the exchange rate (newest on or before the
--     issue date; none is a clear refusal) and stores the rate, its date and
--     the amount in the base currency.
--   * Decided through decide_finance_document() only (finance.approve): each
--     decision is a row in finance_approvals (who, when, approve or reject,
--     a comment); the requester cannot decide their own document and nobody
--     decides twice. The document becomes approved once the organization's
--     rule is met (number of approvals, an admin's approval above an amount).
--   * Paid through mark_finance_document_paid() (finance.approve).
--   * The status machine (pending → approved → paid, pending → rejected), the
--     approval rule and the budget guard (approved + paid amounts of a
--     campaign, in the base currency, never above its budget) are enforced by
--     the trigger for every writer, the service role included. The guard
--     locks the campaign row, so concurrent approvals take turns.
--
-- Base currency: organizations get base_currency, set for existing ones to
-- the currency most of their campaigns use (EUR when they have none), EUR for
-- new organizations. It is not editable through the API yet: changing it
-- would need every stored conversion redone.
--
-- Events: finance_document.created, finance_document.status_changed,
-- finance_document.approved, finance_document.overdue (once per document, by
-- the worker's finance_flag_overdue cron task).
-- finance_documents.collaboration_id is left for later: public.collaborations
-- is not on main yet.

-- Section: types

create type public.finance_document_type as enum ('po', 'invoice', 'form');
create type public.finance_document_status as enum ('pending', 'approved', 'rejected', 'paid');

-- Section: tables

-- The currency an organization keeps its books in: every document's amount is
-- also stored converted to it, and budgets are compared in it.
alter table public.organizations
  add column base_currency text not null default 'EUR' references public.currencies (code);
create index organizations_base_currency_idx on public.organizations (base_currency);
update public.organizations o
   set base_currency = coalesce((
     select c.currency from public.campaigns c
      where c.org_id = o.id and c.currency is not null
      group by c.currency order by count(*) desc, c.currency limit 1), 'EUR');

-- Exchange rates: 1 unit of from_currency is worth `rate` units of
-- to_currency on rate_date. Global rows (rates are facts, not tenant data),
-- readable by every signed-in user, written by migrations, the demo and a
-- rates import running as the service role.
create table public.exchange_rates (
  from_currency text not null references public.currencies (code),
  to_currency text not null references public.currencies (code),
  rate_date date not null,
  rate numeric(20, 10) not null check (rate > 0 and rate < 1000000000),
  source text not null default 'manual' check (char_length(source) between 1 and 100),
  created_at timestamptz not null default now(),
  primary key (from_currency, to_currency, rate_date),
  constraint exchange_rates_pair_check check (from_currency <> to_currency)
);
create index exchange_rates_to_currency_idx on public.exchange_rates (to_currency, from_currency, rate_date desc);
comment on table public.exchange_rates is 'Exchange rates per currency pair and date; finance documents store the one they used.';

-- How an organization's documents get approved (columns of the organization,
-- changed by those who change its settings): how many approvals from
-- different people a document needs, and above which amount (base currency)
-- one of them must be an admin's or owner's (null: never).
alter table public.organizations
  add column finance_approvals_required smallint not null default 1
    constraint organizations_finance_approvals_required_check check (finance_approvals_required between 1 and 5),
  add column finance_admin_above numeric(16, 2)
    constraint organizations_finance_admin_above_check check (finance_admin_above >= 0 and finance_admin_above <= 1000000000);

-- The last number given per organization and type. Private: written only by
-- the numbering trigger, under the row lock that makes numbering gap-free.
create table private.finance_document_counters (
  org_id uuid not null references public.organizations (id) on delete cascade,
  type public.finance_document_type not null,
  last_number integer not null check (last_number > 0),
  primary key (org_id, type)
);
comment on table private.finance_document_counters is 'Last document number per organization and type (locked while numbering).';

-- A purchase order, invoice or form of a campaign.
create table public.finance_documents (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  campaign_id uuid not null,
  type public.finance_document_type not null,
  status public.finance_document_status not null default 'pending',
  -- Gap-free per (organization, type): sequence 1, 2, 3… shown as PO-2026-0001.
  -- This and the conversion below are always set by the guard trigger (the
  -- defaults only spare writers from naming them).
  sequence integer not null default 0 check (sequence > 0),
  number text not null default '' check (char_length(number) between 1 and 40),
  amount numeric(16, 4) not null
    constraint finance_documents_amount_check check (amount > 0 and amount <= 1000000000),
  currency text not null references public.currencies (code),
  -- The conversion used: 1 currency = exchange_rate base_currency, the rate of rate_date.
  base_currency text not null default 'EUR' references public.currencies (code),
  exchange_rate numeric(20, 10) not null default 1 check (exchange_rate > 0),
  rate_date date not null default current_date,
  amount_base numeric(18, 4) not null default 0 check (amount_base >= 0),
  issue_date date not null default current_date,
  due_date date,
  paid_date date,
  description text not null default '' check (char_length(description) <= 2000),
  metadata jsonb not null default '{}'::jsonb
    constraint finance_documents_metadata_check check (jsonb_typeof(metadata) = 'object' and octet_length(metadata::text) <= 8192),
  file_id uuid references public.files (id),
  requested_by uuid references auth.users (id) on delete set null,
  status_changed_at timestamptz not null default now(),
  -- When finance_document.overdue was recorded (once per document).
  overdue_notified_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint finance_documents_org_id_type_sequence_key unique (org_id, type, sequence),
  constraint finance_documents_org_id_number_key unique (org_id, number),
  constraint finance_documents_org_id_id_key unique (org_id, id),
  constraint finance_documents_due_date_check check (due_date >= issue_date),
  constraint finance_documents_paid_date_check check (paid_date >= issue_date),
  -- A campaign with documents cannot be deleted (they are the books).
  foreign key (org_id, campaign_id) references public.campaigns (org_id, id)
);
-- The organization-wide list (newest first, keyset by created_at, id),
-- filtered by status, type or campaign; the overdue sweep.
create index finance_documents_org_created_idx on public.finance_documents (org_id, created_at desc, id desc);
create index finance_documents_org_status_idx on public.finance_documents (org_id, status, created_at desc, id desc);
create index finance_documents_org_type_idx on public.finance_documents (org_id, type, created_at desc, id desc);
create index finance_documents_campaign_idx on public.finance_documents (org_id, campaign_id, created_at desc, id desc);
create index finance_documents_overdue_idx on public.finance_documents (due_date)
  where status in ('pending', 'approved') and overdue_notified_at is null;
create index finance_documents_currency_idx on public.finance_documents (currency);
create index finance_documents_base_currency_idx on public.finance_documents (base_currency);
create index finance_documents_file_id_idx on public.finance_documents (file_id);
create index finance_documents_requested_by_idx on public.finance_documents (requested_by);
comment on table public.finance_documents is 'Purchase orders, invoices and forms of campaigns: gap-free numbers, converted amounts, approval status.';

-- Each decision on a document: who, when, approve or reject, and why.
-- Written only by decide_finance_document(); never changed.
create table public.finance_approvals (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null,
  document_id uuid not null,
  decided_by uuid references auth.users (id) on delete set null,
  decision text not null check (decision in ('approved', 'rejected')),
  comment text not null default '' check (char_length(comment) <= 1000),
  decided_at timestamptz not null default now(),
  constraint finance_approvals_document_id_decided_by_key unique (document_id, decided_by),
  foreign key (org_id, document_id) references public.finance_documents (org_id, id) on delete cascade
);
create index finance_approvals_org_document_idx on public.finance_approvals (org_id, document_id, decided_at);
create index finance_approvals_decided_by_idx on public.finance_approvals (decided_by);
comment on table public.finance_approvals is 'Decisions on finance documents (who, when, approved or rejected, comment); immutable.';

-- Section: functions

-- Raises a check violation on a finance_documents column with a stable hint.
create function private.finance_refuse(p_column text, p_message text, p_hint text)
returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception '%', p_message
    using errcode = '23514', column = p_column, table = 'finance_documents',
          constraint = 'finance_documents_' || p_column || '_check', hint = p_hint;
end;
$$;
comment on function private.finance_refuse(text, text, text) is 'Raises a check violation naming the finance document column at fault.';

-- The rate converting p_from into p_to on p_on: the newest direct rate on or
-- before that date, else the inverse of the newest reverse rate; 1 for the
-- same currency. No row when none is known.
create function private.finance_rate(p_from text, p_to text, p_on date)
returns table (rate numeric, rate_date date)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if p_from = p_to then
    return query select 1::numeric, p_on;
    return;
  end if;
  return query
  select x.rate, x.rate_date from (
    (select r.rate, r.rate_date, 0 as pref from public.exchange_rates r
      where r.from_currency = p_from and r.to_currency = p_to and r.rate_date <= p_on
      order by r.rate_date desc limit 1)
    union all
    (select round(1 / r.rate, 10), r.rate_date, 1 from public.exchange_rates r
      where r.from_currency = p_to and r.to_currency = p_from and r.rate_date <= p_on
      order by r.rate_date desc limit 1)
  ) x order by x.rate_date desc, x.pref limit 1;
end;
$$;
comment on function private.finance_rate(text, text, date) is 'The exchange rate from one currency to another on a date (newest on or before it).';

-- Whether a document's decisions meet its organization's approval rule:
-- enough approvals from different people, one of them an admin's or owner's
-- when the amount is above the rule's threshold.
create function private.finance_approval_met(p_document_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  doc public.finance_documents;
  org public.organizations;
  approvals integer;
  by_admin boolean;
begin
  select * into doc from public.finance_documents d where d.id = p_document_id;
  select * into org from public.organizations o where o.id = doc.org_id;
  select count(*), coalesce(bool_or(m.role in ('admin', 'owner')), false) into approvals, by_admin
    from public.finance_approvals a
    left join public.members m on m.org_id = a.org_id and m.user_id = a.decided_by
   where a.document_id = p_document_id and a.decision = 'approved';
  return approvals >= org.finance_approvals_required
     and (org.finance_admin_above is null or doc.amount_base <= org.finance_admin_above or by_admin);
end;
$$;
comment on function private.finance_approval_met(uuid) is 'True when a document''s approvals meet the organization''s approval rule.';

-- Trigger (row, before insert or update of finance_documents), for every
-- writer: numbering and conversion on insert; on update, the status machine,
-- the approval rule, the budget guard and the columns that never change.
create function private.finance_documents_guard()
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

    select o.base_currency into new.base_currency from public.organizations o where o.id = new.org_id;
    select r.rate, r.rate_date into found_rate, found_date
      from private.finance_rate(new.currency, new.base_currency, new.issue_date) r;
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
      new.requested_by, new.created_at)
     is distinct from
     (old.org_id, old.campaign_id, old.type, old.sequence, old.number, old.amount, old.currency,
      old.base_currency, old.exchange_rate, old.rate_date, old.amount_base, old.issue_date,
      old.requested_by, old.created_at) then
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
        from private.finance_rate(budget.currency, new.base_currency, current_date) r;
      if budget_rate is null then
        perform private.finance_refuse('status',
          format('There is no exchange rate from %s to %s to compare with the campaign budget.',
                 budget.currency, new.base_currency), 'exchange_rate_missing');
      end if;
      budget_base := budget.budget_amount * budget_rate;
      select coalesce(sum(d.amount_base), 0) into committed
        from public.finance_documents d
       where d.campaign_id = new.campaign_id and d.status in ('approved', 'paid') and d.id <> new.id;
      if committed + new.amount_base > budget_base then
        perform private.finance_refuse('status',
          format('Approving this would take the campaign to %s %s, over its budget of %s %s.',
                 round(committed + new.amount_base, 2), new.base_currency, round(budget_base, 2), new.base_currency),
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
comment on function private.finance_documents_guard() is 'Trigger: numbering, conversion, status machine, approval rule and budget guard of finance documents.';

-- Trigger (row, before delete of finance_documents and finance_approvals):
-- the books are never deleted; they go only with their organization.
create function private.finance_rows_kept()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if not exists (select 1 from public.organizations o where o.id = old.org_id) then
    return old;
  end if;
  raise exception 'Financial documents and their decisions are kept; reject a document instead of deleting it.'
    using errcode = '23514', table = tg_table_name, hint = 'finance_document_kept';
end;
$$;
comment on function private.finance_rows_kept() is 'Trigger: finance documents and decisions are only deleted with their organization.';

-- Trigger (row, before update of finance_approvals): decisions never change.
create function private.finance_approvals_immutable()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'A decision cannot be changed.' using errcode = '23514', table = 'finance_approvals',
    hint = 'decision_immutable';
end;
$$;
comment on function private.finance_approvals_immutable() is 'Trigger: recorded decisions are immutable.';

-- Trigger (row, after insert or update of finance_documents): events and audit entries.
create function private.finance_documents_after_write()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.record_event(new.org_id, 'finance_document.created', 'finance_document', new.id,
      jsonb_build_object('campaign_id', new.campaign_id, 'type', new.type, 'number', new.number,
                         'amount_base', new.amount_base, 'base_currency', new.base_currency));
    perform private.audit_write(new.org_id, 'finance_documents.insert', 'finance_documents', new.id::text, null,
      jsonb_build_object('number', new.number, 'amount', new.amount, 'currency', new.currency,
                         'campaign_id', new.campaign_id));
  elsif new.status is distinct from old.status then
    perform private.record_event(new.org_id, 'finance_document.status_changed', 'finance_document', new.id,
      jsonb_build_object('campaign_id', new.campaign_id, 'from', old.status, 'to', new.status));
    if new.status = 'approved' then
      perform private.record_event(new.org_id, 'finance_document.approved', 'finance_document', new.id,
        jsonb_build_object('campaign_id', new.campaign_id, 'amount_base', new.amount_base,
                           'base_currency', new.base_currency));
    end if;
    perform private.audit_write(new.org_id, 'finance_documents.update', 'finance_documents', new.id::text,
      jsonb_build_object('number', old.number, 'status', old.status),
      jsonb_build_object('number', new.number, 'status', new.status));
  end if;
  return null;
end;
$$;
comment on function private.finance_documents_after_write() is 'Trigger: finance_document.created / status_changed / approved events and audit entries.';

-- Records a decision on a document as the current user and, when the
-- organization's rule is met (approve) or on a rejection, moves its status.
-- Refuses: no finance.approve, the requester deciding their own document,
-- deciding twice, a document no longer pending. Returns the status after it.
create function public.decide_finance_document(p_document_id uuid, p_decision text, p_comment text default '')
returns public.finance_document_status
language plpgsql
security definer
set search_path = ''
as $$
declare
  doc public.finance_documents;
  me uuid := (select auth.uid());
begin
  -- The document row lock orders decisions on one document (the trigger then
  -- locks the campaign: always document first, campaign second).
  select * into doc from public.finance_documents d where d.id = p_document_id for update;
  if not found or doc.org_id not in (select private.user_org_ids()) then
    raise exception 'Document not found.' using errcode = 'P0002', hint = 'finance_document_not_found';
  end if;
  if not private.has_permission(doc.org_id, 'finance.approve') then
    perform private.raise_denied('You cannot approve or reject financial documents.', 'finance_approve_denied');
  end if;
  if p_decision is null or p_decision not in ('approved', 'rejected') then
    raise exception 'Approve or reject the document.' using errcode = '22023', column = 'decision', hint = 'decision_invalid';
  end if;
  if doc.requested_by = me then
    perform private.raise_denied('You cannot approve or reject a document you requested.', 'self_approval');
  end if;
  if doc.status <> 'pending' then
    perform private.finance_refuse('status', format('This document is already %s.', doc.status), 'finance_not_pending');
  end if;
  if exists (select 1 from public.finance_approvals a where a.document_id = doc.id and a.decided_by = me) then
    raise exception 'You have already decided on this document.'
      using errcode = '23505', table = 'finance_approvals', column = 'decision', hint = 'already_decided';
  end if;
  if p_decision = 'rejected' and nullif(btrim(coalesce(p_comment, '')), '') is null then
    raise exception 'Say why the document is rejected.'
      using errcode = '23514', table = 'finance_approvals', column = 'comment', hint = 'comment_required';
  end if;

  insert into public.finance_approvals (org_id, document_id, decided_by, decision, comment)
  values (doc.org_id, doc.id, me, p_decision, btrim(coalesce(p_comment, '')));

  if p_decision = 'rejected' then
    update public.finance_documents d set status = 'rejected' where d.id = doc.id;
    return 'rejected';
  elsif private.finance_approval_met(doc.id) then
    update public.finance_documents d set status = 'approved' where d.id = doc.id;
    return 'approved';
  end if;
  return 'pending';
end;
$$;
comment on function public.decide_finance_document(uuid, text, text) is 'Records an approve/reject decision and moves the document when the approval rule is met.';

-- Marks an approved document paid (finance.approve), on p_paid_date (today
-- when omitted). The trigger refuses any other status.
create function public.mark_finance_document_paid(p_document_id uuid, p_paid_date date default null)
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
  if not private.has_permission(doc.org_id, 'finance.approve') then
    perform private.raise_denied('You cannot mark financial documents paid.', 'finance_approve_denied');
  end if;
  if p_paid_date is not null and p_paid_date > current_date then
    perform private.finance_refuse('paid_date', 'A payment date cannot be in the future.', 'paid_date_future');
  end if;
  update public.finance_documents d
     set status = 'paid', paid_date = coalesce(p_paid_date, current_date)
   where d.id = doc.id;
end;
$$;
comment on function public.mark_finance_document_paid(uuid, date) is 'Marks an approved finance document paid (the trigger refuses any other status).';

-- Records finance_document.overdue once for each pending or approved
-- document whose due date has passed (at most p_limit per call; rows claimed
-- with SKIP LOCKED so any number of workers can run it). Called by the
-- worker's cron task as the service role; returns how many it flagged.
create function private.finance_flag_overdue(p_today date, p_limit integer)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  flagged integer := 0;
  doc record;
begin
  for doc in
    select d.id, d.org_id, d.campaign_id, d.due_date, d.status from public.finance_documents d
     where d.status in ('pending', 'approved') and d.overdue_notified_at is null and d.due_date < p_today
     order by d.due_date
     limit p_limit
     for update skip locked
  loop
    update public.finance_documents d set overdue_notified_at = now() where d.id = doc.id;
    perform private.record_event(doc.org_id, 'finance_document.overdue', 'finance_document', doc.id,
      jsonb_build_object('campaign_id', doc.campaign_id, 'due_date', doc.due_date, 'status', doc.status));
    flagged := flagged + 1;
  end loop;
  return flagged;
end;
$$;
comment on function private.finance_flag_overdue(date, integer) is 'Records finance_document.overdue once per overdue document (worker cron).';

revoke all on function private.finance_refuse(text, text, text) from public;
revoke all on function private.finance_rate(text, text, date) from public;
revoke all on function private.finance_approval_met(uuid) from public;
revoke all on function private.finance_documents_guard() from public;
revoke all on function private.finance_rows_kept() from public;
revoke all on function private.finance_approvals_immutable() from public;
revoke all on function private.finance_documents_after_write() from public;
revoke all on function private.finance_flag_overdue(date, integer) from public, anon, authenticated;
revoke all on function public.decide_finance_document(uuid, text, text) from public, anon;
revoke all on function public.mark_finance_document_paid(uuid, date) from public, anon;
grant execute on function private.finance_refuse(text, text, text) to authenticated, service_role;
-- Rates are global facts: the finance pages convert budgets with it.
grant execute on function private.finance_rate(text, text, date) to authenticated, service_role;
grant execute on function private.finance_flag_overdue(date, integer) to service_role;
grant execute on function public.decide_finance_document(uuid, text, text) to authenticated;
grant execute on function public.mark_finance_document_paid(uuid, date) to authenticated;

-- Section: triggers

create trigger finance_documents_guard before insert or update on public.finance_documents
  for each row execute function private.finance_documents_guard();
create trigger finance_documents_after_write after insert or update on public.finance_documents
  for each row execute function private.finance_documents_after_write();
create trigger finance_documents_kept before delete on public.finance_documents
  for each row execute function private.finance_rows_kept();
create trigger finance_approvals_kept before delete on public.finance_approvals
  for each row execute function private.finance_rows_kept();
create trigger finance_approvals_immutable before update on public.finance_approvals
  for each row execute function private.finance_approvals_immutable();

-- Section: policies

alter table public.exchange_rates enable row level security;
alter table public.finance_documents enable row level security;
alter table public.finance_approvals enable row level security;

create policy "Signed-in users can read the exchange rates"
  on public.exchange_rates for select to authenticated using (true);

create policy "Members can read their organization's financial documents"
  on public.finance_documents for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Finance editors can create financial documents"
  on public.finance_documents for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('finance.write')));

create policy "Members can read the decisions on their organization's documents"
  on public.finance_approvals for select to authenticated
  using (org_id in (select private.user_org_ids()));

-- Section: grants
-- Documents change status only through decide_finance_document() and
-- mark_finance_document_paid(); decisions are written only by the first.
revoke all on public.exchange_rates, public.finance_documents,
  public.finance_approvals from anon, authenticated;
revoke all on private.finance_document_counters from public, anon, authenticated;

grant select on public.exchange_rates to authenticated;
-- The approval rule is part of the organization's settings (its update policy).
grant update (finance_approvals_required, finance_admin_above) on public.organizations to authenticated;
grant select on public.finance_documents to authenticated;
grant insert (org_id, campaign_id, type, amount, currency, issue_date, due_date, description, metadata, file_id)
  on public.finance_documents to authenticated;
grant select on public.finance_approvals to authenticated;
