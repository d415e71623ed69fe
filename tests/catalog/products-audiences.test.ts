// Products and audiences in the database: SKUs unique per organization
// (case-insensitively) with the SKU field named, prices and currencies
// checked, audit entries, audience codes and interests checked, segments of
// another organization refused, and the reach of segments on a channel
// counted with consent exactly as contact_can_send decides; every table
// walled off from other organizations.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as audiences from '../../src/lib/server/audiences/index.ts';
import { mapDbError } from '../../src/lib/server/db/errors.ts';
import * as products from '../../src/lib/server/products/index.ts';
import type { AudienceInput } from '../../src/lib/schemas/audiences.ts';
import type { ProductInput } from '../../src/lib/schemas/products.ts';
import { createContactsWorld, type ContactsWorld } from '../contacts/world.ts';

let w: ContactsWorld;
beforeAll(async () => {
	w = await createContactsWorld();
});
afterAll(async () => {
	await w.cleanup();
});

const product = (over: Partial<ProductInput> = {}): ProductInput => ({
	name: 'Trail jacket',
	sku: 'TJ-001',
	description: '',
	price: '129.90',
	currency: 'EUR',
	...over
});

const audience = (over: Partial<AudienceInput> = {}): AudienceInput => ({
	name: 'Urban runners',
	description: '',
	ageRanges: ['25-34'],
	genders: [],
	countries: ['FR', 'DE'],
	regions: 'FR-IDF',
	cities: 'Lyon, Berlin',
	languages: ['fr', 'de'],
	interests: ['fitness.running'],
	includeSegments: [],
	excludeSegments: [],
	...over
});

async function refusal(promise: Promise<unknown>) {
	try {
		await promise;
	} catch (e) {
		return mapDbError(e);
	}
	throw new Error('expected the database to refuse');
}

describe('products', () => {
	it('keeps SKUs unique per organization, case-insensitively, and names the SKU field', async () => {
		await w.as('member', (trx) => products.create(trx, w.orgA, product()));
		const mapped = await refusal(
			w.as('member', (trx) =>
				products.create(trx, w.orgA, product({ name: 'Other', sku: 'tj-001' }))
			)
		);
		expect(mapped).toMatchObject({ status: 409, field: 'sku' });
		// Another organization may use the same SKU.
		await w.as('outsider', (trx) => products.create(trx, w.orgB, product()));
	});

	it('refuses negative prices, unknown currencies and malformed SKUs for every role', async () => {
		for (const [bad, field] of [
			[{ price: '-1.00' }, 'price'],
			[{ currency: 'XYZ' }, 'currency'],
			[{ sku: 'has space' }, 'sku']
		] as const) {
			const mapped = await refusal(
				w.service((trx) =>
					products.create(
						trx,
						w.orgA,
						product({ sku: `OK-${field}`, ...bad } as Partial<ProductInput>)
					)
				)
			);
			expect(mapped).toMatchObject({ status: 422, field });
		}
	});

	it('stores prices exactly and lists by name, searching name or SKU, archived on request', async () => {
		const id = await w.as('admin', (trx) =>
			products.create(trx, w.orgA, product({ name: 'Merino socks', sku: 'MS-9', price: '0.10' }))
		);
		const found = await w.as('viewer', (trx) => products.list(trx, w.orgA, { q: 'ms-9' }));
		expect(found.map((p) => [p.name, p.price])).toEqual([['Merino socks', '0.10']]);
		await w.as('member', (trx) => products.setArchived(trx, w.orgA, id, true));
		expect(await w.as('viewer', (trx) => products.list(trx, w.orgA, { q: 'merino' }))).toEqual([]);
		const archived = await w.as('viewer', (trx) =>
			products.list(trx, w.orgA, { q: 'merino', archived: true })
		);
		expect(archived[0]?.archivedAt).not.toBeNull();
	});

	it('lets viewers read but not write, and hides products from other organizations', async () => {
		expect(
			await w
				.as('viewer', (trx) => products.create(trx, w.orgA, product({ sku: 'V-1' })))
				.catch((e: unknown) => mapDbError(e)?.status)
		).toBe(403);
		expect(await w.as('outsider', (trx) => products.list(trx, w.orgA))).toEqual([]);
		const [mine] = await w.as('member', (trx) => products.list(trx, w.orgA, { q: 'TJ-001' }));
		expect(await w.as('outsider', (trx) => products.get(trx, w.orgA, mine!.id))).toBeNull();
		expect(
			await w.as('outsider', (trx) =>
				products.update(trx, w.orgA, mine!.id, product({ name: 'Hijacked' }))
			)
		).toBe(false);
	});

	it('writes audit entries with the actor', async () => {
		const id = await w.as('member', (trx) =>
			products.create(trx, w.orgA, product({ sku: 'AUD-1' }))
		);
		await w.as('member', (trx) =>
			products.update(trx, w.orgA, id, product({ sku: 'AUD-1', price: '99.00' }))
		);
		const { rows } = await sql<{ action: string; actor_id: string }>`
			select action, actor_id from public.audit_log where target_id = ${id} order by id`.execute(w.db);
		expect(rows.map((r) => r.action)).toEqual(['products.insert', 'products.update']);
		expect(rows.every((r) => r.actor_id === w.users.member.id)).toBe(true);
	});
});

describe('audiences', () => {
	it('saves targeting and reads it back', async () => {
		const id = await w.as('member', (trx) => audiences.create(trx, w.orgA, audience()));
		const saved = await w.as('viewer', (trx) => audiences.get(trx, w.orgA, id));
		expect(saved).toMatchObject({
			countries: ['FR', 'DE'],
			regions: 'FR-IDF',
			cities: 'Lyon, Berlin',
			interests: ['fitness.running']
		});
	});

	it('refuses unknown codes and interests, naming the field', async () => {
		for (const [bad, field] of [
			[{ countries: ['XX'] }, 'countries'],
			[{ languages: ['zz'] }, 'languages'],
			[{ regions: 'QQ-1' }, 'regions'],
			[{ interests: ['made.up'] }, 'interests']
		] as const) {
			const mapped = await refusal(
				w.service((trx) =>
					audiences.create(
						trx,
						w.orgA,
						audience({ name: `bad ${field}`, ...bad } as Partial<AudienceInput>)
					)
				)
			);
			expect(mapped).toMatchObject({ status: 422, field });
		}
	});

	it('cannot include a segment of another organization', async () => {
		const { rows } = await sql<{ id: string }>`
			insert into public.segments (org_id, name, rules)
			values (${w.orgB}, 'Theirs', '{"kind":"group","match":"all","rules":[]}') returning id`.execute(
			w.db
		);
		const mapped = await refusal(
			w.as('member', (trx) =>
				audiences.create(trx, w.orgA, audience({ name: 'Sneaky', includeSegments: [rows[0]!.id] }))
			)
		);
		expect(mapped?.status).toBe(409);
		// Nothing half-written: the audience went with the refused segment.
		expect(
			(await w.as('member', (trx) => audiences.list(trx, w.orgA))).map((a) => a.name)
		).not.toContain('Sneaky');
	});
});

describe('reach', () => {
	let vip: string;
	let lapsed: string;
	beforeAll(async () => {
		// Six contacts of org A: who may be messaged on which channel.
		const people = [
			['a@x.test', null, 'subscribed'], // email only (no consent record: allowed)
			['b@x.test', '+33600000001', 'subscribed'], // email + SMS granted
			['c@x.test', '+33600000002', 'unsubscribed'], // SMS granted, email no
			[null, '+33600000003', 'subscribed'], // SMS granted then withdrawn
			['e@x.test', '+33600000004', 'subscribed'], // WhatsApp granted, email withdrawn
			['f@x.test', null, 'subscribed'] // email, but erased
		] as const;
		const ids: string[] = [];
		for (const [email, phone, status] of people) {
			const { rows } = await sql<{ id: string }>`
				insert into public.contacts (org_id, email, phone, status)
				values (${w.orgA}, ${email}, ${phone}, ${status}::public.contact_status) returning id`.execute(
				w.db
			);
			ids.push(rows[0]!.id);
		}
		const consent = async (i: number, channel: string, status: string, at: string) =>
			sql`insert into public.consent_records (org_id, contact_id, channel, status, source, recorded_at)
			    values (${w.orgA}, ${ids[i]}, ${channel}::public.consent_channel,
			            ${status}::public.consent_status, 'test', ${at}::timestamptz)`.execute(w.db);
		await consent(1, 'sms', 'granted', '2026-01-01');
		await consent(2, 'sms', 'granted', '2026-01-01');
		await consent(3, 'sms', 'granted', '2026-01-01');
		await consent(3, 'sms', 'withdrawn', '2026-02-01');
		await consent(4, 'whatsapp', 'granted', '2026-01-01');
		await consent(4, 'email', 'withdrawn', '2026-01-01');
		await sql`update public.contacts set erased_at = now() where id = ${ids[5]}`.execute(w.db);
		const segment = async (name: string, members: number[]) => {
			const { rows } = await sql<{ id: string }>`
				insert into public.segments (org_id, name, rules)
				values (${w.orgA}, ${name}, '{"kind":"group","match":"all","rules":[]}') returning id`.execute(
				w.db
			);
			for (const i of members)
				await sql`insert into public.segment_memberships (org_id, segment_id, contact_id)
				          values (${w.orgA}, ${rows[0]!.id}, ${ids[i]})`.execute(w.db);
			return rows[0]!.id;
		};
		vip = await segment('VIP', [0, 1, 2, 3, 4, 5]);
		lapsed = await segment('Lapsed', [1]);
	});

	it('counts only contacts who may be messaged on the channel, as contact_can_send', async () => {
		const counts = await w.as('viewer', (trx) => audiences.reachByChannel(trx, w.orgA, [vip], []));
		expect(counts).toEqual({ email: 2, sms: 2, whatsapp: 1 });
		// The same answer as asking contact_can_send contact by contact.
		for (const channel of ['email', 'sms', 'whatsapp'] as const) {
			const { rows } = await sql<{ n: string }>`
				select count(*) as n from public.segment_memberships m
				 where m.segment_id = ${vip} and public.contact_can_send(m.contact_id, ${channel}::public.consent_channel)`.execute(
				w.db
			);
			expect(counts[channel]).toBe(Number(rows[0]!.n));
		}
	});

	it('takes excluded segments out', async () => {
		const counts = await w.as('member', (trx) =>
			audiences.reachByChannel(trx, w.orgA, [vip], [lapsed])
		);
		expect(counts).toEqual({ email: 1, sms: 1, whatsapp: 1 });
	});

	it('counts a saved audience the same way', async () => {
		const id = await w.as('member', (trx) =>
			audiences.create(
				trx,
				w.orgA,
				audience({ name: 'VIP but not lapsed', includeSegments: [vip], excludeSegments: [lapsed] })
			)
		);
		const { rows } = await sql<{ n: string }>`
			select public.audience_reach(${id}::uuid, 'email') as n`.execute(w.db);
		expect(Number(rows[0]!.n)).toBe(1);
	});

	it('counts a contact in two audiences once, for the wizard and the campaign', async () => {
		const create = (over: Partial<AudienceInput>) =>
			w.as('member', (trx) => audiences.create(trx, w.orgA, audience(over)));
		const everyVip = await create({ name: 'Every VIP', includeSegments: [vip] });
		const lapsedOnly = await create({ name: 'Lapsed only', includeSegments: [lapsed] });
		const vipNotLapsed = await create({
			name: 'VIP, not lapsed',
			includeSegments: [vip],
			excludeSegments: [lapsed]
		});
		const together = (ids: string[]) =>
			w.as('viewer', (trx) => audiences.audiencesReach(trx, w.orgA, ids, 'email'));
		// Every VIP reaches a and b by email; Lapsed only reaches b: two people, not three.
		expect(await together([everyVip, lapsedOnly])).toBe(2);
		// One audience's exclusion does not take out whom another audience includes.
		expect(await together([vipNotLapsed, lapsedOnly])).toBe(2);
		expect(await together([vipNotLapsed])).toBe(1);

		const { rows: brand } = await sql<{ id: string }>`
			insert into public.brands (org_id, name) values (${w.orgA}, 'Reach brand') returning id`.execute(
			w.db
		);
		const { rows: campaign } = await sql<{ id: string }>`
			insert into public.campaigns (org_id, kind, brand_id, name)
			values (${w.orgA}, 'email', ${brand[0]!.id}, 'Two audiences') returning id`.execute(w.db);
		const id = campaign[0]!.id;
		for (const a of [everyVip, lapsedOnly])
			await sql`insert into public.campaign_audiences (org_id, campaign_id, audience_id)
			          values (${w.orgA}, ${id}, ${a})`.execute(w.db);
		const reachOfCampaign = (role: 'viewer' | 'outsider') =>
			w.as(role, (trx) => audiences.campaignReach(trx, id, 'email'));
		expect(await reachOfCampaign('viewer')).toBe(2);
		expect(await reachOfCampaign('outsider')).toBe(0);
		expect(
			await w.as('outsider', (trx) => audiences.audiencesReach(trx, w.orgA, [everyVip], 'email'))
		).toBe(0);
	});

	it('counts nothing of another organization', async () => {
		expect(await w.as('outsider', (trx) => audiences.reach(trx, w.orgA, [vip], [], 'email'))).toBe(
			0
		);
		expect(await w.as('outsider', (trx) => audiences.reach(trx, w.orgA, [], [], 'email'))).toBe(0);
	});
});
