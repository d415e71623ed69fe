-- Feature: the campaigns list's row estimates, so that RLS does not tip its plan.
--
-- A brand (and a folder) belongs to one organization, but the planner treats
-- `org_id = …` and `brand_id = …` as independent: with 10 organizations of 8
-- brands each it expected 1/80 of an organization's rows for one of its
-- brands, a tenth of the truth. The list filtered by status + brand + dates
-- then looked rare enough that reading every campaign of the brand and
-- sorting them (a bitmap scan, 12,500 rows at 1M) seemed cheaper than walking
-- the brand's index newest first and stopping at 51 rows. Under RLS the
-- policy's filter halves the estimate once more (Postgres cannot know that
-- the member belongs to the organization asked for), so the app's query fell
-- to the bitmap and sort where the same query without RLS, its estimate twice
-- as high, sometimes walked the index: 12.5 ms against 2.0 ms at p50.
-- Functional-dependency statistics tell the planner that the brand and the
-- folder decide the organization; both queries then walk the index
-- (0.7 ms against 0.6 ms, EXPLAIN ANALYZE, 300,000 campaigns). No policy
-- changes.

-- Section: statistics

create statistics public.campaigns_org_id_brand_id_folder_id_stats (dependencies)
  on org_id, brand_id, folder_id from public.campaigns;
comment on statistics public.campaigns_org_id_brand_id_folder_id_stats is 'A brand or folder belongs to one organization: keeps the list''s row estimates (and plans) right.';

-- Built now rather than at the next autovacuum.
analyze public.campaigns;
