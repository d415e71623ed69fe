// Invitations: bound to an email, only a hash stored, single-use under a row
// lock, and each way of failing has its own clear error.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/lib/server/db/client.ts';
import { mapDbError } from '../../src/lib/server/db/errors.ts';
import { asAnon, withRls } from '../../src/lib/server/db/rls.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { pgError } from '../helpers/errors.ts';
import { createTenancyWorld, type TenancyWorld } from '../helpers/tenancy.ts';
import { createUser, type TestUser } from '../helpers/users.ts';

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

/** Sends an invitation as the org A admin; returns the raw token (as the email would carry it). */
async function invite(
	email: string,
	options: { role?: 'admin' | 'member' | 'viewer'; expiresAt?: Date } = {}
) {
	const token = randomBytes(32).toString('base64url');
	await withRls(w.db, w.claims('admin'), (trx) =>
		trx
			.insertInto('invitations')
			.values({
				org_id: w.orgA,
				email,
				role: options.role ?? 'member',
				token_hash: createHash('sha256').update(token).digest('hex'),
				...(options.expiresAt ? { expires_at: options.expiresAt.toISOString() } : {})
			})
			.execute()
	);
	return token;
}

const accept = (user: TestUser, token: string) =>
	withRls(w.db, user.claims, (trx) =>
		sql<{ org_id: string }>`select public.accept_invitation(${token}) as org_id`.execute(trx)
	).then((r) => r.rows[0]!.org_id);

async function isMember(user: TestUser): Promise<boolean> {
	const client = new pg.Client({ connectionString: testDb.url });
	await client.connect();
	const { rowCount } = await client.query(
		'select 1 from public.members where org_id = $1 and user_id = $2',
		[w.orgA, user.id]
	);
	await client.end();
	return rowCount === 1;
}

describe('accepting', () => {
	it('the invited person joins with the invited role; the token is stored only as a hash', async () => {
		const invitee = await createUser(testDb.url, 'Ivy Invitee');
		const token = await invite(invitee.email, { role: 'viewer' });
		const client = new pg.Client({ connectionString: testDb.url });
		await client.connect();
		const stored = await client.query<{ token_hash: string }>(
			'select token_hash from public.invitations where email = $1',
			[invitee.email]
		);
		await client.end();
		expect(stored.rows[0]!.token_hash).not.toContain(token);
		expect(await accept(invitee, token)).toBe(w.orgA);
		expect(await isMember(invitee)).toBe(true);
	});

	it('matches the email case-insensitively', async () => {
		const invitee = await createUser(testDb.url, 'Case');
		const token = await invite(invitee.email.toUpperCase());
		await accept(invitee, token);
		expect(await isMember(invitee)).toBe(true);
	});

	it('refuses someone signed in with another email', async () => {
		const invitee = await createUser(testDb.url, 'Right');
		const other = await createUser(testDb.url, 'Wrong');
		const token = await invite(invitee.email);
		await expect(accept(other, token)).rejects.toMatchObject(
			pgError('42501', 'invitation_wrong_email')
		);
		expect(await isMember(other)).toBe(false);
	});

	it('refuses an expired invitation', async () => {
		const invitee = await createUser(testDb.url, 'Late');
		const token = await invite(invitee.email, { expiresAt: new Date(Date.now() - 1000) });
		await expect(accept(invitee, token)).rejects.toMatchObject(
			pgError('22023', 'invitation_expired')
		);
	});

	it('refuses a revoked invitation', async () => {
		const invitee = await createUser(testDb.url, 'Revoked');
		const token = await invite(invitee.email);
		await withRls(w.db, w.claims('owner'), (trx) =>
			trx
				.updateTable('invitations')
				.set({ revoked_at: new Date().toISOString() })
				.where('email', '=', invitee.email)
				.execute()
		);
		await expect(accept(invitee, token)).rejects.toMatchObject(
			pgError('22023', 'invitation_revoked')
		);
	});

	it('refuses a used invitation and an unknown token', async () => {
		const invitee = await createUser(testDb.url, 'Twice');
		const token = await invite(invitee.email);
		await accept(invitee, token);
		await expect(accept(invitee, token)).rejects.toMatchObject(pgError('22023', 'invitation_used'));
		await expect(accept(invitee, 'not-a-token')).rejects.toMatchObject(
			pgError('P0002', 'invitation_not_found')
		);
		expect(mapDbError(await accept(invitee, 'nope').catch((e: unknown) => e))).toMatchObject({
			status: 404
		});
	});

	it('two concurrent accepts of one token make exactly one membership', async () => {
		const invitee = await createUser(testDb.url, 'Racer');
		const token = await invite(invitee.email);
		// Separate pools, so the two accepts really run on two connections at once.
		const dbs = [createDatabase(testDb.url, 1), createDatabase(testDb.url, 1)];
		const results = await Promise.allSettled(
			dbs.map((db) =>
				withRls(db, invitee.claims, (trx) =>
					sql`select public.accept_invitation(${token})`.execute(trx)
				)
			)
		);
		await Promise.all(dbs.map((db) => db.destroy()));
		expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
		const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
		expect(rejected.reason).toMatchObject(pgError('22023', 'invitation_used'));
		const client = new pg.Client({ connectionString: testDb.url });
		await client.connect();
		const { rowCount } = await client.query('select 1 from public.members where user_id = $1', [
			invitee.id
		]);
		await client.end();
		expect(rowCount).toBe(1);
	});

	it('anon cannot accept', async () => {
		await expect(
			asAnon(w.db, (trx) => sql`select public.accept_invitation('x')`.execute(trx))
		).rejects.toMatchObject(pgError('42501'));
	});
});

describe('sending', () => {
	it('refuses inviting someone who is already a member, on the email field', async () => {
		const error = await invite(w.users.member.email).catch((e: unknown) => e);
		expect(error).toMatchObject(pgError('23505', 'already_member'));
		expect(mapDbError(error)).toMatchObject({ status: 409, field: 'email' });
	});

	it('refuses a second pending invitation to the same address', async () => {
		await invite('twice@example.test');
		const error = await invite('TWICE@example.test').catch((e: unknown) => e);
		expect(mapDbError(error)).toMatchObject({ status: 409, field: 'email' });
	});

	it('refuses malformed addresses in the database too', async () => {
		const error = await invite('not-an-email').catch((e: unknown) => e);
		expect(mapDbError(error)).toMatchObject({ status: 422 });
	});

	it('only owners invite owners', async () => {
		const token = randomBytes(32).toString('base64url');
		const values = {
			org_id: w.orgA,
			email: 'future-owner@example.test',
			role: 'owner' as const,
			token_hash: createHash('sha256').update(token).digest('hex')
		};
		await expect(
			withRls(w.db, w.claims('admin'), (trx) =>
				trx.insertInto('invitations').values(values).execute()
			)
		).rejects.toMatchObject(pgError('42501', 'owner_only'));
		await withRls(w.db, w.claims('owner'), (trx) =>
			trx.insertInto('invitations').values(values).execute()
		);
	});
});

describe('preview', () => {
	it('shows the organization, inviter and status to whoever holds the token, signed in or not', async () => {
		const token = await invite('preview@example.test');
		const { rows } = await asAnon(w.db, (trx) =>
			sql<{ org_name: string; status: string; inviter_name: string }>`
				select * from public.invitation_preview(${token})`.execute(trx)
		);
		expect(rows[0]).toMatchObject({
			org_name: 'Acme',
			status: 'pending',
			inviter_name: 'Adam Admin'
		});
		const none = await asAnon(w.db, (trx) =>
			sql`select * from public.invitation_preview('wrong')`.execute(trx)
		);
		expect(none.rows).toHaveLength(0);
	});
});
