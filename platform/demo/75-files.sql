-- Demo workspace: files. Northwind keeps its logos, campaign images, a brief,
-- a price list and a one-page PDF in Files, in nested folders (one left empty
-- for the summer campaign, kept by Storage's placeholder). Objects are written
-- as Storage leaves them after an upload (the triggers fill public.files); the
-- bytes are small generated SVG, text and PDF, handed to the loader in
-- pg_temp.demo_storage_bytes, which writes them where the platform's Storage
-- keeps them (platform/demo.ts).

-- Section: contents
create temporary table demo_storage_bytes (
  version text primary key,
  content bytea not null
);

create temporary table demo_files (
  key text primary key,
  name text not null,
  mimetype text not null,
  content bytea not null,
  width integer,
  height integer,
  owner uuid not null,
  days_ago integer not null
);

-- A flat SVG with a headline: what a designer would have uploaded as a draft.
create function pg_temp.demo_svg(p_width integer, p_height integer, p_fill text, p_text text)
returns bytea
language sql
immutable
as $$
  select convert_to(format(
    '<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s">'
    '<rect width="100%%" height="100%%" fill="%s"/>'
    '<circle cx="%s" cy="%s" r="%s" fill="#ffffff" opacity="0.18"/>'
    '<text x="50%%" y="54%%" font-family="Helvetica, Arial, sans-serif" font-size="%s" '
    'font-weight="700" fill="#ffffff" text-anchor="middle">%s</text></svg>',
    p_width, p_height, p_width, p_height, p_fill, p_width * 0.78, p_height * 0.3, p_height * 0.45,
    greatest(p_height / 9, 14), p_text), 'UTF8');
$$;

-- A one-page PDF that any viewer opens (offsets computed, not guessed).
create function pg_temp.demo_pdf(p_line text)
returns bytea
language plpgsql
immutable
as $$
declare
  v_stream text := format('BT /F1 22 Tf 72 720 Td (%s) Tj ET', p_line);
  v_objects text[] := array[
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    format('<< /Length %s >>' || chr(10) || 'stream' || chr(10) || '%s' || chr(10) || 'endstream',
           octet_length(v_stream), v_stream),
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'];
  v_body text := '%PDF-1.4' || chr(10);
  v_offsets integer[] := '{}';
  v_xref integer;
begin
  for i in 1 .. array_length(v_objects, 1) loop
    v_offsets := v_offsets || octet_length(v_body);
    v_body := v_body || i || ' 0 obj' || chr(10) || v_objects[i] || chr(10) || 'endobj' || chr(10);
  end loop;
  v_xref := octet_length(v_body);
  v_body := v_body || 'xref' || chr(10) || '0 6' || chr(10) || '0000000000 65535 f ' || chr(10);
  for i in 1 .. 5 loop
    v_body := v_body || lpad(v_offsets[i]::text, 10, '0') || ' 00000 n ' || chr(10);
  end loop;
  v_body := v_body || 'trailer' || chr(10) || '<< /Size 6 /Root 1 0 R >>' || chr(10)
            || 'startxref' || chr(10) || v_xref || chr(10) || '%%EOF' || chr(10);
  return convert_to(v_body, 'UTF8');
end;
$$;

insert into demo_files (key, name, mimetype, content, width, height, owner, days_ago) values
  ('logo', 'Brand/Logos/northwind-logo.svg', 'image/svg+xml',
   pg_temp.demo_svg(512, 512, '#1f4d3a', 'NORTHWIND'), 512, 512,
   pg_temp.demo_person('demo'), 80),
  ('logo-mono', 'Brand/Logos/northwind-logo-mono.svg', 'image/svg+xml',
   pg_temp.demo_svg(512, 512, '#111827', 'NORTHWIND'), 512, 512,
   pg_temp.demo_person('demo'), 80),
  ('logo-old', 'Brand/Logos/Old/logo-2019.svg', 'image/svg+xml',
   pg_temp.demo_svg(400, 400, '#7c2d12', 'NW 2019'), 400, 400, pg_temp.demo_person('maya'), 79),
  ('hero', 'Campaigns/Spring launch/hero-banner.svg', 'image/svg+xml',
   pg_temp.demo_svg(1200, 628, '#2563eb', 'Spring into the trail'), 1200, 628,
   pg_temp.demo_person('maya'), 24),
  ('story', 'Campaigns/Spring launch/instagram-story.svg', 'image/svg+xml',
   pg_temp.demo_svg(1080, 1920, '#0f766e', 'New season, new paths'), 1080, 1920,
   pg_temp.demo_person('maya'), 23),
  ('square', 'Campaigns/Spring launch/jacket-square.svg', 'image/svg+xml',
   pg_temp.demo_svg(1080, 1080, '#b45309', 'Trail jacket -20%'), 1080, 1080,
   pg_temp.demo_person('jonas'), 22),
  ('brief', 'Campaigns/Spring launch/brief.txt', 'text/plain',
   convert_to(E'Spring launch brief\n\nAudience: hikers who bought in the last 12 months.\n'
              || E'Message: lighter layers for longer days.\nChannels: email, Instagram, two creators.\n'
              || E'Budget: 12,000 EUR. Launch: first Monday of March.\n', 'UTF8'),
   null, null, pg_temp.demo_person('maya'), 25),
  ('prices', 'Documents/price-list.csv', 'text/csv',
   convert_to(E'product,price_eur\nTrail jacket,189\nSummit pack 28L,129\nRidge boots,159\n'
              || E'Merino base layer,79\n', 'UTF8'),
   null, null, pg_temp.demo_person('jonas'), 40),
  ('terms', 'Documents/creator-terms.pdf', 'application/pdf',
   pg_temp.demo_pdf('Northwind Outfitters - creator terms (summary)'), null, null,
   pg_temp.demo_person('demo'), 60),
  ('summer', 'Campaigns/Summer trail/.emptyFolderPlaceholder', 'text/plain', ''::bytea,
   null, null, pg_temp.demo_person('maya'), 3);

-- Section: objects (the catalogue follows through the triggers on storage.objects)
insert into storage.objects (id, bucket_id, name, owner, owner_id, version, metadata, user_metadata,
  created_at, updated_at, last_accessed_at)
select pg_temp.demo_id('object:' || f.key), 'org-files',
       pg_temp.demo_id('org:northwind')::text || '/' || f.name,
       f.owner, f.owner::text,
       pg_temp.demo_id('file:' || f.key)::text,
       jsonb_build_object(
         'eTag', '"' || md5(f.content) || '"',
         'size', octet_length(f.content),
         'mimetype', f.mimetype,
         'cacheControl', 'max-age=3600',
         'lastModified', pg_temp.demo_iso(pg_temp.demo_now() - make_interval(days => f.days_ago)),
         'contentLength', octet_length(f.content),
         'httpStatusCode', 200),
       case when f.width is not null
            then jsonb_build_object('width', f.width, 'height', f.height) end,
       pg_temp.demo_now() - make_interval(days => f.days_ago),
       pg_temp.demo_now() - make_interval(days => f.days_ago),
       pg_temp.demo_now() - make_interval(days => f.days_ago)
  from demo_files f;

-- The same ids every time (the catalogue's own default is random), and the logo
-- described; with triggers off for this statement only, so updated_at keeps the
-- upload's time (as 99-history.sql does for what triggers stamp).
set local session_replication_role = replica;
update public.files f
   set id = pg_temp.demo_id('file:' || d.key),
       alt_text = case d.key
         when 'logo' then 'Northwind Outfitters logo: the word NORTHWIND in white on forest green'
         when 'hero' then 'Spring launch banner: “Spring into the trail” on blue'
         else '' end
  from demo_files d
 where f.object_id = pg_temp.demo_id('object:' || d.key);
set local session_replication_role = origin;

insert into demo_storage_bytes (version, content)
select pg_temp.demo_id('file:' || f.key)::text, f.content from demo_files f;

drop table demo_files;
