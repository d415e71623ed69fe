-- Demo workspace: campaign creatives. The ultra runners' ambassador team (a
-- running campaign) has a brief of photos, stories and a gear review: one
-- photo sent back with comments then approved in its second version, one
-- waiting for review, a story approved, the review PDF waiting; the coastal
-- summer collection (scheduled) asks for posts nobody has delivered yet.
-- Files are SVG images and a one-page PDF in `campaign-creatives` under
-- `<org>/<campaign>/`, their bytes handed to the loader like 75-files.sql's.
-- Versions are reviewed through the table's own triggers (events, audit),
-- acting as the reviewer; dates are moved back at the end.

-- Section: brief
insert into public.creative_requirements (id, org_id, campaign_id, position, deliverable, platform, format, count,
                                          due_on, guidelines, hashtags, mentions, accepted_kinds)
select pg_temp.demo_id('requirement:' || r.key), pg_temp.demo_id('org:northwind'), pg_temp.demo_id('campaign:' || r.campaign),
       r.position, r.deliverable, r.platform, r.format, r.count,
       (pg_temp.demo_now() + make_interval(days => r.due_day))::date, r.guidelines, r.hashtags, r.mentions, r.kinds
  from (values
    ('ultra-photos', 'ultra-team', 0, 'photo', 'instagram', '1:1', 3, 10,
     'On the trail at first light; the shoe and the logo on the tongue in frame.',
     '{#northwindultra,#trailrunning}'::text[], '{@northwind.outfitters}'::text[], '{image}'::text[]),
    ('ultra-stories', 'ultra-team', 1, 'story', 'instagram', '9:16', 2, 5,
     'A race-day story: the start line, one moment on the course, the finish.',
     '{#northwindultra}', '{@northwind.outfitters}', '{image,video}'),
    ('ultra-review', 'ultra-team', 2, 'blog_post', 'blog', 'A4 PDF', 1, 20,
     'Two pages on the range after 200 km: what held up, what did not.',
     '{}', '{}', '{pdf}'),
    ('coast-posts', 'coast-summer', 0, 'post', 'instagram', '4:5', 2, 30,
     'The summer collection on deck; no logos of other brands.',
     '{#northwindcoast}', '{@northwind.outfitters}', '{image}')
  ) r (key, campaign, position, deliverable, platform, format, count, due_day, guidelines, hashtags, mentions, kinds);

-- Section: deliverables and their files
create temporary table demo_creatives on commit drop as
select v.*, pg_temp.demo_id('org:northwind')::text || '/' || pg_temp.demo_id('campaign:ultra-team')::text
            || '/' || v.file_name as object_name
  from (values
    ('summit-1', 'summit', 'ultra-photos', 'Summit at sunrise', 1, 'summit-sunrise.svg', 'image/svg+xml',
     pg_temp.demo_svg(1080, 1080, '#9a3412', 'Summit at sunrise'), 1080, 'jonas', 12, 'changes_requested', 11),
    ('summit-2', 'summit', 'ultra-photos', 'Summit at sunrise', 2, 'summit-sunrise-v2.svg', 'image/svg+xml',
     pg_temp.demo_svg(1080, 1080, '#c2410c', 'Summit - closer'), 1080, 'jonas', 9, 'approved', 8),
    ('ridge-1', 'ridge', 'ultra-photos', 'Ridge run', 1, 'ridge-run.svg', 'image/svg+xml',
     pg_temp.demo_svg(1080, 1080, '#1d4ed8', 'Ridge run'), 1080, 'jonas', 2, 'pending', null),
    ('raceday-1', 'raceday', 'ultra-stories', 'Race day story', 1, 'race-day-story.svg', 'image/svg+xml',
     pg_temp.demo_svg(1080, 1920, '#047857', 'Race day'), 1920, 'jonas', 6, 'approved', 5),
    ('review-1', 'review', 'ultra-review', '200 km gear review', 1, 'gear-review.pdf', 'application/pdf',
     pg_temp.demo_pdf('Northwind trail range - 200 km review'), null, 'jonas', 1, 'pending', null)
  ) v (key, asset, requirement, title, round, file_name, mimetype, content, height, submitter, days_ago,
       decision, reviewed_days_ago);

insert into storage.objects (id, bucket_id, name, owner, owner_id, version, metadata, user_metadata,
  created_at, updated_at, last_accessed_at)
select pg_temp.demo_id('creative-object:' || c.key), 'campaign-creatives', c.object_name,
       pg_temp.demo_person(c.submitter), pg_temp.demo_person(c.submitter)::text,
       pg_temp.demo_id('creative-file:' || c.key)::text,
       jsonb_build_object(
         'eTag', '"' || md5(c.content) || '"',
         'size', octet_length(c.content),
         'mimetype', c.mimetype,
         'cacheControl', 'max-age=3600',
         'lastModified', pg_temp.demo_iso(pg_temp.demo_now() - make_interval(days => c.days_ago)),
         'contentLength', octet_length(c.content),
         'httpStatusCode', 200),
       case when c.height is not null then jsonb_build_object('width', 1080, 'height', c.height) end,
       pg_temp.demo_now() - make_interval(days => c.days_ago),
       pg_temp.demo_now() - make_interval(days => c.days_ago),
       pg_temp.demo_now() - make_interval(days => c.days_ago)
  from demo_creatives c;

insert into demo_storage_bytes (version, content)
select pg_temp.demo_id('creative-file:' || c.key)::text, c.content from demo_creatives c;

insert into public.creative_assets (id, org_id, campaign_id, requirement_id, title, created_by, created_at)
select distinct on (c.asset) pg_temp.demo_id('creative:' || c.asset), pg_temp.demo_id('org:northwind'),
       pg_temp.demo_id('campaign:ultra-team'), pg_temp.demo_id('requirement:' || c.requirement), c.title,
       pg_temp.demo_person(c.submitter), pg_temp.demo_now() - make_interval(days => c.days_ago)
  from demo_creatives c
 order by c.asset, c.round;

-- Section: versions and reviews, round by round (a second version follows the first's review)
select pg_temp.demo_act_as(pg_temp.demo_person('jonas'));
insert into public.creative_asset_versions (id, org_id, asset_id, storage_path, file_name, mime_type, size_bytes,
                                            note, submitted_by)
select pg_temp.demo_id('creative-version:' || c.key), pg_temp.demo_id('org:northwind'),
       pg_temp.demo_id('creative:' || c.asset), c.object_name, c.file_name, c.mimetype, octet_length(c.content),
       case c.key when 'ridge-1' then 'Shot on the Zugspitze ridge, 6 am.' else '' end,
       pg_temp.demo_person(c.submitter)
  from demo_creatives c where c.round = 1 order by c.key;
select pg_temp.demo_act_as(pg_temp.demo_person('maya'));
update public.creative_asset_versions v set status = c.decision::public.creative_review_status
  from demo_creatives c
 where v.id = pg_temp.demo_id('creative-version:' || c.key) and c.round = 1 and c.decision <> 'pending';

select pg_temp.demo_act_as(pg_temp.demo_person('jonas'));
insert into public.creative_asset_versions (id, org_id, asset_id, storage_path, file_name, mime_type, size_bytes,
                                            note, submitted_by)
select pg_temp.demo_id('creative-version:' || c.key), pg_temp.demo_id('org:northwind'),
       pg_temp.demo_id('creative:' || c.asset), c.object_name, c.file_name, c.mimetype, octet_length(c.content),
       'Closer crop, the logo is readable now.', pg_temp.demo_person(c.submitter)
  from demo_creatives c where c.round = 2 order by c.key;
select pg_temp.demo_act_as(pg_temp.demo_person('maya'));
update public.creative_asset_versions v set status = c.decision::public.creative_review_status
  from demo_creatives c
 where v.id = pg_temp.demo_id('creative-version:' || c.key) and c.round = 2 and c.decision <> 'pending';

-- Section: comments (a thread on the photo sent back)
insert into public.creative_comments (id, org_id, version_id, parent_id, body, author_id, created_at)
select pg_temp.demo_id('creative-comment:' || m.key), pg_temp.demo_id('org:northwind'),
       pg_temp.demo_id('creative-version:' || m.version), case when m.parent is not null then pg_temp.demo_id('creative-comment:' || m.parent) end,
       m.body, pg_temp.demo_person(m.author), pg_temp.demo_now() - make_interval(hours => m.hours_ago)
  from (values
    ('c1', 'summit-1', null, 'Lovely light, but the shoe is too small in the frame and the logo cannot be read.', 'maya', 11 * 24),
    ('c2', 'summit-1', 'c1', 'Fair. I have a closer shot from the same morning, uploading it as version 2.', 'jonas', 11 * 24 - 3),
    ('c3', 'summit-2', null, 'Perfect, approved. Post it on Saturday morning.', 'maya', 8 * 24),
    ('c4', 'ridge-1', null, 'Can you also send one without the other runner?', 'demo', 20)
  ) m (key, version, parent, body, author, hours_ago)
 order by m.hours_ago desc;
select pg_temp.demo_act_as('d0d0d0d0-0000-4000-8000-000000000001');

-- Section: dates (triggers stamped now(); moved back, with triggers off for these statements only)
set local session_replication_role = replica;
update public.files f
   set id = pg_temp.demo_id('creative-file:' || c.key)
  from demo_creatives c
 where f.object_id = pg_temp.demo_id('creative-object:' || c.key);
update public.creative_asset_versions v
   set submitted_at = pg_temp.demo_now() - make_interval(days => c.days_ago),
       reviewed_at = case when c.reviewed_days_ago is not null
                          then pg_temp.demo_now() - make_interval(days => c.reviewed_days_ago) end
  from demo_creatives c
 where v.id = pg_temp.demo_id('creative-version:' || c.key);
update public.events e
   set occurred_at = case e.type when 'creative.submitted' then v.submitted_at else v.reviewed_at end
  from public.creative_asset_versions v
 where e.org_id = pg_temp.demo_id('org:northwind') and e.type like 'creative.%'
   and v.id = (e.payload ->> 'version_id')::uuid;
update public.audit_log a
   set at = v.reviewed_at
  from public.creative_asset_versions v
 where a.org_id = pg_temp.demo_id('org:northwind') and a.target_type = 'creative_asset_versions'
   and a.target_id = v.id::text;
update public.creative_requirements r
   set created_at = c.created_at, updated_at = c.created_at
  from public.campaigns c
 where c.id = r.campaign_id and c.org_id = pg_temp.demo_id('org:northwind');
set local session_replication_role = origin;
