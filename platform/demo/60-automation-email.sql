-- Demo workspace, part 6: automation email sent as the organization. Each
-- organization has a reply-to address on its branding (Settings → Branding),
-- so the welcome series and the thank-you go out as "Northwind Outfitters"
-- and replies reach the team; marketing email carries an unsubscribe link.

select pg_temp.demo_act_as('d0d0d0d0-0000-4000-8000-000000000001');

update public.branding_settings
   set reply_to_email = 'hello@northwind-outfitters.example'
 where org_id = pg_temp.demo_id('org:northwind');

select pg_temp.demo_act_as(pg_temp.demo_id('user:maya'));

update public.branding_settings
   set reply_to_email = 'beans@bluebird-coffee.example'
 where org_id = pg_temp.demo_id('org:bluebird');
