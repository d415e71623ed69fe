-- Creatives of closed campaigns: a completed or cancelled campaign keeps its
-- brief as it was (private.campaign_children_guard on products, audiences and
-- requirements), but new deliverables and new versions could still be
-- submitted to it; the creatives page only hid its upload form. The same
-- guard now covers them, so the database refuses whatever the client sends.
-- Reviews and comments on what was already submitted stay possible: closing a
-- campaign should not strand a version waiting for its review.

-- Section: functions

-- Trigger (row, before insert on creative_asset_versions): refuses a new
-- version of a deliverable whose campaign is completed or cancelled, with the
-- same error as campaign_children_guard (field campaign_id, hint campaign_closed).
create function private.creative_versions_campaign_guard()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  parent_status public.campaign_status;
begin
  select c.status into parent_status
    from public.creative_assets a
    join public.campaigns c on c.id = a.campaign_id
   where a.id = new.asset_id;
  if parent_status in ('completed', 'cancelled') then
    raise exception 'A % campaign can no longer be changed.', parent_status
      using errcode = '23514', table = tg_table_name, column = 'campaign_id',
            constraint = tg_table_name || '_campaign_id_check', hint = 'campaign_closed';
  end if;
  return new;
end;
$$;
comment on function private.creative_versions_campaign_guard() is
  'Trigger: no new creative version for a completed or cancelled campaign.';

-- Section: triggers

create trigger creative_assets_campaign_guard before insert on public.creative_assets
  for each row execute function private.campaign_children_guard();
create trigger creative_versions_campaign_guard before insert on public.creative_asset_versions
  for each row execute function private.creative_versions_campaign_guard();
