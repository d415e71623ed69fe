// Escalation attempts: what a member, an admin or an owner must not be able to
// do to roles and permissions, however they phrase the request.
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapDbError } from '../../src/lib/server/db/errors.ts';
import { withRls } from '../../src/lib/server/db/rls.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { pgError } from '../helpers/errors.ts';
import {
	addMember,
	createOrganization,
	createTenancyWorld,
	type TenancyWorld
} from '../helpers/tenancy.ts';
import { createUser } from '../helpers/users.ts';

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

const setRole = (persona: 'member' | 'admin' | 'owner' | 'viewer', userId: string, role: string) =>
	withRls(w.db, w.claims(persona), (trx) =>
		sql`update public.members set role = ${role}::public.org_role
		    where org_id = ${w.orgA} and user_id = ${userId}`.execute(trx)
	);

async function roleOf(userId: string, orgId = w.orgA): Promise<string | undefined> {
	const client = new pg.Client({ connectionString: testDb.url });
	await client.connect();
	const { rows } = await client.query<{ role: string }>(
		'select role from public.members where org_id = $1 and user_id = $2',
		[orgId, userId]
	);
	await client.end();
	return rows[0]?.role;
}

describe('roles', () => {
	it('a member cannot raise their own role', async () => {
		const result = await setRole('member', w.users.member.id, 'admin');
		expect(result.numAffectedRows).toBe(0n);
		expect(await roleOf(w.users.member.id)).toBe('member');
	});

	it('an admin cannot make themselves or anyone an owner', async () => {
		await expect(setRole('admin', w.users.admin.id, 'owner')).rejects.toMatchObject(
			pgError('42501', 'owner_only')
		);
		await expect(setRole('admin', w.users.member.id, 'owner')).rejects.toMatchObject(
			pgError('42501', 'owner_only')
		);
	});

	it('an admin cannot demote or remove an owner', async () => {
		await expect(setRole('admin', w.users.owner.id, 'viewer')).rejects.toMatchObject(
			pgError('42501', 'owner_only')
		);
		await expect(
			withRls(w.db, w.claims('admin'), (trx) =>
				trx
					.deleteFrom('members')
					.where('org_id', '=', w.orgA)
					.where('user_id', '=', w.users.owner.id)
					.execute()
			)
		).rejects.toMatchObject(pgError('42501', 'owner_only'));
		expect(await roleOf(w.users.owner.id)).toBe('owner');
	});

	it('an admin can change a member to viewer and back', async () => {
		await setRole('admin', w.users.target.id, 'viewer');
		expect(await roleOf(w.users.target.id)).toBe('viewer');
		await setRole('admin', w.users.target.id, 'member');
		expect(await roleOf(w.users.target.id)).toBe('member');
	});

	it('the last owner cannot be demoted or leave', async () => {
		await expect(setRole('owner', w.users.owner.id, 'admin')).rejects.toMatchObject(
			pgError('23514', 'last_owner')
		);
		await expect(
			withRls(w.db, w.claims('owner'), (trx) =>
				trx
					.deleteFrom('members')
					.where('org_id', '=', w.orgA)
					.where('user_id', '=', w.users.owner.id)
					.execute()
			)
		).rejects.toMatchObject(pgError('23514', 'last_owner'));
		expect(
			mapDbError(await setRole('owner', w.users.owner.id, 'admin').catch((e: unknown) => e))
		).toMatchObject({
			status: 422
		});
	});

	it('nobody can change protected columns', async () => {
		await expect(
			withRls(w.db, w.claims('owner'), (trx) =>
				sql`update public.members set org_id = ${w.orgB} where user_id = ${w.users.target.id}`.execute(
					trx
				)
			)
		).rejects.toMatchObject(pgError('42501'));
		await expect(
			withRls(w.db, w.claims('owner'), (trx) =>
				sql`update public.organizations set created_by = ${w.users.admin.id} where id = ${w.orgA}`.execute(
					trx
				)
			)
		).rejects.toMatchObject(pgError('42501'));
		await expect(
			withRls(w.db, w.claims('owner'), (trx) =>
				sql`update public.organizations set id = gen_random_uuid() where id = ${w.orgA}`.execute(
					trx
				)
			)
		).rejects.toMatchObject(pgError('42501'));
	});
});

describe('owners racing each other', () => {
	it('two owners demoting each other at once leave exactly one owner', async () => {
		const a = await createUser(testDb.url, 'Owner A');
		const b = await createUser(testDb.url, 'Owner B');
		const org = await createOrganization(w.db, a, 'Race', `race-${a.id.slice(0, 6)}`);
		await addMember(testDb.url, org, b, 'owner');
		const demote = (actor: typeof a, target: typeof a) =>
			withRls(w.db, actor.claims, (trx) =>
				sql`update public.members set role = 'admin' where org_id = ${org} and user_id = ${target.id}`.execute(
					trx
				)
			);
		const results = await Promise.allSettled([demote(a, b), demote(b, a)]);
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
		const roles = [await roleOf(a.id, org), await roleOf(b.id, org)].sort();
		expect(roles).toEqual(['admin', 'owner']);
	});
});

describe('custom roles and permissions', () => {
	let billingRole: string;

	beforeAll(async () => {
		const { rows } = await withRls(w.db, w.claims('owner'), async (trx) => {
			const role = await trx
				.insertInto('roles')
				.values({ org_id: w.orgA, name: 'Billing clerk' })
				.returning('id')
				.executeTakeFirstOrThrow();
			await trx
				.insertInto('role_permissions')
				.values({ org_id: w.orgA, role_id: role.id, permission: 'billing.manage' })
				.execute();
			return { rows: [role] };
		});
		billingRole = rows[0]!.id;
	});

	it('an admin cannot put a permission they lack into a custom role', async () => {
		await expect(
			withRls(w.db, w.claims('admin'), async (trx) => {
				const role = await trx
					.insertInto('roles')
					.values({ org_id: w.orgA, name: 'Sneaky' })
					.returning('id')
					.executeTakeFirstOrThrow();
				await trx
					.insertInto('role_permissions')
					.values({ org_id: w.orgA, role_id: role.id, permission: 'billing.manage' })
					.execute();
			})
		).rejects.toMatchObject(pgError('42501', 'grant_exceeds_own'));
	});

	it('an admin cannot hand out a custom role carrying a permission they lack', async () => {
		await expect(
			withRls(w.db, w.claims('admin'), (trx) =>
				trx
					.updateTable('members')
					.set({ custom_role_id: billingRole })
					.where('org_id', '=', w.orgA)
					.where('user_id', '=', w.users.target.id)
					.execute()
			)
		).rejects.toMatchObject(pgError('42501', 'grant_exceeds_own'));
	});

	it('a member cannot create roles or grant permissions at all', async () => {
		await expect(
			withRls(w.db, w.claims('member'), (trx) =>
				trx.insertInto('roles').values({ org_id: w.orgA, name: 'Mine' }).execute()
			)
		).rejects.toMatchObject(pgError('42501'));
		await expect(
			withRls(w.db, w.claims('member'), (trx) =>
				trx
					.insertInto('role_permissions')
					.values({ org_id: w.orgA, role_id: billingRole, permission: 'contacts.write' })
					.execute()
			)
		).rejects.toMatchObject(pgError('42501'));
	});

	it('a custom role adds its permissions to a viewer', async () => {
		const hasBrandsWrite = () =>
			withRls(w.db, w.claims('viewer'), (trx) =>
				sql<{
					ok: boolean;
				}>`select private.has_permission(${w.orgA}, 'brands.write') as ok`.execute(trx)
			).then((r) => r.rows[0]!.ok);
		expect(await hasBrandsWrite()).toBe(false);
		await withRls(w.db, w.claims('owner'), async (trx) => {
			const role = await trx
				.insertInto('roles')
				.values({ org_id: w.orgA, name: 'Brand editor' })
				.returning('id')
				.executeTakeFirstOrThrow();
			await trx
				.insertInto('role_permissions')
				.values({ org_id: w.orgA, role_id: role.id, permission: 'brands.write' })
				.execute();
			await trx
				.updateTable('members')
				.set({ custom_role_id: role.id })
				.where('org_id', '=', w.orgA)
				.where('user_id', '=', w.users.viewer.id)
				.execute();
		});
		expect(await hasBrandsWrite()).toBe(true);
		await withRls(w.db, w.claims('viewer'), (trx) =>
			trx.insertInto('brands').values({ org_id: w.orgA, name: 'Viewer-made brand' }).execute()
		);
	});
});

describe('organizations', () => {
	it('a duplicate slug is a 409 on the slug field, and nothing is half-written', async () => {
		const user = await createUser(testDb.url, 'Dup');
		const error = await createOrganization(w.db, user, 'Other Acme', (await slugOf(w.orgA))!).catch(
			(e: unknown) => e
		);
		expect(mapDbError(error)).toMatchObject({ status: 409, field: 'slug' });
		const client = new pg.Client({ connectionString: testDb.url });
		await client.connect();
		const { rows } = await client.query('select 1 from public.members where user_id = $1', [
			user.id
		]);
		await client.end();
		expect(rows).toHaveLength(0);
	});

	it('refuses reserved and malformed slugs', async () => {
		const user = await createUser(testDb.url, 'Slugs');
		for (const slug of ['login', 'u', 'Has Space', '-dash', 'a'.repeat(49)]) {
			const error = await createOrganization(w.db, user, 'X', slug).catch((e: unknown) => e);
			expect(mapDbError(error), slug).toMatchObject({ status: 422, field: 'slug' });
		}
	});
});

async function slugOf(orgId: string): Promise<string | undefined> {
	const client = new pg.Client({ connectionString: testDb.url });
	await client.connect();
	const { rows } = await client.query<{ slug: string }>(
		'select slug from public.organizations where id = $1',
		[orgId]
	);
	await client.end();
	return rows[0]?.slug;
}
