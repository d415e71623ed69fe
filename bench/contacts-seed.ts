// The data the contacts benchmark runs against: organizations A (measured, with
// a member), B (the other million) and C (the import target), each with four
// custom fields; A and B get `n` contacts, ten tags on ~25% of them and one to
// two events per contact over 90 days.
import type pg from 'pg';

export type ContactsWorld = { orgA: string; orgB: string; orgC: string; memberId: string };

export async function seedContacts(admin: pg.Client, n: number): Promise<ContactsWorld> {
	// Users, organizations (A: measured, B: the other million, C: import target), a member of A.
	await admin.query(`
		insert into auth.users (id, aud, role, email, created_at, updated_at)
		select gen_random_uuid(), 'authenticated', 'authenticated', u || '@bench.test', now(), now()
		  from unnest(array['owner-a', 'owner-b', 'owner-c', 'member-a']) u`);
	const user = async (name: string) =>
		(
			await admin.query<{ id: string }>(`select id from auth.users where email = $1`, [
				`${name}@bench.test`
			])
		).rows[0]!.id;
	const org = async (slug: string, owner: string) =>
		(
			await admin.query<{ id: string }>(
				`insert into public.organizations (name, slug, created_by) values ($1, $1, $2) returning id`,
				[slug, await user(owner)]
			)
		).rows[0]!.id;
	const orgA = await org('org-a', 'owner-a');
	const orgB = await org('org-b', 'owner-b');
	const orgC = await org('org-c', 'owner-c');
	const memberId = await user('member-a');
	await admin.query(
		`insert into public.members (org_id, user_id, role) values ($1, $2, 'member')`,
		[orgA, memberId]
	);

	for (const o of [orgA, orgB, orgC])
		await admin.query(
			`insert into public.contact_fields (org_id, key, label, type, options, position) values
			   ($1, 'plan', 'Plan', 'select', '{free,pro,team,enterprise}', 1),
			   ($1, 'score', 'Score', 'number', '{}', 2),
			   ($1, 'signup', 'Signed up', 'date', '{}', 3),
			   ($1, 'active', 'Active', 'boolean', '{}', 4)`,
			[o]
		);
	// Seeding writes with triggers off (session_replication_role): this is data
	// generation, not the thing measured. Names are syllable combinations, so
	// searches match the way real surnames do.
	await admin.query(`set session_replication_role = replica`);
	for (const o of [orgA, orgB]) {
		await admin.query(
			`with s as (select array['mar','tin','son','ber','gal','lo','ric','wen','dal','fer','an','ko','vi','stra','mo','den','hal','ri','to','ne'] as syl)
			 insert into public.contacts (org_id, email, phone, first_name, last_name, company, source, status, custom, created_at, updated_at)
			 select $1,
			        'p' || i || '.' || s.syl[1 + i % 20] || s.syl[1 + (i / 20) % 20] || '@' || (array['gmail.com','outlook.com','acme.io','mail.fr','web.de'])[1 + i % 5],
			        '+33 6 ' || lpad((i % 100000000)::text, 8, '0'),
			        initcap(s.syl[1 + (i * 7) % 20] || s.syl[1 + (i * 13) % 20]),
			        initcap(s.syl[1 + (i / 7) % 20] || s.syl[1 + (i / 3) % 20] || s.syl[1 + i % 19]),
			        initcap(s.syl[1 + (i / 11) % 20] || s.syl[1 + (i / 5) % 20]) || ' ' || (array['Inc','Ltd','GmbH','SA','Labs'])[1 + i % 5],
			        'seed',
			        (case when i % 20 = 0 then 'unsubscribed' when i % 97 = 0 then 'bounced' else 'subscribed' end)::public.contact_status,
			        jsonb_build_object('plan', (array['free','free','pro','team','enterprise'])[1 + i % 5],
			                           'score', i % 101,
			                           'signup', to_char(date '2024-01-01' + (i % 700), 'YYYY-MM-DD'),
			                           'active', i % 3 <> 0),
			        now() - (i || ' seconds')::interval, now() - (i || ' seconds')::interval
			   from s, generate_series(1, $2) i`,
			[o, n]
		);
		await admin.query(
			`insert into public.tags (org_id, name) select $1, 'tag-' || k from generate_series(1, 10) k`,
			[o]
		);
		// ~25% of contacts carry a tag; tag-1 ("vip") about 5%.
		await admin.query(
			`insert into public.contact_tags (org_id, contact_id, tag_id)
			 select c.org_id, c.id, t.id
			   from (select id, org_id, row_number() over () as n from public.contacts where org_id = $1) c
			   join public.tags t on t.org_id = c.org_id and t.name = 'tag-' || (1 + c.n % 10)
			  where c.n % 40 < 10`,
			[o]
		);
		// One to two events per contact over 90 days (email.opened, page.visited).
		await admin.query(
			`insert into public.events (org_id, type, subject_type, subject_id, occurred_at)
			 select c.org_id, (array['email.opened','page.visited','email.clicked'])[1 + (c.n % 3)::int], 'contact', c.id,
			        now() - ((c.n * 7919) % (90 * 86400) || ' seconds')::interval
			   from (select id, org_id, row_number() over () as n from public.contacts where org_id = $1) c,
			        generate_series(1, 1 + (random() < 0.5)::int) g`,
			[o]
		);
	}
	await admin.query(`set session_replication_role = origin`);
	await admin.query(`vacuum analyze`);
	return { orgA, orgB, orgC, memberId };
}
