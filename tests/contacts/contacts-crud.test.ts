// Contacts through the module, under RLS as routes call it: custom values
// checked against their fields (in TS and again in SQL), events on every
// change, search, keyset pages, the contact page.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as contacts from '../../src/lib/server/contacts/index.ts';
import { mapDbError } from '../../src/lib/server/db/errors.ts';
import { createContactsWorld, type ContactsWorld } from './world.ts';

let w: ContactsWorld;
beforeAll(async () => {
	w = await createContactsWorld();
	await w.as('admin', async (trx) => {
		await contacts.createField(trx, w.orgA, {
			key: 'plan',
			label: 'Plan',
			type: 'select',
			options: ['free', 'pro']
		});
		await contacts.createField(trx, w.orgA, { key: 'score', label: 'Score', type: 'number' });
		await contacts.createField(trx, w.orgA, { key: 'renewal', label: 'Renewal', type: 'date' });
	});
});
afterAll(() => w.cleanup());

describe('writes', () => {
	it('creates a contact with custom values and records contact.created without personal data', async () => {
		const c = await w.as('member', (trx) =>
			contacts.create(trx, w.orgA, {
				email: 'Ada@Example.com',
				firstName: 'Ada',
				lastName: 'Lovelace',
				custom: { plan: 'pro', score: 42, renewal: '2027-01-31' }
			})
		);
		expect(c).toMatchObject({
			email: 'Ada@Example.com',
			status: 'subscribed',
			custom: { plan: 'pro', score: 42 }
		});
		const [event] = await w.events('contact.created', c.id);
		expect(event!.payload).toEqual({ source: 'manual' });
	});

	it('records contact.created even when an API caller claims to be importing', async () => {
		// Only the worker's import may stand one contacts.imported for its rows.
		const c = await w.as('member', async (trx) => {
			await sql`select set_config('growthdesk.importing', 'on', true)`.execute(trx);
			return contacts.create(trx, w.orgA, { email: 'claims-import@x.test' });
		});
		expect(await w.events('contact.created', c.id)).toHaveLength(1);
	});
	it('names the field of a bad custom value, in the service and in the database', async () => {
		await expect(
			w.as('member', (trx) =>
				contacts.create(trx, w.orgA, { email: 'b@example.com', custom: { plan: 'gold' } })
			)
		).rejects.toMatchObject({ name: 'ContactFieldError', field: 'custom.plan' });
		// Straight to the table, as a PostgREST client could: the trigger refuses it.
		const error = await w
			.as('member', (trx) =>
				trx
					.insertInto('contacts')
					.values({
						org_id: w.orgA,
						email: 'c@example.com',
						custom: JSON.stringify({ score: 'high' })
					})
					.execute()
			)
			.catch((e: unknown) => e);
		expect(mapDbError(error)).toMatchObject({ status: 422, field: 'custom.score' });
		const unknown = await w
			.as('member', (trx) =>
				trx
					.insertInto('contacts')
					.values({ org_id: w.orgA, email: 'd@example.com', custom: JSON.stringify({ nope: 1 }) })
					.execute()
			)
			.catch((e: unknown) => e);
		expect(mapDbError(unknown)).toMatchObject({ status: 422, field: 'custom.nope' });
	});

	it('refuses a taken email (409 on email) and a viewer (403)', async () => {
		const taken = await w
			.as('member', (trx) => contacts.create(trx, w.orgA, { email: 'ada@example.com' }))
			.catch((e: unknown) => e);
		expect(mapDbError(taken)).toMatchObject({ status: 409, field: 'email' });
		const viewer = await w
			.as('viewer', (trx) => contacts.create(trx, w.orgA, { email: 'v@example.com' }))
			.catch((e: unknown) => e);
		expect(mapDbError(viewer)?.status).toBe(403);
	});

	it('merges custom values on update, records the changed field names', async () => {
		const [ada] = (
			await w.as('member', (trx) => contacts.list(trx, w.orgA, { search: 'lovelace' }))
		).items;
		const updated = await w.as('member', (trx) =>
			contacts.update(trx, w.orgA, ada!.id, {
				company: 'Analytical Engines',
				custom: { score: 50, renewal: null }
			})
		);
		expect(updated.custom).toEqual({ plan: 'pro', score: 50 });
		const events = await w.events('contact.updated', ada!.id);
		expect(events.at(-1)!.payload).toEqual({
			changed: ['company', 'custom.renewal', 'custom.score']
		});
	});
});

describe('lists', () => {
	beforeAll(async () => {
		await w.service((trx) =>
			sql`insert into public.contacts (org_id, email, first_name, last_name, company, created_at)
			    select ${w.orgA}, 'person' || i || '@list.test', 'Person', 'Number ' || lpad(i::text, 3, '0'),
			           case when i % 10 = 0 then 'Zebra Corp' else 'Acme' end, now() - i * interval '1 minute'
			      from generate_series(1, 120) i`.execute(trx)
		);
	});

	it('pages with a keyset cursor, in every sort, without gaps or repeats', async () => {
		for (const sort of ['created_at', 'name', 'email', 'updated_at'] as const) {
			for (const direction of ['asc', 'desc'] as const) {
				const seen: string[] = [];
				let after: string | undefined;
				do {
					const page = await w.as('viewer', (trx) =>
						contacts.list(trx, w.orgA, { sort, direction, limit: 25, after })
					);
					seen.push(...page.items.map((c) => c.id));
					after = page.nextCursor ?? undefined;
				} while (after);
				const all = await w.service((trx) =>
					trx.selectFrom('contacts').select('id').where('org_id', '=', w.orgA).execute()
				);
				expect(new Set(seen).size, `${sort} ${direction}`).toBe(all.length);
				expect(seen.length).toBe(all.length);
			}
		}
	});

	it('searches names, emails and companies (trigram), literally', async () => {
		const zebra = await w.as('viewer', (trx) => contacts.list(trx, w.orgA, { search: 'zebra' }));
		expect(zebra.items).toHaveLength(12);
		const byEmail = await w.as('viewer', (trx) =>
			contacts.list(trx, w.orgA, { search: 'person7@' })
		);
		expect(byEmail.items.map((c) => c.email)).toEqual(['person7@list.test']);
		const wildcard = await w.as('viewer', (trx) => contacts.list(trx, w.orgA, { search: '%' }));
		expect(wildcard.items).toHaveLength(0);
	});

	it('probes a term: ids when selective, null when common, nothing for another organization', async () => {
		const probe = (org: string, term: string) =>
			w.as('viewer', async (trx) => {
				const { rows } = await sql<{ ids: string[] | null }>`
					select public.search_contacts_probe(${org}::uuid, ${term}, 2000) as ids`.execute(trx);
				return rows[0]!.ids;
			});
		// Looked up by its longest word ("list"), checked whole: only person7.
		const ids = await probe(w.orgA, 'son7@list');
		const found = await w.service((trx) =>
			trx.selectFrom('contacts').select('email').where('id', 'in', ids!).execute()
		);
		expect(found.map((c) => c.email)).toEqual(['person7@list.test']);
		expect(await probe(w.orgA, 'zebra')).toBeNull();
		expect(await probe(w.orgB, 'zebra')).toEqual([]);
	});

	it('filters by a rule tree and refuses a bad one with its path', async () => {
		const page = await w.as('viewer', (trx) =>
			contacts.list(trx, w.orgA, {
				rules: {
					kind: 'group',
					match: 'all',
					rules: [{ kind: 'field', field: 'custom.plan', operator: 'equals', value: 'pro' }]
				}
			})
		);
		expect(page.items.map((c) => c.firstName)).toEqual(['Ada']);
		await expect(
			w.as('viewer', (trx) =>
				contacts.list(trx, w.orgA, {
					rules: {
						kind: 'group',
						match: 'all',
						rules: [{ kind: 'field', field: 'custom.gone', operator: 'is_set' }]
					}
				})
			)
		).rejects.toThrow(/rules\[0\].*"gone", which does not exist/);
	});

	it('rejects a tampered cursor', async () => {
		await expect(
			w.as('viewer', (trx) => contacts.list(trx, w.orgA, { after: 'bm9wZQ' }))
		).rejects.toBeInstanceOf(contacts.InvalidCursorError);
	});

	it('shows nothing of organization A to an outsider', async () => {
		const page = await w.as('outsider', (trx) => contacts.list(trx, w.orgA));
		expect(page.items).toEqual([]);
	});
});

describe('the contact page', () => {
	it('has fields, tags, consent, channels and a timeline', async () => {
		const [ada] = (
			await w.as('member', (trx) => contacts.list(trx, w.orgA, { search: 'lovelace' }))
		).items;
		await w.as('member', async (trx) => {
			const tag = await contacts.createTag(trx, w.orgA, { name: 'VIP' });
			await contacts.addTags(trx, w.orgA, [ada!.id], [tag.id]);
			await contacts.recordConsent(trx, w.orgA, ada!.id, {
				channel: 'sms',
				status: 'granted',
				source: 'form'
			});
		});
		const page = await w.as('viewer', (trx) => contacts.detail(trx, w.orgA, ada!.id));
		expect(page.tags.map((t) => t.name)).toEqual(['VIP']);
		expect(page.fields.find((f) => f.key === 'plan')?.value).toBe('pro');
		expect(page.canSend).toEqual({ email: true, sms: false, whatsapp: false });
		expect(page.consent).toMatchObject([{ channel: 'sms', status: 'granted' }]);
		expect(page.timeline.items.map((e) => e.type)).toEqual([
			'consent.changed',
			'tag.added',
			'contact.updated',
			'contact.created'
		]);
		const second = await w.as('viewer', (trx) =>
			contacts.timeline(trx, w.orgA, ada!.id, { limit: 2 })
		);
		const rest = await w.as('viewer', (trx) =>
			contacts.timeline(trx, w.orgA, ada!.id, { limit: 2, before: second.nextCursor! })
		);
		expect(rest.items.map((e) => e.type)).toEqual(['contact.updated', 'contact.created']);
	});
});

// Last in the file: 2,600 more contacts would slow the keyset test above.
describe('a common term far down the list', () => {
	let tagId: string;
	beforeAll(async () => {
		// 600 quokkas (with the 30 below, more than the list's 500 ids), none among the newest 2,000.
		await w.service((trx) =>
			sql`insert into public.contacts (org_id, email, first_name, created_at)
			    select ${w.orgA}, case when i > 2000 then 'quokka' else 'recent' end || i || '@far.test',
			           'Far ' || lpad(i::text, 4, '0'), now() - interval '1 day' - i * interval '1 second'
			      from generate_series(1, 2600) i`.execute(trx)
		);
		// And 30 older ones without an email: where null emails sort, pages cross over.
		await w.service((trx) =>
			sql`insert into public.contacts (org_id, phone, first_name, created_at)
			    select ${w.orgA}, '+33 6 12 00 00 ' || lpad(i::text, 2, '0'), 'Quokka',
			           now() - interval '2 days' - i * interval '1 second'
			      from generate_series(1, 30) i`.execute(trx)
		);
		tagId = await w.as('member', async (trx) => {
			const tag = await contacts.createTag(trx, w.orgA, { name: 'Rare quokka' });
			const tagged = await trx
				.selectFrom('contacts')
				.select('id')
				.where('email', 'in', ['quokka2550@far.test', 'quokka2600@far.test'])
				.execute();
			await contacts.addTags(
				trx,
				w.orgA,
				tagged.map((c) => c.id),
				[tag.id]
			);
			return tag.id;
		});
	});

	it('is probed as its first matches in the list order, from the cursor on', async () => {
		const probe = (sort: string | null, after: string | null) =>
			w.as('viewer', async (trx) => {
				const { rows } = await sql<{ ids: string[] | null }>`select
					public.search_contacts_probe(${w.orgA}::uuid, 'quokka', 500, ${sort}::text, true, ${after}::text) as ids`.execute(
					trx
				);
				return rows[0]!.ids;
			});
		const emails = async (ids: string[]) =>
			(
				await w.service((trx) =>
					trx.selectFrom('contacts').select('email').where('id', 'in', ids).execute()
				)
			)
				.map((c) => c.email)
				.sort();
		const first = await probe('created_at', null);
		expect(first).toHaveLength(501);
		expect((await emails(first!)).at(0)).toBe('quokka2001@far.test');
		expect((await emails(first!)).at(-1)).toBe('quokka2501@far.test');
		const rest = await probe('name', ' far 2400');
		expect(rest).toHaveLength(400);
		expect(await probe(null, null)).toBeNull();
		await expect(probe('drop table', null)).rejects.toThrow(/unknown contact sort/);
	});

	it('pages through every match in every order, and finds rare ones behind other filters', async () => {
		for (const [sort, direction] of [
			['created_at', 'desc'],
			['name', 'asc'],
			['email', 'desc'],
			['email', 'asc']
		] as const) {
			const seen: string[] = [];
			let after: string | undefined;
			do {
				const page = await w.as('viewer', (trx) =>
					contacts.list(trx, w.orgA, { search: 'quokka', sort, direction, limit: 50, after })
				);
				seen.push(...page.items.map((c) => c.id));
				after = page.nextCursor ?? undefined;
			} while (after);
			expect(new Set(seen).size, `${sort} ${direction}`).toBe(630);
			expect(seen.length).toBe(630);
		}
		// The first 501 quokkas hold no tagged one: the list walks instead.
		const tagged = await w.as('viewer', (trx) =>
			contacts.list(trx, w.orgA, { search: 'quokka', tagId })
		);
		expect(tagged.items.map((c) => c.email)).toEqual([
			'quokka2550@far.test',
			'quokka2600@far.test'
		]);
	});
});
