// Custom values hold whoever writes them: the worker and the edge functions
// (service_role) are checked like the API roles, a field's type cannot change
// under stored values, and an option contacts still hold cannot be removed.
// A bad value stored around the checks (before them, or by a superuser) no
// longer fails the organization's counts and membership builds.
import { sql } from 'kysely';
import { DatabaseError } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as contacts from '../../src/lib/server/contacts/index.ts';
import * as segments from '../../src/lib/server/segments/index.ts';
import { createContactsWorld, type ContactsWorld } from './world.ts';

let w: ContactsWorld;

/** The error a promise rejects with (fails the test when it resolves). */
async function refusal(promise: Promise<unknown>): Promise<DatabaseError> {
	const error: unknown = await promise.then(
		() => null,
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(DatabaseError);
	return error as DatabaseError;
}

const scoreRule = (operator: string, value?: unknown) => ({
	kind: 'group' as const,
	match: 'all' as const,
	rules: [{ kind: 'field' as const, field: 'custom.score', operator, value }]
});

beforeAll(async () => {
	w = await createContactsWorld();
	await w.as('admin', async (trx) => {
		await contacts.createField(trx, w.orgA, { key: 'score', label: 'Score', type: 'number' });
		await contacts.createField(trx, w.orgA, {
			key: 'plan',
			label: 'Plan',
			type: 'select',
			options: ['free', 'pro', 'gold']
		});
		await contacts.createField(trx, w.orgA, {
			key: 'langs',
			label: 'Languages',
			type: 'multi_select',
			options: ['en', 'fr', 'de']
		});
	});
});
afterAll(() => w.cleanup());

// First, on a table nobody has updated yet: an index built over rows with
// broken update chains is unusable until every older snapshot is gone (another
// test file's long transaction on the same server keeps one).
describe("a number field's index", () => {
	it('is built over a value that is not a number, reads it as null, and the compiler matches it', async () => {
		await w.as('outsider', (trx) =>
			contacts.createField(trx, w.orgB, { key: 'score', label: 'Score', type: 'number' })
		);
		await sql`alter table public.contacts disable trigger user`.execute(w.db);
		try {
			await sql`insert into public.contacts (org_id, email, custom)
				values (${w.orgB}, 'high@index.test', '{"score": "high"}')`.execute(w.db);
		} finally {
			await sql`alter table public.contacts enable trigger user`.execute(w.db);
		}
		await w.as('outsider', (trx) => contacts.updateField(trx, w.orgB, 'score', { indexed: true }));
		await w.service((trx) =>
			sql`select private.sync_contact_field_index(${w.orgB}::uuid, 'score')`.execute(trx)
		);
		await w.service((trx) =>
			sql`insert into public.contacts (org_id, email, custom)
			    select ${w.orgB}, 'many' || i || '@index.test', jsonb_build_object('score', i)
			      from generate_series(1, 5000) i`.execute(trx)
		);
		await sql`analyze public.contacts`.execute(w.db);
		const ctx = await w.as('outsider', (trx) => contacts.ruleContext(trx, w.orgB));
		const where = segments.segmentWhere(
			segments.validateRules(scoreRule('greater_than', 4990), ctx),
			ctx
		);
		const plan = await w.service((trx) =>
			sql<{
				'QUERY PLAN': string;
			}>`explain select count(*) from public.contacts c where ${where}`.execute(trx)
		);
		expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(
			/contacts_cf_[0-9a-f]{20}_idx/
		);
		const { rows } = await w.service((trx) =>
			sql<{
				n: number;
			}>`select count(*)::integer as n from public.contacts c where ${where}`.execute(trx)
		);
		expect(rows[0]!.n).toBe(10);
	});
});

describe('service_role writes are checked', () => {
	it('refuses a value of the wrong type, naming the field', async () => {
		const error = await refusal(
			w.service((trx) =>
				trx
					.insertInto('contacts')
					.values({
						org_id: w.orgA,
						email: 'typed@v.test',
						custom: JSON.stringify({ score: 'high' })
					})
					.execute()
			)
		);
		expect(error.code).toBe('23514');
		expect(error.column).toBe('custom.score');
		expect(error.message).toBe('Custom field "score" expects a number.');
	});

	it('refuses a key that is not a field of the organization', async () => {
		const error = await refusal(
			w.service((trx) =>
				trx
					.insertInto('contacts')
					.values({ org_id: w.orgA, email: 'unknown@v.test', custom: JSON.stringify({ shoe: 42 }) })
					.execute()
			)
		);
		expect(error.column).toBe('custom.shoe');
		expect(error.message).toMatch(/not a custom field of this organization/);
	});

	it('checks updates too, but only the values that change', async () => {
		const id = await w.service(async (trx) => {
			const row = await trx
				.insertInto('contacts')
				.values({ org_id: w.orgA, email: 'upd@v.test', custom: JSON.stringify({ score: 3 }) })
				.returning('id')
				.executeTakeFirstOrThrow();
			return row.id;
		});
		const error = await refusal(
			w.service((trx) =>
				sql`update public.contacts set custom = custom || '{"plan": "platinum"}' where id = ${id}`.execute(
					trx
				)
			)
		);
		expect(error.column).toBe('custom.plan');
		// A value stored before the checks (here: around them) does not block other changes.
		await sql`alter table public.contacts disable trigger user`.execute(w.db);
		try {
			await sql`update public.contacts set custom = custom || '{"langs": "en"}' where id = ${id}`.execute(
				w.db
			);
		} finally {
			await sql`alter table public.contacts enable trigger user`.execute(w.db);
		}
		await w.service((trx) =>
			sql`update public.contacts set first_name = 'Una', custom = custom || '{"plan": "pro"}' where id = ${id}`.execute(
				trx
			)
		);
	});
});

describe('field definitions under stored values', () => {
	it("refuses a change of a field's type or key, whoever writes", async () => {
		const error = await refusal(
			w.service((trx) =>
				sql`update public.contact_fields set type = 'text' where org_id = ${w.orgA} and key = 'score'`.execute(
					trx
				)
			)
		);
		expect(error.code).toBe('23514');
		expect(error.column).toBe('type');
		const renamed = await refusal(
			w.service((trx) =>
				sql`update public.contact_fields set key = 'points' where org_id = ${w.orgA} and key = 'score'`.execute(
					trx
				)
			)
		);
		expect(renamed.column).toBe('key');
	});

	it('refuses to remove an option contacts hold; allows removing one nobody holds', async () => {
		await w.as('member', (trx) =>
			contacts.create(trx, w.orgA, {
				email: 'gold@v.test',
				custom: { plan: 'gold', langs: ['de'] }
			})
		);
		const select = await refusal(
			w.as('admin', (trx) =>
				contacts.updateField(trx, w.orgA, 'plan', { options: ['free', 'pro'] })
			)
		);
		expect(select.column).toBe('options');
		expect(select.message).toMatch(/"gold" is still set on contacts/);
		const multi = await refusal(
			w.as('admin', (trx) => contacts.updateField(trx, w.orgA, 'langs', { options: ['en', 'fr'] }))
		);
		expect(multi.message).toMatch(/"de" is still set on contacts/);
		const kept = await w.as('admin', (trx) =>
			contacts.updateField(trx, w.orgA, 'langs', { options: ['en', 'de', 'es'] })
		);
		expect(kept.options).toEqual(['en', 'de', 'es']);
	});
});

describe('a bad value stored around the checks', () => {
	let highId: string;
	let segmentId: string;

	beforeAll(async () => {
		const ids = await w.service(async (trx) => {
			const rows = await trx
				.insertInto('contacts')
				.values([
					{
						org_id: w.orgA,
						email: 'n1@bad.test',
						first_name: 'Nine',
						custom: JSON.stringify({ score: 9 })
					},
					{
						org_id: w.orgA,
						email: 'n2@bad.test',
						first_name: 'Two',
						custom: JSON.stringify({ score: 2 })
					}
				])
				.returning('id')
				.execute();
			return rows.map((r) => r.id);
		});
		segmentId = (
			await w.as('member', (trx) =>
				segments.createSegment(trx, w.orgA, { name: 'Scored', rules: scoreRule('greater_than', 5) })
			)
		).id;
		await w.service((trx) => segments.refresh(trx, segmentId));
		// As the inbound webhook stored them before the checks held for service_role.
		await sql`alter table public.contacts disable trigger user`.execute(w.db);
		try {
			const { rows } = await sql<{ id: string }>`
				insert into public.contacts (org_id, email, custom)
				values (${w.orgA}, 'high@bad.test', '{"score": "high", "unknown": [1, 2]}'),
				       (${w.orgA}, 'list@bad.test', '{"score": [7]}')
				returning id`.execute(w.db);
			highId = rows[0]!.id;
			await sql`insert into private.segment_pending_contacts (org_id, contact_id)
				select ${w.orgA}, unnest(${[...ids, ...rows.map((r) => r.id)]}::uuid[])`.execute(w.db);
		} finally {
			await sql`alter table public.contacts enable trigger user`.execute(w.db);
		}
	});

	it('the live count reads it as no number instead of failing', async () => {
		for (const [operator, value, expected] of [
			['greater_than', 5, 1],
			['less_than', 5, 2],
			['not_in', [9], 5],
			['is_set', undefined, 5]
		] as const) {
			const count = await w.as('viewer', (trx) =>
				segments.countMatching(trx, w.orgA, scoreRule(operator, value))
			);
			expect([operator, count]).toEqual([operator, expected]);
		}
	});

	it('the membership build and the changes job go on', async () => {
		expect(await w.service((trx) => segments.applyPending(trx, w.orgA))).toBeGreaterThan(0);
		const result = await w.service((trx) => segments.refresh(trx, segmentId));
		expect(result).toMatchObject({ status: 'refreshed', count: 1 });
		const saved = await w.as('viewer', (trx) => segments.getSegment(trx, w.orgA, segmentId));
		expect(saved.error).toBeNull();
		expect(await w.as('viewer', (trx) => segments.isMember(trx, w.orgA, segmentId, highId))).toBe(
			false
		);
	});
});
