-- Feature: the campaigns list's read policy checked after the list's own filters.
--
-- What the profile showed (the workspace list as a member against the same
-- query as the superuser, 1,000,000 campaigns, 100,000 in the organization,
-- the server's time per statement measured in a loop): the read policy
-- `org_id in (select private.user_org_ids())` is a hashed SubPlan, and Postgres
-- checks it on every row the index returns, before the list's date filters
-- (they are leakproof, and could go first, but a security qual keeps its place
-- among quals as cheap as it): about 700 hash probes for a page of 50 (status
-- + brand + dates), the largest part of what RLS added to the statement.
--
-- The same test written as `coalesce(org_id = any (array(select …)), false)`:
--   * the helper still runs once per statement (an InitPlan), and a row is
--     visible exactly when it was (an organization of the member's; a null
--     org_id or no membership sees nothing, as `in` did);
--   * a boolean expression the planner has no statistics for keeps the
--     policy's row estimate at one half, as the hashed SubPlan had it. (The
--     bare `= any (array(…))` would be an index condition, but the planner
--     estimates it from the number of organizations, ten elements against
--     their count: with a thousand organizations a hundredth, which tips list
--     plans toward reading and sorting everything.)
--   * its per-row cost puts it after the leakproof date filters, so it is
--     checked on the rows they keep, one compare against a one-element array.
-- Server time of the list statement as a member went from about 1.4× the
-- superuser's to within a few percent of it (EXPLAIN shows the Filter order).

-- Section: policies

alter policy "Members can read their organization's campaigns" on public.campaigns
  using (coalesce(org_id = any (array(select private.user_org_ids())), false));
