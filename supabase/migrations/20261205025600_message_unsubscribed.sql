-- Feature: unsubscribes counted per campaign message (issue 15, parts 3 and 6).
-- A campaign email's unsubscribe link and its List-Unsubscribe one-click URL
-- carry a token that also names the message (the message_recipients row,
-- src/lib/unsubscribe/token.ts, version u2). When the person unsubscribes
-- (the page's button or a mail client's RFC 8058 POST), the app withdraws the
-- email consent as before (unsubscribe.withdraw_email) and then records
-- message.unsubscribed {campaign_id, recipient_id, contact_id, channel} for
-- that message, once: a second click or a provider's repeated POST records
-- nothing new. The report rollup (private.message_report_apply) already
-- counts message.unsubscribed as the campaign's unsubscribes.

-- Section: tables

-- -6: the message's unsubscribe (the first one; later ones are not recorded).
alter table private.message_engagements
  drop constraint message_engagements_what_check,
  add constraint message_engagements_what_check check (what >= -6);

-- Section: functions

-- The unsubscribe link of a campaign message, after unsubscribe.withdraw_email
-- (same request, same verified token): records message.unsubscribed for the
-- message when it is one of this contact's, of this organization, and was
-- sent; only the first time. Returns whether it recorded. Not in an exposed
-- schema (as withdraw_email): callable only by the app with a token's ids.
create function unsubscribe.message_unsubscribed(p_org_id uuid, p_contact_id uuid, p_message_id uuid)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not exists (select 1 from public.message_recipients r
                  where r.id = p_message_id and r.org_id = p_org_id and r.contact_id = p_contact_id) then
    return false;
  end if;
  return private.message_record(p_message_id, 'message.unsubscribed', -6);
end;
$$;
comment on function unsubscribe.message_unsubscribed(uuid, uuid, uuid) is
  'Unsubscribe link of a campaign message: records message.unsubscribed once for the message a verified token names.';

-- Section: grants

revoke all on function unsubscribe.message_unsubscribed(uuid, uuid, uuid) from public;
grant execute on function unsubscribe.message_unsubscribed(uuid, uuid, uuid) to anon, authenticated;
