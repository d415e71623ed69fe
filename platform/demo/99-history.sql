-- Demo workspace, last part: when things happened. Triggers stamp what they
-- write with now() (audit entries, member events, updated_at columns); this
-- moves those stamps back to the moments the earlier parts say things
-- happened, with triggers off for these statements only (they would stamp
-- updated_at again, and re-check what was checked when the rows went in).
-- A module's own file should date its rows itself where it can; what only a
-- trigger stamps is fixed here.

set local session_replication_role = replica;

-- Section: people
update auth.users
   set created_at = pg_temp.demo_now() - interval '121 days', updated_at = pg_temp.demo_now() - interval '121 days',
       email_confirmed_at = pg_temp.demo_now() - interval '121 days'
 where id = 'd0d0d0d0-0000-4000-8000-000000000001';
update auth.identities i set created_at = u.created_at, updated_at = u.created_at, last_sign_in_at = u.created_at
  from auth.users u where u.id = i.user_id and u.id = 'd0d0d0d0-0000-4000-8000-000000000001';
update public.profiles p set created_at = u.created_at, updated_at = u.created_at
  from auth.users u where u.id = p.id;

-- Section: organizations
update public.members m set created_at = o.created_at, updated_at = o.created_at
  from public.organizations o where o.id = m.org_id and m.user_id = o.created_by;
update public.branding_settings b set updated_at = o.created_at + interval '1 day'
  from public.organizations o where o.id = b.org_id;
update public.events e set occurred_at = m.created_at
  from public.members m where e.type = 'member.joined' and e.org_id = m.org_id and e.subject_id = m.user_id;
update public.events e set occurred_at = i.accepted_at
  from public.invitations i where e.type = 'invitation.accepted' and e.subject_id = i.id;

update public.audit_log a
   set at = case
     when a.target_type = 'branding_settings' then o.created_at + interval '1 day'
     when a.target_type = 'role_permissions' then (select r.created_at from public.roles r where r.id::text = a.target_id)
     when a.action = 'invitations.update' then (a.after ->> 'accepted_at')::timestamptz
     when a.target_type = 'members' then (select m.created_at from public.members m
                                           where m.org_id = a.org_id and m.user_id::text = a.target_id)
     else coalesce((a.after ->> 'created_at')::timestamptz, a.at) end
  from public.organizations o
 where o.id = a.org_id;

-- Section: what later updates stamped
update public.contacts c set updated_at = x.at
  from (select e.subject_id, max(e.occurred_at) as at from public.events e
         where e.type = 'contact.updated' group by e.subject_id) x
 where c.id = x.subject_id;
update public.segments set updated_at = created_at;
update public.automations set updated_at = created_at;
update public.contact_imports set updated_at = coalesce(finished_at, created_at);

set local session_replication_role = origin;
