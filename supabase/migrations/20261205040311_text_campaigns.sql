-- Feature: SMS and WhatsApp campaigns (issue 15, parts 2 and 5). A campaign of
-- kind sms or whatsapp sends a text (message_sends.content = {"text": "…"},
-- merge tags filled per person) through the messaging adapter
-- (src/lib/server/messaging: Twilio's API shape, the platform's stand-in
-- locally), with the same recipients table, claim, lease, throttle and
-- retries as email (20261205003200_message_sending.sql):
--   * the audience is the campaign's audiences as email reaches them
--     (private.message_targets decides who is reached; its email reasons are
--     replaced by the channel's own), each with a phone number in E.164 form
--     and an explicit, latest "granted" consent for the channel (as
--     public.contact_can_send says); a number another contact has is a
--     duplicate. Non-email reasons message_targets gives (a holdout group)
--     are kept.
--   * a text marked sent stores the provider's id and its SMS segments;
--   * delivery receipts (signed status callbacks) record message.delivered or
--     message.failed once per message;
--   * a reply STOP (or STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT) withdraws the
--     channel's consent of every contact that number was texted as, with a
--     message.unsubscribed event; START / UNSTOP grants it again.

-- Section: tables

alter table public.message_recipients
  -- The provider's id of a text accepted for sending (Twilio's MessageSid):
  -- receipts must name it. Null for email (the Message-ID is the row's id).
  add column provider_id text check (char_length(provider_id) <= 100),
  -- SMS parts the text went out in (GSM-7 / UCS-2 counting); null for email and WhatsApp.
  add column segments smallint check (segments between 1 and 100);
comment on column public.message_recipients.provider_id is 'The provider''s id of a sent SMS/WhatsApp message (receipts name it).';
comment on column public.message_recipients.segments is 'SMS parts the text was sent in (billing); null for email and WhatsApp.';

-- STOP replies look up who a number was texted as.
create index message_recipients_texted_idx on public.message_recipients (address)
  where provider_id is not null;

-- A failed delivery receipt is recorded once per message, like a delivery (-5).
alter table private.message_engagements
  drop constraint message_engagements_what_check,
  add constraint message_engagements_what_check check (what >= -6);

-- Section: functions

-- A contact's phone number in E.164 (+ and 7–15 digits), or null when it has
-- none that can be dialled without guessing a country: a number must be
-- written with its country code (+44…, or 0044…).
create function private.phone_e164(p_phone text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case when d ~ '^\+[1-9][0-9]{6,14}$' then d end
    from (select regexp_replace(regexp_replace(p_phone, '[^0-9+]', '', 'g'), '^00', '+') as d) x;
$$;
comment on function private.phone_e164(text) is 'A phone number in E.164 form, or null when it has no country code.';

-- Who a text campaign's audiences reach on a channel, each with why they
-- would not get it (null: they will). Reach is message_targets' (so what it
-- leaves out stays out); its email reasons are replaced by the channel's:
-- erased, no_phone, invalid_phone (no country code), no_text_consent (no
-- latest "granted" for the channel), duplicate_phone (an older contact has it).
create function private.message_text_targets(p_campaign_id uuid, p_channel public.consent_channel)
returns table (contact_id uuid, address extensions.citext, reason text)
language sql
stable
security definer
set search_path = ''
as $$
  with camp as (
    select c.org_id from public.campaigns c where c.id = p_campaign_id
  ), reached as (
    select t.contact_id,
           case when t.reason in ('erased', 'no_address', 'unsubscribed', 'bounced', 'no_consent', 'duplicate_address')
                then null else t.reason end as other
      from private.message_targets(p_campaign_id) t
  ), judged as (
    select c.id, c.created_at, private.phone_e164(c.phone) as phone,
           coalesce(x.other,
             case when c.erased_at is not null then 'erased'
                  when c.phone is null then 'no_phone'
                  when private.phone_e164(c.phone) is null then 'invalid_phone'
                  when not coalesce((select r.status = 'granted' from public.consent_records r
                                      where r.org_id = c.org_id and r.contact_id = c.id and r.channel = p_channel
                                      order by r.recorded_at desc, r.id desc limit 1), false) then 'no_text_consent'
             end) as reason
      from reached x cross join camp join public.contacts c on c.org_id = camp.org_id and c.id = x.contact_id
  )
  select j.id,
         case when j.reason = 'erased' then null else j.phone::extensions.citext end,
         coalesce(j.reason, case when row_number() over (partition by j.reason is null, j.phone
                                                          order by j.created_at, j.id) > 1
                                 then 'duplicate_phone' end)
    from judged j;
$$;
comment on function private.message_text_targets(uuid, public.consent_channel) is
  'Contacts an SMS/WhatsApp campaign reaches, with their E.164 number and why each is suppressed (null: they get it).';

-- Freezes the recipients of a text campaign that starts sending (as
-- message_freeze does for email): suppressed rows counted by reason, a
-- message.suppressed event each; refuses an audience nobody can get texts in.
create function private.message_freeze_texts(p_org_id uuid, p_campaign_id uuid, p_channel public.consent_channel)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_total integer;
  v_suppressed integer;
  v_reasons jsonb;
begin
  insert into public.message_recipients (org_id, campaign_id, contact_id, address, status, reason)
  select p_org_id, p_campaign_id, t.contact_id, t.address,
         case when t.reason is null then 'queued' else 'suppressed' end::public.message_recipient_status, t.reason
    from private.message_text_targets(p_campaign_id, p_channel) t
  on conflict (campaign_id, contact_id) do nothing;

  select count(*), count(*) filter (where x.status = 'suppressed')
    into v_total, v_suppressed
    from public.message_recipients x where x.campaign_id = p_campaign_id;
  select coalesce(jsonb_object_agg(x.reason, x.n), '{}') into v_reasons
    from (select r.reason, count(*) as n from public.message_recipients r
           where r.campaign_id = p_campaign_id and r.status = 'suppressed' group by r.reason) x;
  if v_total - v_suppressed = 0 then
    perform private.message_send_refuse('status',
      case when v_total = 0 then 'Nobody to send to: the campaign''s audience has no contacts.'
           else format('Nobody to send to: none of the audience''s %s contacts has a mobile number with its country code and agreed to %s messages.',
                       v_total, case p_channel when 'sms' then 'text' else 'WhatsApp' end) end,
      'message_audience_empty');
  end if;

  insert into public.events (org_id, type, subject_type, subject_id, actor_id, payload)
  select p_org_id, 'message.suppressed', 'contact', r.contact_id, (select auth.uid()),
         jsonb_build_object('campaign_id', p_campaign_id, 'recipient_id', r.id, 'contact_id', r.contact_id,
                            'channel', p_channel, 'reason', r.reason)
    from public.message_recipients r
   where r.campaign_id = p_campaign_id and r.status = 'suppressed';

  update public.message_sends s
     set recipients = v_total, suppressed = v_suppressed, suppressed_by_reason = v_reasons
   where s.campaign_id = p_campaign_id;
end;
$$;
comment on function private.message_freeze_texts(uuid, uuid, public.consent_channel) is
  'Freezes an SMS/WhatsApp campaign''s recipients when it starts sending; refuses an audience nobody can get texts in.';

-- Trigger (row, before insert or update of message_sends): as before, and
-- SMS/WhatsApp campaigns too. A text needs its text (within the channel's
-- length) instead of a subject, a template document and a postal address.
create or replace function private.message_sends_guard()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_campaign record;
  v_text boolean;
begin
  select c.kind, c.status, c.brand_id, c.org_id into v_campaign from public.campaigns c where c.id = new.campaign_id;
  if v_campaign.kind is null or v_campaign.kind not in ('email', 'sms', 'whatsapp') then
    perform private.message_send_refuse('campaign_id', 'Only email, SMS and WhatsApp campaigns send messages.', 'message_kind');
  end if;
  v_text := v_campaign.kind in ('sms', 'whatsapp');
  if tg_op = 'INSERT' then
    if new.status <> 'draft' then
      perform private.message_send_refuse('status', 'A message starts as a draft.', 'message_transition_refused');
    end if;
    new.recipients := 0; new.sent := 0; new.failed := 0; new.suppressed := 0;
    new.started_at := null; new.finished_at := null;
    return new;
  end if;

  if new.status is distinct from old.status then
    if not ((old.status, new.status) in (
        ('draft', 'scheduled'), ('draft', 'sending'), ('scheduled', 'draft'), ('scheduled', 'sending'),
        ('scheduled', 'cancelled'), ('draft', 'cancelled'), ('sending', 'paused'), ('sending', 'finished'),
        ('sending', 'cancelled'), ('paused', 'sending'), ('paused', 'cancelled'))) then
      perform private.message_send_refuse('status',
        case old.status
          when 'finished' then 'This campaign has been sent; it cannot be sent again.'
          when 'cancelled' then 'This campaign was cancelled; it cannot be sent.'
          else format('A %s campaign cannot become %s.', old.status, new.status) end,
        'message_transition_refused');
    end if;
    if new.status = 'scheduled' and (new.send_at is null or new.send_at <= now()) then
      perform private.message_send_refuse('send_at',
        'That time has already passed: choose a time in the future, or send now.', 'message_send_at_past');
    end if;
    if new.status in ('scheduled', 'sending') and old.status in ('draft', 'scheduled') then
      if v_campaign.status in ('completed', 'cancelled') then
        perform private.message_send_refuse('status', format('The campaign is %s.', v_campaign.status), 'message_campaign_closed');
      end if;
      if v_text then
        if coalesce(btrim(new.content->>'text'), '') = '' then
          perform private.message_send_refuse('content', 'Write the text message before sending.', 'message_no_content');
        end if;
        if char_length(new.content->>'text') > (case v_campaign.kind when 'sms' then 1600 else 4096 end) then
          perform private.message_send_refuse('content',
            format('The text is too long: %s characters at most for %s.',
                   case v_campaign.kind when 'sms' then 1600 else 4096 end,
                   case v_campaign.kind when 'sms' then 'SMS' else 'WhatsApp' end),
            'message_text_too_long');
        end if;
      else
        if new.content is null then
          perform private.message_send_refuse('content', 'Choose a template for the message before sending.', 'message_no_content');
        end if;
        if btrim(new.subject) = '' then
          perform private.message_send_refuse('subject', 'Add a subject line before sending.', 'message_no_subject');
        end if;
      end if;
      if not exists (select 1 from public.campaign_audiences a where a.campaign_id = new.campaign_id) then
        perform private.message_send_refuse('campaign_id',
          'Choose who receives this campaign (the Audience step) before sending.', 'message_no_audience');
      end if;
      if not v_text and not exists (select 1 from public.brands b where b.id = v_campaign.brand_id
                      and coalesce(btrim(b.address), '') <> '' and coalesce(btrim(b.city), '') <> ''
                      and coalesce(btrim(b.country), '') <> '') then
        perform private.message_send_refuse('campaign_id',
          'Add the brand''s postal address (street, city, country) before sending: marketing email must show it.',
          'message_no_postal_address');
      end if;
    end if;
    if new.status = 'scheduled' and old.status = 'draft' then
      if v_text then
        if not exists (select 1 from private.message_text_targets(new.campaign_id, v_campaign.kind::text::public.consent_channel) t
                        where t.reason is null) then
          perform private.message_send_refuse('status',
            format('Nobody to send to: the campaign''s audience has no one who can receive %s messages.',
                   case v_campaign.kind when 'sms' then 'text' else 'WhatsApp' end),
            'message_audience_empty');
        end if;
      elsif not exists (select 1 from private.message_targets(new.campaign_id) t where t.reason is null) then
        perform private.message_send_refuse('status', 'Nobody to send to: the campaign''s audience has no one who can receive email.',
          'message_audience_empty');
      end if;
    end if;
    if new.status in ('scheduled', 'sending') and old.status = 'draft' then
      new.problem := null;
    end if;
    if new.status = 'sending' and old.status in ('draft', 'scheduled') then
      new.started_at := clock_timestamp();
      if old.status = 'draft' then new.send_at := new.started_at; end if;
    end if;
    if new.status = 'finished' then
      new.finished_at := clock_timestamp();
    end if;
  elsif old.status in ('sending', 'paused', 'finished', 'cancelled')
        and (new.content, new.template_id, new.subject, new.preheader, new.from_name, new.reply_to,
             new.send_at, new.time_zone)
            is distinct from (old.content, old.template_id, old.subject, old.preheader, old.from_name, old.reply_to,
                              old.send_at, old.time_zone) then
    perform private.message_send_refuse('status',
      case old.status
        when 'sending' then 'This campaign is sending: its message can no longer be edited. Cancel it to stop sending.'
        when 'paused' then 'This campaign has started sending: its message can no longer be edited, only resumed or cancelled.'
        when 'finished' then 'This campaign has been sent: its message can no longer be edited.'
        else 'This campaign was cancelled: its message can no longer be edited.' end,
      'message_locked');
  end if;
  new.updated_at := now();
  return new;
end;
$$;
comment on function private.message_sends_guard() is
  'Trigger: the sending state machine, what sending needs (email or text), and no edits once sending started.';

-- Trigger (row, after update of message_sends): freezes recipients when
-- sending starts (a text campaign by phone and the channel's consent), wakes
-- the workers, schedules the start of a scheduled one.
create or replace function private.message_sends_after_update()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_kind text;
begin
  if new.status is distinct from old.status then
    if new.status = 'sending' and old.status in ('draft', 'scheduled') then
      select c.kind::text into v_kind from public.campaigns c where c.id = new.campaign_id;
      if v_kind in ('sms', 'whatsapp') then
        perform private.message_freeze_texts(new.org_id, new.campaign_id, v_kind::public.consent_channel);
      else
        perform private.message_freeze(new.org_id, new.campaign_id);
      end if;
    end if;
    if new.status = 'scheduled' then
      perform private.enqueue_job('message_send_start', jsonb_build_object('campaign_id', new.campaign_id),
        'message_send_start:' || new.campaign_id, new.send_at, 25, null);
    end if;
    if new.status = 'sending' then
      perform pg_notify('message_send', new.campaign_id::text);
    end if;
  end if;
  return null;
end;
$$;
comment on function private.message_sends_after_update() is
  'Trigger: freezes recipients (email or text) when sending starts, wakes workers, schedules a scheduled start.';

-- The provider accepted a claimed text: sent, with its provider id and SMS
-- parts, counted, message.sent on the campaign's channel. A row no longer
-- claimed is left (as message_mark_sent).
create function private.message_mark_text_sent(p_id uuid, p_provider_id text, p_segments integer)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v record;
begin
  update public.message_recipients r
     set status = 'sent', sent_at = clock_timestamp(), claimed_until = null,
         provider_id = left(p_provider_id, 100), segments = p_segments
   where r.id = p_id and r.status = 'claimed'
  returning r.org_id, r.campaign_id, r.contact_id into v;
  if v.campaign_id is null then
    return false;
  end if;
  update public.message_sends s set sent = s.sent + 1 where s.campaign_id = v.campaign_id;
  perform private.record_event(v.org_id, 'message.sent', 'contact', v.contact_id,
    jsonb_build_object('campaign_id', v.campaign_id, 'recipient_id', p_id, 'contact_id', v.contact_id,
                       'channel', (select c.kind::text from public.campaigns c where c.id = v.campaign_id)));
  return true;
end;
$$;
comment on function private.message_mark_text_sent(uuid, text, integer) is
  'Worker: marks a claimed SMS/WhatsApp message sent after the provider accepted it, with its id and parts.';

-- The provider refused a claimed text for good (a number it cannot reach,
-- or temporary refusals ran out): failed, counted, message.failed with why.
create function private.message_mark_text_failed(p_id uuid, p_reason text)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v record;
  v_reason text := left(coalesce(p_reason, 'refused'), 500);
begin
  update public.message_recipients r set status = 'failed', reason = v_reason, claimed_until = null
   where r.id = p_id and r.status = 'claimed'
  returning r.org_id, r.campaign_id, r.contact_id into v;
  if v.campaign_id is null then
    return false;
  end if;
  update public.message_sends s set failed = s.failed + 1 where s.campaign_id = v.campaign_id;
  perform private.record_event(v.org_id, 'message.failed', 'contact', v.contact_id,
    jsonb_build_object('campaign_id', v.campaign_id, 'recipient_id', p_id, 'contact_id', v.contact_id,
                       'channel', (select c.kind::text from public.campaigns c where c.id = v.campaign_id),
                       'reason', v_reason));
  return true;
end;
$$;
comment on function private.message_mark_text_failed(uuid, text) is
  'Worker: marks a claimed SMS/WhatsApp message failed for good, with the reason.';

-- A delivery receipt of a sent text, after the app verified the provider's
-- signature: delivered (or read) records message.delivered, failed or
-- undelivered records message.failed with the reason, each once per message.
-- The receipt must name the provider id the text was sent under. Returns
-- 'recorded', 'duplicate', 'ignored' (queued, sent: not an outcome) or 'unknown'.
create function tracking.text_receipt(p_recipient_id uuid, p_provider_id text, p_status text, p_reason text)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v record;
  v_what integer := case when p_status in ('delivered', 'read') then -5
                         when p_status in ('failed', 'undelivered') then -6 end;
begin
  select r.org_id, r.campaign_id, r.contact_id, c.kind::text as channel into v
    from public.message_recipients r
    join public.campaigns c on c.id = r.campaign_id and c.org_id = r.org_id
   where r.id = p_recipient_id and r.status = 'sent' and r.provider_id = p_provider_id;
  if v.campaign_id is null then
    return 'unknown';
  end if;
  if v_what is null then
    return 'ignored';
  end if;
  insert into private.message_engagements (recipient_id, what, campaign_id)
  values (p_recipient_id, v_what, v.campaign_id)
  on conflict do nothing;
  if not found then
    return 'duplicate';
  end if;
  perform private.record_event(v.org_id, case v_what when -5 then 'message.delivered' else 'message.failed' end,
    'contact', v.contact_id,
    jsonb_build_object('campaign_id', v.campaign_id, 'recipient_id', p_recipient_id,
                       'contact_id', v.contact_id, 'channel', v.channel)
    || case when v_what = -6
            then jsonb_build_object('reason', left(coalesce(nullif(btrim(p_reason), ''), 'Not delivered'), 500))
            else '{}'::jsonb end);
  return 'recorded';
end;
$$;
comment on function tracking.text_receipt(uuid, text, text, text) is
  'SMS/WhatsApp status callback: records message.delivered or message.failed once for a sent text.';

-- A reply to the sending number, after the app verified the provider's
-- signature and read the keyword: 'stop' withdraws the channel's consent of
-- every contact the number was texted as (one per organization that texted
-- it), recorded as a consent change with a message.unsubscribed event naming
-- the latest message; 'start' grants it again. Contacts whose latest consent
-- already says so are left alone. Returns how many contacts changed.
create function tracking.text_reply(p_channel text, p_from text, p_keyword text)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_changed integer;
begin
  if p_channel not in ('sms', 'whatsapp') or p_keyword not in ('stop', 'start') then
    raise exception 'Unknown channel or keyword: % %', p_channel, p_keyword using errcode = '22023';
  end if;
  with latest as (
    select distinct on (r.org_id, r.contact_id) r.org_id, r.contact_id, r.id, r.campaign_id
      from public.message_recipients r
      join public.campaigns c on c.id = r.campaign_id and c.org_id = r.org_id
     where r.address = p_from::extensions.citext and r.provider_id is not null and r.status = 'sent'
       and c.kind::text = p_channel
     order by r.org_id, r.contact_id, r.sent_at desc, r.id
  ), changing as (
    select l.* from latest l
      join public.contacts c on c.org_id = l.org_id and c.id = l.contact_id and c.erased_at is null
     where coalesce((select cr.status::text from public.consent_records cr
                      where cr.org_id = l.org_id and cr.contact_id = l.contact_id and cr.channel::text = p_channel
                      order by cr.recorded_at desc, cr.id desc limit 1), '')
           <> case p_keyword when 'stop' then 'withdrawn' else 'granted' end
  ), recorded as (
    insert into public.consent_records (org_id, contact_id, channel, status, source, recorded_by)
    select ch.org_id, ch.contact_id, p_channel::public.consent_channel,
           case p_keyword when 'stop' then 'withdrawn' else 'granted' end::public.consent_status,
           format('Replied %s to a %s message', upper(p_keyword), case p_channel when 'sms' then 'text' else 'WhatsApp' end),
           null
      from changing ch
    returning 1
  ), unsubscribed as (
    insert into public.events (org_id, type, subject_type, subject_id, actor_id, payload)
    select ch.org_id, 'message.unsubscribed', 'contact', ch.contact_id, null,
           jsonb_build_object('campaign_id', ch.campaign_id, 'recipient_id', ch.id, 'contact_id', ch.contact_id,
                              'channel', p_channel)
      from changing ch
     where p_keyword = 'stop'
    returning 1
  )
  -- (Both inserts run whether or not the last select reads them.)
  select count(*) into v_changed from recorded;
  return v_changed;
end;
$$;
comment on function tracking.text_reply(text, text, text) is
  'SMS/WhatsApp reply STOP/START: withdraws or grants the channel''s consent of the contacts that number was texted as.';

-- Section: grants

revoke all on function private.phone_e164(text) from public;
revoke all on function private.message_text_targets(uuid, public.consent_channel) from public;
revoke all on function private.message_freeze_texts(uuid, uuid, public.consent_channel) from public;
revoke all on function private.message_mark_text_sent(uuid, text, integer) from public;
revoke all on function private.message_mark_text_failed(uuid, text) from public;
revoke all on function tracking.text_receipt(uuid, text, text, text) from public;
revoke all on function tracking.text_reply(text, text, text) from public;
grant execute on function private.message_mark_text_sent(uuid, text, integer) to service_role;
grant execute on function private.message_mark_text_failed(uuid, text) to service_role;
grant execute on function tracking.text_receipt(uuid, text, text, text) to anon, authenticated, service_role;
grant execute on function tracking.text_reply(text, text, text) to anon, authenticated, service_role;
