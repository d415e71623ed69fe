import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/lib/server/db/client.ts';
import { asAnon, withRls } from '../../src/lib/server/db/rls.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createUser, type TestUser } from '../helpers/users.ts';

describe('profiles under RLS', () => {
	let testDb: TestDatabase;
	let db: Database;
	let alice: TestUser;
	let bob: TestUser;

	beforeAll(async () => {
		testDb = await createTestDatabase();
		db = createDatabase(testDb.url, 4);
		alice = await createUser(testDb.url, 'Alice');
		bob = await createUser(testDb.url, 'Bob');
	});
	afterAll(async () => {
		await db.destroy();
		await testDb.drop();
	});

	it('creates a profile for each new auth user, named from sign-up metadata', async () => {
		const row = await withRls(db, alice.claims, (trx) =>
			trx.selectFrom('profiles').select(['id', 'email', 'full_name']).executeTakeFirst()
		);
		expect(row).toEqual({ id: alice.id, email: alice.email, full_name: 'Alice' });
	});

	it('runs as authenticated with the request claims, in one transaction', async () => {
		const { rows } = await withRls(db, alice.claims, (trx) =>
			sql<{ role: string; uid: string }>`select current_user as role, auth.uid() as uid`.execute(
				trx
			)
		);
		expect(rows[0]).toEqual({ role: 'authenticated', uid: alice.id });
	});

	it('shows a user only their own profile', async () => {
		const rows = await withRls(db, alice.claims, (trx) =>
			trx.selectFrom('profiles').select('id').execute()
		);
		expect(rows.map((r) => r.id)).toEqual([alice.id]);
	});

	it('lets a user rename themselves but not someone else', async () => {
		await withRls(db, alice.claims, (trx) =>
			trx
				.updateTable('profiles')
				.set({ full_name: 'Alice A.' })
				.where('id', '=', alice.id)
				.execute()
		);
		const result = await withRls(db, alice.claims, (trx) =>
			trx
				.updateTable('profiles')
				.set({ full_name: 'Hacked' })
				.where('id', '=', bob.id)
				.executeTakeFirst()
		);
		expect(result.numUpdatedRows).toBe(0n);
		const bobRow = await withRls(db, bob.claims, (trx) =>
			trx.selectFrom('profiles').select('full_name').executeTakeFirstOrThrow()
		);
		expect(bobRow.full_name).toBe('Bob');
	});

	it('refuses changes to protected columns and direct inserts or deletes', async () => {
		await expect(
			withRls(db, alice.claims, (trx) =>
				trx
					.updateTable('profiles')
					.set({ email: 'x@evil.test' })
					.where('id', '=', alice.id)
					.execute()
			)
		).rejects.toMatchObject({ code: '42501' });
		await expect(
			withRls(db, alice.claims, (trx) =>
				trx.insertInto('profiles').values({ id: bob.id, full_name: 'x' }).execute()
			)
		).rejects.toMatchObject({ code: '42501' });
		await expect(
			withRls(db, alice.claims, (trx) =>
				trx.deleteFrom('profiles').where('id', '=', alice.id).execute()
			)
		).rejects.toMatchObject({ code: '42501' });
	});

	it('enforces the name length in the database', async () => {
		await expect(
			withRls(db, alice.claims, (trx) =>
				trx
					.updateTable('profiles')
					.set({ full_name: 'x'.repeat(121) })
					.where('id', '=', alice.id)
					.execute()
			)
		).rejects.toMatchObject({ code: '23514' });
	});

	it('gives anon nothing', async () => {
		await expect(
			asAnon(db, (trx) => trx.selectFrom('profiles').select('id').execute())
		).rejects.toMatchObject({ code: '42501' });
	});

	it('never lets a token choose a privileged database role', async () => {
		await expect(
			withRls(db, { role: 'service_role' }, (trx) =>
				trx.selectFrom('profiles').select('id').execute()
			)
		).rejects.toThrow(/refusing database role/);
		await expect(
			withRls(db, { role: 'postgres' }, (trx) => trx.selectFrom('profiles').select('id').execute())
		).rejects.toThrow(/refusing database role/);
	});
});
