-- Demo workspace: the influencer marketplace. 300 creators (every fifth one
-- on a second platform: 360 profiles) brought by four monthly data runs of
-- the platform's stand-in provider, so each profile has a follower trend:
-- three runs that finished cleanly and a last one, ten days ago, that finished
-- with four unreadable profiles refused (the runs page shows why). The runs go
-- through the same ingestion function as the data-runs webhook. External ids,
-- handles and names are the ones platform/dataprovider/fixtures.ts plays, so
-- a run played from the stand-in's page updates these profiles.

-- Section: runs
with creators as (
  select n,
         (array['instagram','tiktok','youtube','twitch','x','linkedin'])[(n - 1) % 6 + 1] as platform,
         (array['instagram','tiktok','youtube','twitch','x','linkedin'])[n % 6 + 1] as second,
         round(1000 * power(1.035, (n * 37) % 300)) as base,
         (n - 1) % 8 as c
    from generate_series(1, 300) n
), runs as (
  select k, pg_temp.demo_now() - make_interval(days => 10 + 30 * (4 - k)) as at
    from generate_series(1, 4) k
), items as (
  select r.k, r.at,
         jsonb_agg(jsonb_build_object(
           'platform', p.platform,
           'external_id', 'demo-' || p.platform || '-' || c.n,
           'influencer_key', 'demo-creator-' || c.n,
           'handle', 'creator' || c.n,
           'display_name', (array['Ava','Leo','Mia','Noah','Zoe','Liam','Emma','Hugo','Lina','Omar','Sara','Yuki'])[(c.n - 1) % 12 + 1]
                           || ' ' || (array['Martin','Rossi','Kim','Dubois','Silva','Novak','Berg','Costa','Haddad','Ito','Moreau'])[(c.n - 1) % 11 + 1],
           'profile_url', 'https://example.com/' || p.platform || '/creator' || c.n,
           'followers', round(c.base * (0.8 + 0.05 * r.k) * p.share),
           'engagement_rate', round((0.01 + ((c.n * 13) % 70) / 1000.0 + 0.002 * r.k)::numeric, 4),
           'avg_views', round(c.base * 0.3 * (0.8 + 0.05 * r.k) * p.share),
           'country', (array['FR','US','GB','DE','ES','IT','BR','JP'])[c.c + 1],
           'language', (array['fr','en','en','de','es','it','pt','ja'])[c.c + 1],
           'categories', jsonb_build_array((array['beauty','fashion','fitness','food','gaming','travel','tech','parenting'])[(c.n - 1) % 8 + 1]),
           'measured_at', r.at,
           'audience', jsonb_build_object(
             'ages', jsonb_build_object('18-24', 0.45, '25-34', 0.35, '35-44', 0.2),
             'genders', jsonb_build_object('female', 0.6, 'male', 0.38, 'other', 0.02),
             'countries', jsonb_build_object((array['FR','US','GB','DE','ES','IT','BR','JP'])[c.c + 1], 0.55,
                                             (array['FR','US','GB','DE','ES','IT','BR','JP'])[(c.c + 1) % 8 + 1], 0.25))
         ) order by c.n, p.platform) as list
    from runs r
    cross join creators c
    cross join lateral (values (c.platform, 1.0), (case when c.n % 5 = 0 then c.second end, 0.4)) p(platform, share)
   where p.platform is not null
   group by r.k, r.at
)
select private.data_run_receive(
         jsonb_build_object('provider', 'standin', 'run_id', 'demo-monthly-' || i.k, 'task_id', 'monthly-refresh',
                            'status', 'succeeded', 'started_at', i.at - interval '14 minutes', 'finished_at', i.at,
                            'message', case when i.k = 4 then 'Finished with some unreadable profiles.' else 'Monthly refresh.' end,
                            'metadata', jsonb_build_object('fixture', 'demo')),
         i.list || case when i.k = 4 then jsonb_build_array(
           jsonb_build_object('platform', 'myspace', 'external_id', 'demo-bad-1', 'handle', 'oldschool', 'followers', 10),
           jsonb_build_object('platform', 'instagram', 'external_id', 'demo-bad-2', 'handle', 'negative.one', 'followers', -40),
           jsonb_build_object('platform', 'tiktok', 'external_id', 'demo-bad-3', 'handle', 'twin.creator', 'followers', 500),
           jsonb_build_object('platform', 'tiktok', 'external_id', 'demo-bad-4', 'handle', 'twin.creator', 'followers', 700))
         else '[]'::jsonb end)
  from items i
 order by i.k;

-- Runs and their logs carry the moments they happened, not the load's.
update public.data_runs r
   set created_at = r.finished_at, updated_at = r.finished_at
 where r.provider = 'standin' and r.run_id like 'demo-monthly-%';
update public.data_run_entries e
   set created_at = r.finished_at
  from public.data_runs r
 where e.run_id = r.id and r.provider = 'standin' and r.run_id like 'demo-monthly-%';
