-- Feature: message templates. The emails, SMS and WhatsApp messages that
-- message campaigns send, in a library of two kinds:
--   * ready-made templates (org_id null): written by migrations only, read by
--     every signed-in person, changed by nobody (an organization copies one to
--     make it its own);
--   * an organization's own templates, in folders, written by people with
--     templates.write.
-- An email template is a block document (sections → columns → blocks, JSON
-- checked by the app's zod schema in src/lib/templates/schema.ts and bounded
-- here: object, size, depth) with a subject and a preheader; SMS and WhatsApp
-- templates are a text body. Rendering (MJML) and merge-tag checks are the
-- app's; the database keeps the shapes and the bounds whoever writes.
--
-- Permission: templates.write, its own rather than campaigns.write: those who
-- design and write messages (a copywriter, an agency designer) need not be
-- able to start or send campaigns to the audience, and those who send need
-- not edit the shared library. Owners, admins and members hold it.
-- Audit: templates and folders created, renamed, edited and deleted. No domain
-- events: nothing an automation starts on happens to a template (the sends
-- record message.* events).

-- Section: permissions

insert into public.permissions (name, description) values
  ('templates.write', 'Create and edit email, SMS and WhatsApp templates');

insert into public.base_role_permissions (role, permission) values
  ('owner', 'templates.write'),
  ('admin', 'templates.write'),
  ('member', 'templates.write');

-- Section: types

create type public.message_channel as enum ('email', 'sms', 'whatsapp');

-- Section: tables

-- Folders that group an organization's own templates in the library.
create table public.message_template_folders (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 80),
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint message_template_folders_org_id_name_key unique (org_id, name),
  constraint message_template_folders_org_id_id_key unique (org_id, id)
);
create index message_template_folders_created_by_idx on public.message_template_folders (created_by);
comment on table public.message_template_folders is 'Folders that group an organization''s message templates.';

-- A template: ready-made (org_id null) or an organization's own.
create table public.message_templates (
  id uuid primary key default gen_random_uuid(),
  org_id uuid references public.organizations (id) on delete cascade,
  folder_id uuid,
  channel public.message_channel not null,
  -- What a ready-made template is for (the library's filter); free for one's own.
  category text check (category in ('newsletter', 'announcement', 'promotion', 'plain', 'transactional')),
  name text not null check (char_length(btrim(name)) between 1 and 120),
  description text not null default '' check (char_length(description) <= 500),
  -- Marketing email must carry an unsubscribe link (checked by the app on save
  -- and again before sending); transactional email need not.
  purpose text not null default 'marketing' check (purpose in ('marketing', 'transactional')),
  subject text check (char_length(subject) <= 200),
  preheader text not null default '' check (char_length(preheader) <= 200),
  document jsonb
    constraint message_templates_document_bounds check (
      document is null or (jsonb_typeof(document) = 'object' and octet_length(document::text) <= 200000
                           and private.jsonb_depth_within(document, 10))),
  body text check (char_length(body) <= 4096),
  -- The template it was made from (the library shows "based on").
  based_on uuid references public.message_templates (id) on delete set null,
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  updated_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint message_templates_org_id_id_key unique (org_id, id),
  -- Email has a subject and a document; SMS and WhatsApp have a body alone.
  constraint message_templates_channel_shape check (
    case channel
      when 'email' then subject is not null and document is not null and body is null
      else body is not null and document is null and subject is null end),
  constraint message_templates_sms_length check (channel <> 'sms' or char_length(body) <= 1600),
  -- Ready-made templates sit in no folder.
  constraint message_templates_folder_needs_org check (org_id is not null or folder_id is null),
  foreign key (org_id, folder_id) references public.message_template_folders (org_id, id)
    on delete set null (folder_id)
);
-- The library: an organization's templates newest first, by folder, by
-- channel; the ready-made ones (org_id null); search by name.
create index message_templates_org_id_updated_at_idx on public.message_templates (org_id, updated_at desc, id);
create index message_templates_org_id_folder_id_idx on public.message_templates (org_id, folder_id);
create index message_templates_global_idx on public.message_templates (channel, name) where org_id is null;
create index message_templates_name_search_idx on public.message_templates using gin (name extensions.gin_trgm_ops);
create index message_templates_based_on_idx on public.message_templates (based_on);
create index message_templates_created_by_idx on public.message_templates (created_by);
create index message_templates_updated_by_idx on public.message_templates (updated_by);
comment on table public.message_templates is 'Email (block document), SMS and WhatsApp templates: ready-made (org_id null, read-only) and each organization''s own.';

-- Section: functions

-- Trigger (row, before update of message_templates): who changed it last.
create function private.message_templates_touch()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  new.updated_by := coalesce((select auth.uid()), new.updated_by);
  return new;
end;
$$;
comment on function private.message_templates_touch() is 'Trigger: stamps when and by whom a template was last changed.';

-- Trigger (row, message_templates): audit entries for templates created,
-- renamed, moved, edited and deleted (an edit of the content is logged as
-- such, without the content itself).
create function private.audit_message_templates()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  before_row jsonb;
  after_row jsonb;
  changed text[];
begin
  if coalesce(new.org_id, old.org_id) is null then
    return null;
  end if;
  if tg_op = 'INSERT' then
    perform private.audit_write(new.org_id, 'message_templates.insert', 'message_templates', new.id::text, null,
      jsonb_build_object('name', new.name, 'channel', new.channel));
  elsif tg_op = 'DELETE' then
    perform private.audit_write(old.org_id, 'message_templates.delete', 'message_templates', old.id::text,
      jsonb_build_object('name', old.name, 'channel', old.channel), null);
  else
    before_row := jsonb_build_object('name', old.name, 'folder_id', old.folder_id, 'purpose', old.purpose,
                                     'subject', old.subject);
    after_row := jsonb_build_object('name', new.name, 'folder_id', new.folder_id, 'purpose', new.purpose,
                                    'subject', new.subject);
    select array_agg(k) into changed from jsonb_object_keys(before_row) k
     where before_row -> k is distinct from after_row -> k;
    if new.document is distinct from old.document or new.body is distinct from old.body
       or new.preheader is distinct from old.preheader then
      changed := coalesce(changed, array[]::text[]) || 'content';
      before_row := before_row || jsonb_build_object('content', 'before');
      after_row := after_row || jsonb_build_object('content', 'edited');
    end if;
    if changed is not null then
      perform private.audit_write(new.org_id, 'message_templates.update', 'message_templates', new.id::text,
        (select jsonb_object_agg(k, before_row -> k) from unnest(changed) k) || jsonb_build_object('name', old.name),
        (select jsonb_object_agg(k, after_row -> k) from unnest(changed) k) || jsonb_build_object('name', new.name));
    end if;
  end if;
  return null;
end;
$$;
comment on function private.audit_message_templates() is 'Trigger: audit entries for an organization''s message templates.';

-- Trigger (row, message_template_folders): audit entries for folders created, renamed, deleted.
create function private.audit_message_template_folders()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.audit_write(new.org_id, 'message_template_folders.insert', 'message_template_folders',
      new.id::text, null, jsonb_build_object('name', new.name));
  elsif tg_op = 'DELETE' then
    perform private.audit_write(old.org_id, 'message_template_folders.delete', 'message_template_folders',
      old.id::text, jsonb_build_object('name', old.name), null);
  elsif new.name is distinct from old.name then
    perform private.audit_write(new.org_id, 'message_template_folders.update', 'message_template_folders',
      new.id::text, jsonb_build_object('name', old.name), jsonb_build_object('name', new.name));
  end if;
  return null;
end;
$$;
comment on function private.audit_message_template_folders() is 'Trigger: audit entries for message template folders.';

revoke all on function private.message_templates_touch() from public;
revoke all on function private.audit_message_templates() from public;
revoke all on function private.audit_message_template_folders() from public;

-- Section: triggers

create trigger message_templates_touch before update on public.message_templates
  for each row execute function private.message_templates_touch();
create trigger audit_message_templates after insert or update or delete on public.message_templates
  for each row execute function private.audit_message_templates();
create trigger message_template_folders_set_updated_at before update on public.message_template_folders
  for each row execute function private.set_updated_at();
create trigger audit_message_template_folders after insert or update or delete on public.message_template_folders
  for each row execute function private.audit_message_template_folders();

-- Section: policies
alter table public.message_template_folders enable row level security;
alter table public.message_templates enable row level security;

create policy "Members can read their organization's template folders"
  on public.message_template_folders for select to authenticated
  using (org_id in (select private.user_org_ids()));
create policy "Template editors can create template folders"
  on public.message_template_folders for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('templates.write')));
create policy "Template editors can rename template folders"
  on public.message_template_folders for update to authenticated
  using (org_id in (select private.org_ids_with_permission('templates.write')))
  with check (org_id in (select private.org_ids_with_permission('templates.write')));
create policy "Template editors can delete template folders"
  on public.message_template_folders for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('templates.write')));

-- Ready-made templates (org_id null) are read by everyone signed in; an
-- organization's own by its members. Writes need templates.write in the
-- row's organization, which a ready-made template has none of: nobody
-- changes or deletes them through the API.
create policy "Signed-in users can read ready-made templates and their organization's own"
  on public.message_templates for select to authenticated
  using (org_id is null or org_id in (select private.user_org_ids()));
create policy "Template editors can create templates"
  on public.message_templates for insert to authenticated
  with check (org_id in (select private.org_ids_with_permission('templates.write')));
create policy "Template editors can change templates"
  on public.message_templates for update to authenticated
  using (org_id in (select private.org_ids_with_permission('templates.write')))
  with check (org_id in (select private.org_ids_with_permission('templates.write')));
create policy "Template editors can delete templates"
  on public.message_templates for delete to authenticated
  using (org_id in (select private.org_ids_with_permission('templates.write')));

-- Section: grants
revoke all on public.message_template_folders, public.message_templates from anon, authenticated;

grant select, delete on public.message_template_folders to authenticated;
grant insert (org_id, name), update (name) on public.message_template_folders to authenticated;
grant select, delete on public.message_templates to authenticated;
grant insert (org_id, folder_id, channel, category, name, description, purpose, subject, preheader, document,
              body, based_on)
  on public.message_templates to authenticated;
grant update (folder_id, category, name, description, purpose, subject, preheader, document, body)
  on public.message_templates to authenticated;

-- Section: data
-- The ready-made library (fixed ids: the demo and the tests refer to them).
-- Their documents are valid for src/lib/templates/schema.ts
-- (tests/templates/library.test.ts parses each one).

insert into public.message_templates (id, org_id, channel, category, name, description, subject, preheader, document) values
  ('00000000-0000-4000-8000-00000000e001', null, 'email', 'newsletter', 'Monthly newsletter',
   'A header, a hero image, two stories side by side, a button and social links.',
   'Your monthly update from us', 'What is new this month',
   '{"version":1,"settings":{"width":600,"backgroundColor":"#f4f4f5","contentColor":"#ffffff","textColor":"#18181b","linkColor":"#2563eb","font":"sans"},"sections":[{"type":"section","id":"hdr","columns":[{"id":"hdrc","blocks":[{"type":"text","id":"brand","text":"**Your brand**","style":"subheading","align":"center"}]}]},{"type":"section","id":"hero","columns":[{"id":"heroc","blocks":[{"type":"image","id":"heroimg","src":"https://placehold.co/1200x600/e0e7ff/1e3a8a/png?text=Your+image","alt":"This month at a glance","align":"center"},{"type":"text","id":"title","text":"The monthly update","style":"heading","align":"left"},{"type":"text","id":"intro","text":"Hi {{contact.first_name | there}},\n\nHere is what happened this month: new arrivals, a story from our team and a few tips we think you will like.","style":"body","align":"left"}]}]},{"type":"section","id":"stories","columns":[{"id":"storiesa","blocks":[{"type":"image","id":"story1img","src":"https://placehold.co/600x400/fef3c7/92400e/png?text=Product","alt":"First story","align":"center"},{"type":"text","id":"story1","text":"**New this month**\n\nA short paragraph about your first story. [Read more](https://example.com/blog/first)","style":"body","align":"left"}]},{"id":"storiesb","blocks":[{"type":"image","id":"story2img","src":"https://placehold.co/600x400/fef3c7/92400e/png?text=Product","alt":"Second story","align":"center"},{"type":"text","id":"story2","text":"**From the team**\n\nA short paragraph about your second story. [Read more](https://example.com/blog/second)","style":"body","align":"left"}]}]},{"type":"section","id":"cta","columns":[{"id":"ctac","blocks":[{"type":"button","id":"ctabtn","label":"Visit the blog","href":"https://example.com/blog","align":"center","color":"#2563eb","textColor":"#ffffff"},{"type":"divider","id":"div","color":"#e5e7eb","thickness":1},{"type":"social","id":"social","align":"center","links":[{"network":"instagram","href":"https://instagram.com/yourbrand"},{"network":"facebook","href":"https://facebook.com/yourbrand"},{"network":"linkedin","href":"https://linkedin.com/company/yourbrand"}]}]}]},{"type":"section","id":"ftr","backgroundColor":"#f4f4f5","columns":[{"id":"ftrc","blocks":[{"type":"footer","id":"footer","text":"You are receiving this email because you signed up at our website.","address":"Your organization · Street and number · Postcode City · Country","unsubscribeLabel":"Unsubscribe"}]}]}]}'::jsonb),
  ('00000000-0000-4000-8000-00000000e002', null, 'email', 'announcement', 'Product announcement',
   'One big message with an image and a button, on a dark background.',
   'Something new is here', 'Be the first to see it',
   '{"version":1,"settings":{"width":600,"backgroundColor":"#0f172a","contentColor":"#ffffff","textColor":"#0f172a","linkColor":"#7c3aed","font":"sans"},"sections":[{"type":"section","id":"hero","columns":[{"id":"heroc","blocks":[{"type":"spacer","id":"top","height":24},{"type":"text","id":"kicker","text":"INTRODUCING","style":"small","align":"center","color":"#7c3aed"},{"type":"text","id":"title","text":"Something new is here","style":"heading","align":"center"},{"type":"text","id":"body","text":"{{contact.first_name | Hello}}, we have been working on this for months and we are excited to share it with you first.","style":"body","align":"center"},{"type":"image","id":"heroimg","src":"https://placehold.co/1200x600/e0e7ff/1e3a8a/png?text=Your+image","alt":"The new product","align":"center"},{"type":"button","id":"ctabtn","label":"See what is new","href":"https://example.com/new","align":"center","color":"#7c3aed","textColor":"#ffffff"},{"type":"spacer","id":"bottom","height":24}]}]},{"type":"section","id":"ftr","backgroundColor":"#f8fafc","columns":[{"id":"ftrc","blocks":[{"type":"footer","id":"footer","text":"You are receiving this email because you signed up at our website.","address":"Your organization · Street and number · Postcode City · Country","unsubscribeLabel":"Unsubscribe"}]}]}]}'::jsonb),
  ('00000000-0000-4000-8000-00000000e003', null, 'email', 'promotion', 'Weekend sale',
   'A sale banner, a discount code, a button and two products.',
   '{{contact.first_name | Hi}}, 20% off this weekend', 'Use the code WEEKEND20 at checkout',
   '{"version":1,"settings":{"width":600,"backgroundColor":"#fff7ed","contentColor":"#ffffff","textColor":"#1c1917","linkColor":"#ea580c","font":"sans"},"sections":[{"type":"section","id":"banner","backgroundColor":"#ea580c","columns":[{"id":"bannerc","blocks":[{"type":"text","id":"banner","text":"**Only this weekend: 20% off everything**","style":"body","align":"center","color":"#ffffff"}]}]},{"type":"section","id":"hero","columns":[{"id":"heroc","blocks":[{"type":"text","id":"title","text":"Treat yourself, {{contact.first_name | friend}}","style":"heading","align":"center"},{"type":"text","id":"body","text":"Use the code **WEEKEND20** at checkout. The offer ends Sunday at midnight.","style":"body","align":"center"},{"type":"button","id":"ctabtn","label":"Shop the sale","href":"https://example.com/sale","align":"center","color":"#ea580c","textColor":"#ffffff"}]}]},{"type":"section","id":"products","columns":[{"id":"productsa","blocks":[{"type":"image","id":"p1img","src":"https://placehold.co/600x400/fef3c7/92400e/png?text=Product","alt":"Best seller","href":"https://example.com/products/1","align":"center"},{"type":"text","id":"p1","text":"**Best seller**\n\nNow €39 (was €49)","style":"body","align":"center"}]},{"id":"productsb","blocks":[{"type":"image","id":"p2img","src":"https://placehold.co/600x400/fef3c7/92400e/png?text=Product","alt":"New arrival","href":"https://example.com/products/2","align":"center"},{"type":"text","id":"p2","text":"**New arrival**\n\nJust in: €59","style":"body","align":"center"}]}]},{"type":"section","id":"ftr","backgroundColor":"#fff7ed","columns":[{"id":"ftrc","blocks":[{"type":"footer","id":"footer","text":"You are receiving this email because you signed up at our website.","address":"Your organization · Street and number · Postcode City · Country","unsubscribeLabel":"Unsubscribe"}]}]}]}'::jsonb),
  ('00000000-0000-4000-8000-00000000e004', null, 'email', 'plain', 'Plain letter',
   'Just text, like a personal email, with the footer the law asks for.',
   'A note from us', '',
   '{"version":1,"settings":{"width":600,"backgroundColor":"#ffffff","contentColor":"#ffffff","textColor":"#18181b","linkColor":"#2563eb","font":"sans"},"sections":[{"type":"section","id":"body","columns":[{"id":"bodyc","blocks":[{"type":"text","id":"body","text":"Hi {{contact.first_name | there}},\n\nWrite your message here, the way you would write to one person.\n\nBest wishes,\n{{org.name}}","style":"body","align":"left"}]}]},{"type":"section","id":"ftr","columns":[{"id":"ftrc","blocks":[{"type":"footer","id":"footer","text":"You are receiving this email because you signed up at our website.","address":"Your organization · Street and number · Postcode City · Country","unsubscribeLabel":"Unsubscribe"}]}]}]}'::jsonb);

insert into public.message_templates (id, org_id, channel, category, name, description, body) values
  ('00000000-0000-4000-8000-00000000e005', null, 'sms', 'promotion', 'SMS offer',
   'A short offer that fits in one text message.',
   'Hi {{contact.first_name | there}}! 20% off everything this weekend with code WEEKEND20. Reply STOP to opt out.'),
  ('00000000-0000-4000-8000-00000000e006', null, 'whatsapp', 'announcement', 'WhatsApp update',
   'A friendly update for people who chose WhatsApp.',
   'Hello {{contact.first_name | there}} 👋

Our new collection is here. Take a look: https://example.com/new

Reply STOP to stop these messages.');
