-- Which organizations' contacts each range of 32 table pages holds (BRIN).
--
-- A segment count over a large organization reads most of its contacts, so
-- Postgres scans the table rather than an index: every organization's rows,
-- checked one by one. An organization's contacts sit together on disk when
-- they arrive in bulk (imports, syncs), and this index lets that scan skip
-- the page ranges that hold none of them: for a 1M-contact organization in a
-- 2M-contact table, a count reads half the pages (bench/contacts.ts).
--
-- It costs almost nothing to keep: a few hundred kilobytes per million rows,
-- and new pages are summarized in the background (autosummarize). Where an
-- organization's rows are interleaved with others', ranges hold several
-- organizations, nothing is skipped and the planner keeps its sequential scan.
create index contacts_org_id_brin_idx on public.contacts using brin (org_id)
  with (pages_per_range = 32, autosummarize = on);
