-- A campaign's reach across all its audiences, each contact counted once.
--
-- A campaign can target several saved audiences; the overview used to add up
-- each audience's reach ("Up to N"), counting a contact who is in two
-- audiences twice. public.campaign_reach() counts the union: a contact is
-- reached when any of the campaign's audiences reaches them (its included
-- segments, or everyone when it includes none, minus its own excluded
-- segments) and they may be messaged on the channel with the same status and
-- consent rules as public.segments_reach(). This is the same per-audience
-- rule the send engine's recipient freeze (private.message_targets) applies.
--
-- public.audiences_reach() counts the same union for a list of audiences (the
-- wizard's live count while audiences are picked); campaign_reach() is it for
-- the audiences a campaign targets.
--
-- Security invoker: both run under the caller's RLS, so an outsider counts 0.

-- Section: functions
create function public.audiences_reach(
  p_org_id uuid,
  p_audience_ids uuid[],
  p_channel public.consent_channel
)
returns bigint
language sql
stable
set search_path = ''
as $$
  select count(*)
    from public.contacts c
   where c.org_id = p_org_id
     and c.erased_at is null
     and case when p_channel = 'email' then c.status = 'subscribed' and c.email is not null
              else c.phone is not null end
     and exists (
       select 1
         from public.audiences a
        where a.org_id = p_org_id and a.id = any(p_audience_ids)
          and (not exists (select 1 from public.audience_segments s
                            where s.org_id = a.org_id and s.audience_id = a.id and not s.excluded)
               or exists (select 1 from public.audience_segments s
                            join public.segment_memberships m
                              on m.org_id = s.org_id and m.segment_id = s.segment_id and m.contact_id = c.id
                           where s.org_id = a.org_id and s.audience_id = a.id and not s.excluded))
          and not exists (select 1 from public.audience_segments s
                            join public.segment_memberships m
                              on m.org_id = s.org_id and m.segment_id = s.segment_id and m.contact_id = c.id
                           where s.org_id = a.org_id and s.audience_id = a.id and s.excluded))
     and coalesce((select r.status = 'granted' from public.consent_records r
                    where r.org_id = c.org_id and r.contact_id = c.id and r.channel = p_channel
                    order by r.recorded_at desc, r.id desc limit 1),
                  p_channel = 'email');
$$;
comment on function public.audiences_reach(uuid, uuid[], public.consent_channel) is
  'Contacts any of the given audiences reaches on a channel, each counted once, with consent.';

create function public.campaign_reach(p_campaign_id uuid, p_channel public.consent_channel)
returns bigint
language sql
stable
set search_path = ''
as $$
  select coalesce((select public.audiences_reach(k.org_id,
                            array(select ca.audience_id from public.campaign_audiences ca
                                   where ca.org_id = k.org_id and ca.campaign_id = k.id),
                            p_channel)
                     from public.campaigns k where k.id = p_campaign_id), 0);
$$;
comment on function public.campaign_reach(uuid, public.consent_channel) is
  'Contacts a campaign reaches on a channel through any of its audiences, each counted once, with consent.';

-- Section: grants
revoke all on function public.audiences_reach(uuid, uuid[], public.consent_channel) from public, anon;
revoke all on function public.campaign_reach(uuid, public.consent_channel) from public, anon;
grant execute on function public.audiences_reach(uuid, uuid[], public.consent_channel) to authenticated, service_role;
grant execute on function public.campaign_reach(uuid, public.consent_channel) to authenticated, service_role;
