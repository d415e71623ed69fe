-- Feature: marketplace ingestion at ≥ 10,000 profiles/s, continued (issue 16,
-- the benchmark: a 100,000-profile run into 1,000,000 profiles). A new profile
-- cost about twice an updated one; perf of a run of new profiles (1,000,000
-- profiles, backend CPU) put half of the profiles' INSERT in B-tree inserts,
-- most of it descending the indexes to a page that is not in the CPU's cache
-- (_bt_checkpage, BTreeTupleIsPivot and the buffer table on the first touch of
-- each page). Every id was a random (version 4) UUID, so each new profile
-- touched a random leaf of: the profiles' primary key and (influencer_id,
-- platform), the influencers' primary key, the metric rows' primary key and
-- history index (profile_id first), and the foreign-key checks of the
-- profile's influencer and of the metric row's profile looked up random pages
-- again.
--
-- New ids are now time-ordered UUIDs (the version 7 layout: 48 bits of Unix
-- milliseconds, then random bits): the ids a run creates sort after every
-- earlier one, so all those inserts and look-ups land on the same few
-- right-hand pages. They are still UUIDs of the same type, unique and not
-- guessable from each other (74 random bits); an id tells when the row was
-- created, which the rows' created_at says anyway (the marketplace is
-- readable by every signed-in user). Existing rows keep their ids.
-- What ingestion guarantees is unchanged (tests/marketplace/ingestion.test.ts).

-- Section: ids

-- The expression is written out (no function): a column default is evaluated
-- per row, and a SQL function with its own search_path (as every function
-- here has) is not inlined, so it would run as a query per row.
alter table public.marketplace_influencers
  alter column id set default encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
    placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
    from 1 for 6), 52, 1), 53, 1), 'hex')::uuid;
comment on column public.marketplace_influencers.id is
  'Time-ordered UUID (version 7 layout): new influencers'' index entries land together (ingestion speed).';

alter table public.marketplace_profiles
  alter column id set default encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
    placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
    from 1 for 6), 52, 1), 53, 1), 'hex')::uuid;
comment on column public.marketplace_profiles.id is
  'Time-ordered UUID (version 7 layout): new profiles'' and metric rows'' index entries land together (ingestion speed).';
