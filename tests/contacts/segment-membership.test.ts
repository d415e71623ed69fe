// Segment memberships stay current: a new segment is built (no entered
// events for the first build), contact, tag and event changes mark contacts
// pending and queue the per-organization job, applying them records
// segment.entered / segment.exited, and a rule on a deleted field surfaces
// on the segment instead of failing silently.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as contacts from '../../src/lib/server/contacts/index.ts';
import * as segments from '../../src/lib/server/segments/index.ts';
import { createContactsWorld, type ContactsWorld } from './world.ts';

let w: ContactsWorld;
let pro: segments.Segment;
let ann: contacts.Contact;
let bob: contacts.Contact;

const members = async (segmentId: string) =>
	(
		await w.service((trx) =>
			trx
				.selectFrom('segment_memberships as m')
				.innerJoin('contacts as c', 'c.id', 'm.contact_id')
				.select('c.first_name')
				.where('m.segment_id', '=', segmentId)
				.orderBy('c.first_name')
				.execute()
		)
	).map((r) => r.first_name);

const applyAll = () => w.service(async (trx) => segments.applyPending(trx, w.orgA));

beforeAll(async () => {
	w = await createContactsWorld();
	await w.as('member', async (trx) => {
		await contacts.createField(trx, w.orgA, {
			key: 'plan',
			label: 'Plan',
			type: 'select',
			options: ['free', 'pro']
		});
		ann = await contacts.create(trx, w.orgA, {
			email: 'ann@s.test',
			firstName: 'Ann',
			custom: { plan: 'pro' }
		});
		bob = await contacts.create(trx, w.orgA, {
			email: 'bob@s.test',
			firstName: 'Bob',
			custom: { plan: 'free' }
		});
		pro = await segments.createSegment(trx, w.orgA, {
			name: 'Pro or opened',
			rules: {
				kind: 'group',
				match: 'any',
				rules: [
					{ kind: 'field', field: 'custom.plan', operator: 'equals', value: 'pro' },
					{ kind: 'event', operator: 'did', eventType: 'email.opened', withinDays: 7 }
				]
			}
		});
	});
});
afterAll(() => w.cleanup());

describe('building', () => {
	it('queues the build with the segment and builds it without entered events', async () => {
		expect((await w.jobs('segment_refresh')).map((j) => j.key)).toContain(
			`segment_refresh:${pro.id}`
		);
		expect(pro).toMatchObject({ cachedCount: null, refreshedAt: null });
		const result = await w.service((trx) => segments.refresh(trx, pro.id));
		expect(result).toEqual({ status: 'refreshed', entered: 1, exited: 0, count: 1 });
		expect(await members(pro.id)).toEqual(['Ann']);
		expect(await w.events('segment.entered')).toEqual([]);
		const saved = await w.as('viewer', (trx) => segments.getSegment(trx, w.orgA, pro.id));
		expect(saved.cachedCount).toBe(1);
	});

	it('counts live what it would build', async () => {
		expect(await w.as('viewer', (trx) => segments.countMatching(trx, w.orgA, pro.rules))).toBe(1);
	});
});

describe('changes', () => {
	it('a contact update marks it pending and queues one job per organization', async () => {
		await w.as('member', (trx) =>
			contacts.update(trx, w.orgA, bob.id, { custom: { plan: 'pro' } })
		);
		await w.as('member', (trx) =>
			contacts.update(trx, w.orgA, ann.id, { custom: { plan: 'free' } })
		);
		expect((await w.jobs('segments_apply_changes')).map((j) => j.key)).toEqual([
			`segments_apply_changes:${w.orgA}`
		]);
		expect(await applyAll()).toBe(2);
		expect(await applyAll()).toBe(0);
		expect(await members(pro.id)).toEqual(['Bob']);
		expect((await w.events('segment.entered')).map((e) => e.subject_id)).toEqual([bob.id]);
		expect((await w.events('segment.exited')).map((e) => e.subject_id)).toEqual([ann.id]);
		expect((await w.events('segment.exited'))[0]!.payload).toMatchObject({ segment_id: pro.id });
		const saved = await w.as('viewer', (trx) => segments.getSegment(trx, w.orgA, pro.id));
		expect(saved.cachedCount).toBe(1);
	});

	it("another module's event about a contact can move it into an event rule", async () => {
		// As another module's trigger would (security definer, not callable by API roles).
		await sql`select private.record_event(${w.orgA}::uuid, 'email.opened', 'contact', ${ann.id}::uuid)`.execute(
			w.db
		);
		expect(await applyAll()).toBe(1);
		expect(await members(pro.id)).toEqual(['Ann', 'Bob']);
	});

	it('tags count too', async () => {
		const vip = await w.as('member', async (trx) => {
			const tag = await contacts.createTag(trx, w.orgA, { name: 'vip' });
			return segments
				.createSegment(trx, w.orgA, {
					name: 'VIPs',
					rules: {
						kind: 'group',
						match: 'all',
						rules: [{ kind: 'tag', operator: 'has', tagId: tag.id }]
					}
				})
				.then((s) => ({ segment: s, tag }));
		});
		await w.service((trx) => segments.refresh(trx, vip.segment.id));
		expect(await members(vip.segment.id)).toEqual([]);
		await w.as('member', (trx) => contacts.addTags(trx, w.orgA, [bob.id], [vip.tag.id]));
		await applyAll();
		expect(await members(vip.segment.id)).toEqual(['Bob']);
		await w.as('member', (trx) => contacts.removeTags(trx, w.orgA, [bob.id], [vip.tag.id]));
		await applyAll();
		expect(await members(vip.segment.id)).toEqual([]);
	});

	it('the background reconcile catches what time changed (event windows closing)', async () => {
		await w.service((trx) =>
			sql`update public.events set occurred_at = now() - interval '30 days' where type = 'email.opened'`.execute(
				trx
			)
		);
		const result = await w.service((trx) => segments.refresh(trx, pro.id));
		expect(result).toMatchObject({ status: 'refreshed', entered: 0, exited: 1, count: 1 });
		expect(await members(pro.id)).toEqual(['Bob']);
	});

	it('new rules rebuild without events; erased contacts leave', async () => {
		await w.as('member', (trx) =>
			segments.updateSegment(trx, w.orgA, pro.id, {
				rules: {
					kind: 'group',
					match: 'all',
					rules: [{ kind: 'field', field: 'email', operator: 'contains', value: '@s.test' }]
				}
			})
		);
		const exitedBefore = (await w.events('segment.exited')).length;
		const enteredBefore = (await w.events('segment.entered')).length;
		await w.service((trx) => segments.refresh(trx, pro.id));
		expect(await members(pro.id)).toEqual(['Ann', 'Bob']);
		expect((await w.events('segment.entered')).length).toBe(enteredBefore);
		await w.as('member', (trx) => contacts.erase(trx, w.orgA, bob.id));
		expect(await members(pro.id)).toEqual(['Ann']);
		expect((await w.events('segment.exited')).length).toBe(exitedBefore + 1);
	});
});

describe('a rule on a deleted field', () => {
	it('is recorded on the segment with the rule path, and the field values are purged', async () => {
		await w.as('member', (trx) =>
			segments.updateSegment(trx, w.orgA, pro.id, {
				rules: {
					kind: 'group',
					match: 'all',
					rules: [{ kind: 'field', field: 'custom.plan', operator: 'is_set' }]
				}
			})
		);
		await w.as('member', (trx) => contacts.deleteField(trx, w.orgA, 'plan'));
		const result = await w.service((trx) => segments.refresh(trx, pro.id));
		expect(result).toEqual({
			status: 'invalid',
			error:
				'rules[0]: Refers to the custom field "plan", which does not exist (it may have been deleted).'
		});
		const saved = await w.as('viewer', (trx) => segments.getSegment(trx, w.orgA, pro.id));
		expect(saved.error).toMatch(/^rules\[0\]: Refers to the custom field "plan"/);
		// Re-creating the key waits for the purge; the purge strips values without contact.updated events.
		await expect(
			w.as('member', (trx) =>
				contacts.createField(trx, w.orgA, { key: 'plan', label: 'Plan', type: 'number' })
			)
		).rejects.toThrow(/just deleted/);
		const updates = (await w.events('contact.updated')).length;
		await w.service((trx) =>
			sql`select private.purge_contact_field_values(${w.orgA}::uuid, 'plan')`.execute(trx)
		);
		await w.service((trx) =>
			sql`select private.purge_contact_field_values(${w.orgA}::uuid, 'plan')`.execute(trx)
		);
		expect((await w.events('contact.updated')).length).toBe(updates);
		const annNow = await w.as('viewer', (trx) => contacts.get(trx, w.orgA, ann.id));
		expect(annNow.custom).toEqual({});
		await w.as('member', (trx) =>
			contacts.createField(trx, w.orgA, { key: 'plan', label: 'Plan', type: 'number' })
		);
	});

	it('an indexed field gets an expression index the compiled rules use', async () => {
		await w.as('member', (trx) =>
			contacts.createField(trx, w.orgA, {
				key: 'tier',
				label: 'Tier',
				type: 'select',
				options: ['a', 'b'],
				indexed: true
			})
		);
		expect((await w.jobs('contact_field_index')).map((j) => j.key)).toContain(
			`contact_field_index:${w.orgA}:tier`
		);
		await w.service((trx) =>
			sql`select private.sync_contact_field_index(${w.orgA}::uuid, 'tier')`.execute(trx)
		);
		await w.service((trx) =>
			sql`insert into public.contacts (org_id, email, custom)
			    select ${w.orgA}, 'bulk' || i || '@s.test', jsonb_build_object('tier', case when i % 500 = 0 then 'b' else 'a' end)
			      from generate_series(1, 5000) i`.execute(trx)
		);
		await sql`analyze public.contacts`.execute(w.db);
		const ctx = await w.as('viewer', (trx) => contacts.ruleContext(trx, w.orgA));
		const where = segments.segmentWhere(
			segments.validateRules(
				{
					kind: 'group',
					match: 'all',
					rules: [{ kind: 'field', field: 'custom.tier', operator: 'equals', value: 'b' }]
				},
				ctx
			),
			ctx
		);
		// As the worker builds memberships. (Under RLS, Postgres keeps operators that are
		// not leakproof, such as ->>, out of index conditions.)
		const plan = await w.service((trx) =>
			sql<{
				'QUERY PLAN': string;
			}>`explain select count(*) from public.contacts c where ${where}`.execute(trx)
		);
		expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(
			/contacts_cf_[0-9a-f]{20}_idx/
		);
	});
});
