// The contacts list's total and tags column: exact below the cap, "about"
// from the dashboard rollup for an unfiltered view of a large organization,
// "10,000+" for a filtered one; tags in name order.
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as contacts from '../../src/lib/server/contacts/index.ts';
import { createContactsWorld, type ContactsWorld } from './world.ts';

let w: ContactsWorld;
beforeAll(async () => {
	w = await createContactsWorld();
});
afterAll(() => w.cleanup());

it('counts exactly in a small organization, per filter, leaving out erased contacts', async () => {
	const ada = await w.as('member', (trx) =>
		contacts.create(trx, w.orgA, { email: 'ada@x.test', firstName: 'Ada' })
	);
	const bob = await w.as('member', (trx) =>
		contacts.create(trx, w.orgA, { email: 'bob@x.test', status: 'unsubscribed' })
	);
	const gone = await w.as('member', (trx) => contacts.create(trx, w.orgA, { email: 'c@x.test' }));
	await w.as('member', (trx) => contacts.erase(trx, w.orgA, gone.id));
	const [vip, news] = await w.as('member', (trx) =>
		contacts.ensureTags(trx, w.orgA, ['VIP', 'Newsletter'])
	);
	await w.as('member', (trx) => contacts.addTags(trx, w.orgA, [ada.id], [vip!.id, news!.id]));

	expect(await w.as('viewer', (trx) => contacts.total(trx, w.orgA))).toEqual({
		count: 2,
		kind: 'exact'
	});
	expect(
		await w.as('viewer', (trx) => contacts.total(trx, w.orgA, { status: 'unsubscribed' }))
	).toEqual({ count: 1, kind: 'exact' });
	expect(await w.as('viewer', (trx) => contacts.total(trx, w.orgA, { tagId: vip!.id }))).toEqual({
		count: 1,
		kind: 'exact'
	});
	// Another organization's members see none of it.
	expect(await w.as('outsider', (trx) => contacts.total(trx, w.orgA))).toEqual({
		count: 0,
		kind: 'exact'
	});
	expect(await w.as('viewer', (trx) => contacts.tagsOf(trx, w.orgA, [ada.id, bob.id]))).toEqual({
		[ada.id]: ['Newsletter', 'VIP']
	});
});

it('past the cap: the rollup for the whole list, "10,000+" for a filtered view', async () => {
	await sql`insert into public.contacts (org_id, email, first_name)
		select ${w.orgA}::uuid, 'bulk' || i || '@x.test', 'Bulk'
		  from generate_series(1, ${contacts.COUNT_CAP + 50}) i`.execute(w.db);
	const all = await w.as('viewer', (trx) => contacts.total(trx, w.orgA));
	// The rollup counts the erased tombstone too: "about".
	expect(all).toEqual({ count: contacts.COUNT_CAP + 53, kind: 'about' });
	expect(await w.as('viewer', (trx) => contacts.total(trx, w.orgA, { search: 'bulk' }))).toEqual({
		count: contacts.COUNT_CAP,
		kind: 'atLeast'
	});
	expect(await w.as('viewer', (trx) => contacts.total(trx, w.orgA, { search: 'bob@' }))).toEqual({
		count: 1,
		kind: 'exact'
	});
});
