// The audit log: written by triggers, in the same transaction as the change,
// with actor (and names as they were), before and after; secrets never reach
// it; nobody can forge it.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as audit from '../../src/lib/server/audit/index.ts';
import { withRls } from '../../src/lib/server/db/rls.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createTenancyWorld, type TenancyWorld } from '../helpers/tenancy.ts';

let testDb: TestDatabase;
let w: TenancyWorld;
beforeAll(async () => {
	testDb = await createTestDatabase();
	w = await createTenancyWorld(testDb.url);
});
afterAll(async () => {
	await w.close();
	await testDb.drop();
});

const auditRows = (action: string) =>
	withRls(w.db, w.claims('owner'), (trx) =>
		trx
			.selectFrom('audit_log')
			.select([
				'actor_id',
				'actor_name',
				'target_name',
				'action',
				'target_type',
				'target_id',
				'before',
				'after'
			])
			.where('org_id', '=', w.orgA)
			.where('action', '=', action)
			.orderBy('id', 'desc')
			.execute()
	);

it('records a role change with who made it and the before and after', async () => {
	await withRls(w.db, w.claims('admin'), (trx) =>
		trx
			.updateTable('members')
			.set({ role: 'viewer' })
			.where('org_id', '=', w.orgA)
			.where('user_id', '=', w.users.target.id)
			.execute()
	);
	const [row] = await auditRows('members.update');
	expect(row).toMatchObject({
		actor_id: w.users.admin.id,
		actor_name: 'Adam Admin',
		target_name: 'Tara Target',
		target_type: 'members',
		target_id: w.users.target.id,
		before: expect.objectContaining({ role: 'member' }) as unknown,
		after: expect.objectContaining({ role: 'viewer' }) as unknown
	});
});

it('records the creation of the organization and its owner', async () => {
	expect(await auditRows('organizations.insert')).toHaveLength(1);
	expect((await auditRows('members.insert')).length).toBeGreaterThanOrEqual(1);
});

it('never stores invitation token hashes', async () => {
	await withRls(w.db, w.claims('owner'), (trx) =>
		trx
			.insertInto('invitations')
			.values({
				org_id: w.orgA,
				email: 'audited@example.test',
				token_hash: createHash('sha256').update(randomBytes(8)).digest('hex')
			})
			.execute()
	);
	const [row] = await auditRows('invitations.insert');
	expect(row?.after).not.toHaveProperty('token_hash');
	expect(row?.after).toHaveProperty('email', 'audited@example.test');
});

it('is invisible to members and viewers', async () => {
	for (const persona of ['member', 'viewer'] as const) {
		const rows = await withRls(w.db, w.claims(persona), (trx) =>
			trx.selectFrom('audit_log').select('id').execute()
		);
		expect(rows).toHaveLength(0);
	}
});

it('still names a member after they left, though their profile is hidden then', async () => {
	await withRls(w.db, w.claims('owner'), (trx) =>
		trx
			.deleteFrom('members')
			.where('org_id', '=', w.orgA)
			.where('user_id', '=', w.users.target.id)
			.execute()
	);
	const { entries } = await withRls(w.db, w.claims('owner'), async (trx) => {
		const hidden = await trx
			.selectFrom('profiles')
			.select('id')
			.where('id', '=', w.users.target.id)
			.execute();
		expect(hidden).toEqual([]);
		return audit.list(trx, w.orgA, { action: 'members.delete' });
	});
	expect(entries[0]).toMatchObject({ actorName: 'Olive Owner', targetName: 'Tara Target' });
});
