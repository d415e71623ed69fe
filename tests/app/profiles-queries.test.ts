// The profiles module (src/lib/server/profiles) through withRls, as routes call it:
// a person reads and renames only their own profile, and bad input is a mapped 4xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as profiles from '../../src/lib/server/profiles/index.ts';
import { createDatabase, type Database } from '../../src/lib/server/db/client.ts';
import { mapDbError } from '../../src/lib/server/db/errors.ts';
import { asAnon, withRls } from '../../src/lib/server/db/rls.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createUser, type TestUser } from '../helpers/users.ts';

describe('profiles.get / profiles.update under RLS', () => {
	let testDb: TestDatabase;
	let db: Database;
	let alice: TestUser;
	let bob: TestUser;

	beforeAll(async () => {
		testDb = await createTestDatabase();
		db = createDatabase(testDb.url, 4);
		alice = await createUser(testDb.url, 'Alice Example');
		bob = await createUser(testDb.url, 'Bob Example');
	});
	afterAll(async () => {
		await db.destroy();
		await testDb.drop();
	});

	it('reads the signed-in person’s own profile', async () => {
		const profile = await withRls(db, alice.claims, (trx) => profiles.get(trx, alice.id));
		expect(profile).toEqual({
			id: alice.id,
			email: alice.email,
			fullName: 'Alice Example',
			avatarUrl: null
		});
	});

	it('does not read someone else’s profile', async () => {
		expect(await withRls(db, alice.claims, (trx) => profiles.get(trx, bob.id))).toBeNull();
	});

	it('refuses signed-out reads outright (403, not an empty answer)', async () => {
		const error = await asAnon(db, (trx) => profiles.get(trx, alice.id)).catch((e: unknown) => e);
		expect(mapDbError(error)?.status).toBe(403);
	});

	it('renames the signed-in person and returns the saved profile', async () => {
		const saved = await withRls(db, alice.claims, (trx) =>
			profiles.update(trx, alice.id, { fullName: 'Alice A. Example' })
		);
		expect(saved.fullName).toBe('Alice A. Example');
		const reread = await withRls(db, alice.claims, (trx) => profiles.get(trx, alice.id));
		expect(reread?.fullName).toBe('Alice A. Example');
	});

	it('refuses to rename someone else (as if the row did not exist) and changes nothing', async () => {
		await expect(
			withRls(db, alice.claims, (trx) => profiles.update(trx, bob.id, { fullName: 'Hacked' }))
		).rejects.toBeInstanceOf(profiles.ProfileNotFoundError);
		const bobsProfile = await withRls(db, bob.claims, (trx) => profiles.get(trx, bob.id));
		expect(bobsProfile?.fullName).toBe('Bob Example');
	});

	it('turns a name over 120 characters into a 422, without a partial write', async () => {
		const error = await withRls(db, alice.claims, (trx) =>
			profiles.update(trx, alice.id, { fullName: 'x'.repeat(121) })
		).catch((e: unknown) => e);
		expect(mapDbError(error)?.status).toBe(422);
		const profile = await withRls(db, alice.claims, (trx) => profiles.get(trx, alice.id));
		expect(profile?.fullName).toBe('Alice A. Example');
	});
});
