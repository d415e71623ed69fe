-- Demo workspace: message templates. Northwind keeps its own templates in two
-- folders, made from the ready-made library (its newsletter, an offer, a
-- plain letter from the founder) with its postal address in the footer and a
-- custom field as a merge tag, plus a restock SMS and a WhatsApp VIP note.
-- Set-based copies of the library rows, dated in the past.

-- Section: folders
insert into public.message_template_folders (id, org_id, name, created_by, created_at, updated_at)
select pg_temp.demo_id('template-folder:' || f.key), pg_temp.demo_id('org:northwind'), f.name,
       'd0d0d0d0-0000-4000-8000-000000000001', pg_temp.demo_now() - interval '60 days',
       pg_temp.demo_now() - interval '60 days'
  from (values ('newsletters', 'Newsletters'), ('offers', 'Offers and alerts')) f (key, name);

-- Section: templates
insert into public.message_templates (id, org_id, folder_id, channel, category, name, description, purpose,
                                      subject, preheader, document, body, based_on, created_by, updated_by,
                                      created_at, updated_at)
select pg_temp.demo_id('template:' || v.key), pg_temp.demo_id('org:northwind'),
       pg_temp.demo_id('template-folder:' || v.folder), g.channel, g.category, v.name, g.description, 'marketing',
       coalesce(v.subject, g.subject), g.preheader,
       replace(g.document::text, 'Your organization · Street and number · Postcode City · Country',
               'Northwind Outfitters · 200 Harbor Way · Seattle, WA 98104 · USA')::jsonb,
       coalesce(v.body, g.body), g.id, pg_temp.demo_person(v.author), pg_temp.demo_person(v.author),
       pg_temp.demo_now() - make_interval(days => v.age), pg_temp.demo_now() - make_interval(days => v.age - 2)
  from (values
    ('june-newsletter', '00000000-0000-4000-8000-00000000e001'::uuid, 'newsletters', 'June newsletter',
     'New arrivals for the trail, {{contact.first_name | friend}}', null, 'maya', 40),
    ('autumn-newsletter', '00000000-0000-4000-8000-00000000e001', 'newsletters', 'Autumn newsletter (draft)',
     'Autumn is here', null, 'jonas', 6),
    ('vip-offer', '00000000-0000-4000-8000-00000000e003', 'offers', 'VIP weekend offer',
     'A {{custom.loyalty_tier | member}} thank-you: 20% off this weekend', null, 'maya', 12),
    ('founder-letter', '00000000-0000-4000-8000-00000000e004', 'newsletters', 'A letter from our founder',
     'Ten years on the trail', null, 'priya', 25),
    ('restock-sms', '00000000-0000-4000-8000-00000000e005', 'offers', 'Restock alert: rain jackets', null,
     'Hi {{contact.first_name | there}}, the Northwind rain jackets are back in stock: northwind.test/jackets Reply STOP to opt out.',
     'jonas', 4),
    ('vip-whatsapp', '00000000-0000-4000-8000-00000000e006', 'offers', 'VIP early access', null,
     'Hello {{contact.first_name | there}}! As a {{custom.loyalty_tier | valued}} member you can shop the new range a day early: https://northwind.test/early',
     'maya', 9)
  ) v (key, source, folder, name, subject, body, author, age)
  join public.message_templates g on g.id = v.source;

-- Dated as they happened: the audit trigger stamped now() on its entries;
-- moved back to when each folder and template was made, triggers off for this
-- statement only.
set local session_replication_role = replica;

update public.audit_log a
   set at = least(pg_temp.demo_now(), coalesce(
     (select t.created_at from public.message_templates t where t.id::text = a.target_id),
     (select f.created_at from public.message_template_folders f where f.id::text = a.target_id), a.at))
 where a.org_id = pg_temp.demo_id('org:northwind')
   and a.target_type in ('message_templates', 'message_template_folders');

set local session_replication_role = origin;
