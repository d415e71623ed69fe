-- Feature: marketplace ingestion at ≥ 10,000 profiles/s, continued (issue 16).
-- Less work per new profile, the same rules and the same answers:
--   * the handle check: PostgreSQL's regular expressions spend ~2.7 µs on a
--     bounded repetition such as ^[A-Za-z0-9._]{1,30}$, against ~0.5 µs for
--     the same character class unbounded (^[A-Za-z0-9._]+$) with the length
--     compared by char_length (100,000 handles: 325 ms against 53–88 ms). The
--     rule is unchanged: every character in the platform's class, the length
--     in its bounds, and for Snapchat a letter first
--     (tests/marketplace/checks.test.ts compares both forms handle by handle);
--   * a profile's metric history had two indexes on the same leading column:
--     the primary key (profile_id, run_id) and (profile_id, measured_at).
--     Every reader asks for one profile's rows, or a page's (a few per run
--     the profile was in), which the primary key finds and which are sorted
--     in memory: the second index only cost an entry per metric row;
--   * the history's run_id index (a run's changes on the runs page, its
--     counts, and ON DELETE CASCADE when a run is deleted) becomes a BRIN
--     bloom filter, as the profiles' last_run_id did
--     (20261205092809_marketplace_ingestion_hot_updates.sql): a run's rows are
--     appended together, so a filter per range of pages finds them, at a
--     fraction of a B-tree entry per row.
-- Measured on a 1M-profile marketplace (2-core machine, noisy): 100,000-profile
-- runs of new profiles rolled back and alternated in one session, 9.75 / 9.81
-- / 10.53 / 11.82 s against 9.85 / 10.82 / 11.08 / 12.89 s before, WAL 188–189
-- MB against 203–223 MB; bench:marketplace, three runs: new profiles 9,079 /
-- 9,440 / 9,120 per s (9,156 before, within the noise), the same profiles
-- updated 11,694 / 12,361 / 11,901 per s (11,020 before).

-- Section: functions (used by checks)

create or replace function private.social_handle_ok(p_platform public.social_platform, p_handle text)
returns boolean
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
  -- The same formats as before ('^[A-Za-z0-9._]{1,30}$' for Instagram, …),
  -- as a class matched unbounded and the length compared (see above).
  return case p_platform
    when 'instagram' then p_handle ~ '^[A-Za-z0-9._]+$' and char_length(p_handle) between 1 and 30
    when 'tiktok' then p_handle ~ '^[A-Za-z0-9._]+$' and char_length(p_handle) between 2 and 24
    when 'youtube' then p_handle ~ '^[A-Za-z0-9._-]+$' and char_length(p_handle) between 3 and 30
    when 'twitch' then p_handle ~ '^[A-Za-z0-9_]+$' and char_length(p_handle) between 4 and 25
    when 'x' then p_handle ~ '^[A-Za-z0-9_]+$' and char_length(p_handle) between 1 and 15
    when 'linkedin' then p_handle ~ '^[A-Za-z0-9-]+$' and char_length(p_handle) between 3 and 100
    when 'facebook' then p_handle ~ '^[A-Za-z0-9.]+$' and char_length(p_handle) between 5 and 50
    when 'pinterest' then p_handle ~ '^[A-Za-z0-9_]+$' and char_length(p_handle) between 3 and 30
    when 'snapchat' then p_handle ~ '^[A-Za-z][A-Za-z0-9._-]+$' and char_length(p_handle) between 3 and 15
  end;
end;
$$;
comment on function private.social_handle_ok(public.social_platform, text) is
  'True when the handle (without @) has the format the platform allows.';

-- Section: indexes

-- A profile's history is found by the primary key (profile_id, run_id).
drop index public.marketplace_profile_metrics_history_idx;

-- A run's rows, by a bloom filter per range of pages (see above).
drop index public.marketplace_profile_metrics_run_id_idx;
create index marketplace_profile_metrics_run_id_idx on public.marketplace_profile_metrics
  using brin (run_id uuid_bloom_ops);
