-- Fix: message templates' audit trigger. Appending the 'content' key to the
-- list of changed fields was written `text[] || 'content'`, which Postgres
-- reads as two arrays and refused ("malformed array literal"), so every edit
-- of a template's content failed. The element is typed now; nothing else
-- changes. (tests/templates/service.test.ts saves content as a member.)

-- Section: functions

-- Trigger (row, message_templates): audit entries for templates created,
-- renamed, moved, edited and deleted (an edit of the content is logged as
-- such, without the content itself).
create or replace function private.audit_message_templates()
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
      changed := coalesce(changed, array[]::text[]) || 'content'::text;
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
