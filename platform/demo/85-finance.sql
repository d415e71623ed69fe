-- Demo workspace: finance. Northwind's campaigns have purchase orders,
-- invoices and a form in every status: paid, approved and waiting to be paid,
-- waiting for approval (one in pounds, one in dollars), rejected with a
-- reason, and one invoice past its due date (the worker's overdue task
-- records its event); a purchase order for an influencer's collaboration and
-- an invoice against the ambassadors' order. Exchange rates into euros, Northwind's base currency;
-- above 10,000 EUR an admin must approve. Documents are created as Jonas (a
-- member) and decided as Maya (admin) and the demo owner through the app's
-- own functions, so numbers, conversions, decisions, events and audit
-- entries are the database's.

-- Section: rates and rules
insert into public.exchange_rates (from_currency, to_currency, rate_date, rate, source)
select r.from_currency, 'EUR', (pg_temp.demo_now() - make_interval(days => r.days_ago))::date, r.rate, 'demo'
  from (values
    ('USD', 120, 0.9210), ('USD', 30, 0.9185), ('USD', 1, 0.9150),
    ('GBP', 120, 1.1720), ('GBP', 30, 1.1690), ('GBP', 1, 1.1655),
    ('CHF', 120, 1.0480), ('CHF', 1, 1.0510)
  ) r (from_currency, days_ago, rate)
on conflict do nothing;

-- Triggers off: a setting of the demo, not a change to stamp with now().
set local session_replication_role = replica;
update public.organizations set finance_admin_above = 10000 where id = pg_temp.demo_id('org:northwind');
set local session_replication_role = origin;

-- Section: documents
select pg_temp.demo_act_as(pg_temp.demo_person('jonas'));
insert into public.finance_documents (id, org_id, campaign_id, type, amount, currency, issue_date, due_date, description)
select pg_temp.demo_id('finance:' || d.key), pg_temp.demo_id('org:northwind'), pg_temp.demo_id('campaign:' || d.campaign),
       d.type::public.finance_document_type, d.amount, d.currency,
       (pg_temp.demo_now() - make_interval(days => d.issued_ago))::date,
       (pg_temp.demo_now() - make_interval(days => d.issued_ago - d.term))::date, d.description
  from (values
    (1, 'ultra-fees', 'ultra-team', 'po', 12000, 'EUR', 19, 30, 'Season fees of the ten ambassadors'),
    (2, 'ultra-shoot', 'ultra-team', 'invoice', 6000, 'EUR', 15, 14, 'Photo shoot at the Zugspitze trail run'),
    (3, 'ultra-video', 'ultra-team', 'po', 4500, 'USD', 8, 30, 'Race-day video edit by an American studio'),
    (4, 'ultra-travel', 'ultra-team', 'invoice', 2500, 'GBP', 3, 10, 'Travel of the UK runners to the Alps'),
    (5, 'spring-final', 'spring-trail', 'invoice', 8000, 'EUR', 40, 20, 'Final invoice of the launch creators'),
    (6, 'coast-boat', 'coast-summer', 'po', 30000, 'EUR', 4, 30, 'Boat charter for the summer shoot'),
    (7, 'spring-rights', 'spring-trail', 'form', 150, 'EUR', 35, 60, 'Usage rights form for the launch photos')
  ) d (ord, key, campaign, type, amount, currency, issued_ago, term, description)
 order by d.ord;

-- A purchase order for Lea's collaboration (its PDF is generated when someone
-- asks on the page), and an invoice billing part of the ambassadors' order
-- (counted once with it against the budget).
insert into public.finance_documents (id, org_id, campaign_id, type, amount, currency, issue_date, due_date,
                                      description, collaboration_id, po_id)
select pg_temp.demo_id('finance:' || d.key), pg_temp.demo_id('org:northwind'), pg_temp.demo_id('campaign:ultra-team'),
       d.type::public.finance_document_type, d.amount, d.currency,
       (pg_temp.demo_now() - make_interval(days => d.issued_ago))::date,
       (pg_temp.demo_now() - make_interval(days => d.issued_ago - d.term))::date, d.description,
       (select k.id from public.collaborations k where k.id = pg_temp.demo_id('collaboration:' || d.collaboration)),
       case when d.po is not null then pg_temp.demo_id('finance:' || d.po) end
  from (values
    (1, 'ultra-lea', 'po', 1200, 'USD', 6, 30, 'Lea''s review and two stories', 'lea', null),
    (2, 'ultra-fees-part', 'invoice', 5000, 'EUR', 2, 14, 'First half of the ambassadors'' season fees', null, 'ultra-fees')
  ) d (ord, key, type, amount, currency, issued_ago, term, description, collaboration, po)
 order by d.ord;

-- Section: decisions and payments
select pg_temp.demo_act_as(pg_temp.demo_person('maya'));
select public.decide_finance_document(pg_temp.demo_id('finance:' || k), 'approved', c)
  from (values ('ultra-fees', 'Agreed in the season plan.'), ('ultra-video', ''), ('spring-final', ''))
       v (k, c);
select public.decide_finance_document(pg_temp.demo_id('finance:coast-boat'), 'rejected',
  'More than the whole campaign budget; ask for a smaller boat or split the charter.');

select pg_temp.demo_act_as(pg_temp.demo_person('demo'));
select public.decide_finance_document(pg_temp.demo_id('finance:ultra-shoot'), 'approved', 'Photos look great.');
select public.mark_finance_document_paid(pg_temp.demo_id('finance:' || v.k), (pg_temp.demo_now() - make_interval(days => v.ago))::date)
  from (values ('ultra-fees', 10), ('ultra-shoot', 2)) v (k, ago);

select pg_temp.demo_act_as(null);

-- Section: dates (triggers stamped now(); moved back to the documents' own
-- days, with triggers off for these statements only: recorded the morning of
-- the issue date, decided the day after, paid at noon on the payment date)
set local session_replication_role = replica;
update public.finance_documents d
   set created_at = d.issue_date + time '09:00', updated_at = coalesce(d.paid_date + time '12:00', d.issue_date + time '09:00' + interval '1 day'),
       status_changed_at = case d.status when 'pending' then d.issue_date + time '09:00'
                                         when 'paid' then d.paid_date + time '12:00'
                                         else d.issue_date + time '09:00' + interval '1 day' end
 where d.org_id = pg_temp.demo_id('org:northwind');
update public.finance_approvals a
   set decided_at = d.issue_date + time '09:00' + interval '1 day'
  from public.finance_documents d
 where d.id = a.document_id and a.org_id = pg_temp.demo_id('org:northwind');
update public.events e
   set occurred_at = case when e.type = 'finance_document.created' then d.issue_date + time '09:00'
                          when e.payload ->> 'to' = 'paid' then d.paid_date + time '12:00'
                          else d.issue_date + time '09:00' + interval '1 day' end
  from public.finance_documents d
 where e.org_id = pg_temp.demo_id('org:northwind') and e.subject_type = 'finance_document' and e.subject_id = d.id;
update public.audit_log a
   set at = case when a.before is null then d.issue_date + time '09:00'
                 when a.after ->> 'status' = 'paid' then d.paid_date + time '12:00'
                 else d.issue_date + time '09:00' + interval '1 day' end
  from public.finance_documents d
 where a.org_id = pg_temp.demo_id('org:northwind') and a.target_type = 'finance_documents' and a.target_id = d.id::text;
set local session_replication_role = origin;
