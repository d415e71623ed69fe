-- Demo workspace: when the audit entries of segments, automations, webhooks,
-- imports and contacts were written. Their triggers stamp now(); this moves
-- each to the moment the earlier parts say the change happened (never after
-- demo_now()), so the log reads as history and the demo is the same every time.
-- Triggers off for this statement only, as in 99-history.sql.

set local session_replication_role = replica;

-- Section: audit entries
update public.audit_log a
   set at = least(pg_temp.demo_now(), coalesce(case a.target_type
     when 'segments' then (select s.created_at from public.segments s where s.id::text = a.target_id)
     when 'automations' then case
       when a.action = 'automations.insert'
         then (select x.created_at from public.automations x where x.id::text = a.target_id)
       else (select v.created_at from public.automations x
               join public.automation_versions v on v.id = x.active_version_id
              where x.id::text = a.target_id) end
     when 'webhook_subscriptions'
       then (select w.created_at from public.webhook_subscriptions w where w.id::text = a.target_id)
     when 'contact_imports' then (select case when a.action = 'contact_imports.started'
                                              then coalesce(i.started_at, i.created_at)
                                              else coalesce(i.finished_at, i.created_at) end
                                    from public.contact_imports i where i.id::text = a.target_id)
     when 'contact' then (select max(e.occurred_at) from public.events e
                           where e.subject_id::text = a.target_id
                             and e.type = a.action)
     end, a.at))
 where a.target_type in ('segments', 'automations', 'webhook_subscriptions', 'contact_imports', 'contact');

set local session_replication_role = origin;
