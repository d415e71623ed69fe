-- Demo workspace, the very last part: the dashboard's rollups, recomputed
-- from what every file above wrote (the triggers keep them while triggers are
-- on; this also covers rows written with them off, and leaves one folded row
-- per organization, day and status instead of this transaction's deltas).
-- Named to sort after 99-history.sql: keep it last.
select private.rebuild_dashboard_rollups(null);
