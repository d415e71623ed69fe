// Escalation through `members.manage`, as an attacker with a signed-in account
// would try it: a viewer whose custom role holds only members.manage must not
// become an admin, whichever path they take — the members table, the members
// page's role action, invitations (sent, resent, revived) to a second account
// of their own, or an invitation accepted after its sender lost the right to
// grant its role. Nobody grants a role whose permissions they do not hold.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapDbError } from '../../src/lib/server/db/errors.ts';
import { asService, withRls } from '../../src/lib/server/db/rls.ts';
import * as invitations from '../../src/lib/server/invitations/index.ts';
import type { Email, Mailer } from '../../src/lib/server/mail/index.ts';
import * as members from '../../src/lib/server/members/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { pgError } from '../helpers/errors.ts';
import { addMember, createTenancyWorld, type TenancyWorld } from '../helpers/tenancy.ts';
import { createUser, type TestUser } from '../helpers/users.ts';

let testDb: TestDatabase;
let w: TenancyWorld;
/** The attacker: a viewer whose custom role grants members.manage and nothing else. */
let manager: TestUser;
/** A second account the attacker controls. */
let alt: TestUser;
let peopleRole: string;

/** An outbox that keeps what would have been mailed (the invitation links). */
function outbox(): Mailer & { sent: Email[] } {
	const sent: Email[] = [];
	return {
		sent,
		send: (email) => {
			sent.push(email);
			return Promise.resolve();
		}
	};
}

const sender = () => ({
	orgId: w.orgA,
	orgName: 'Acme',
	inviterName: 'Vic Viewer',
	acceptBaseUrl: 'http://app.test/invitations'
});

const tokenIn = (email: Email) => /invitations\/([A-Za-z0-9_-]+)/.exec(email.text)?.[1];

const as = <T>(user: TestUser, fn: Parameters<typeof withRls<T>>[2]) =>
	withRls(w.db, user.claims, fn);

const accept = (user: TestUser, token: string) => as(user, (trx) => invitations.accept(trx, token));

const setRole = (actor: TestUser, userId: string, role: string) =>
	as(actor, (trx) =>
		sql`update public.members set role = ${role}::public.org_role
		    where org_id = ${w.orgA} and user_id = ${userId}`.execute(trx)
	);

async function query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []) {
	const client = new pg.Client({ connectionString: testDb.url });
	await client.connect();
	try {
		return (await client.query<R>(text, values)).rows;
	} finally {
		await client.end();
	}
}

const roleOf = async (userId: string) =>
	(
		await query<{ role: string }>(
			'select role from public.members where org_id = $1 and user_id = $2',
			[w.orgA, userId]
		)
	)[0]?.role;

/** An invitation written straight into the table as `inviter` would; returns its raw token. */
async function inviteAs(
	inviter: TestUser,
	email: string,
	role: 'admin' | 'member' | 'viewer'
): Promise<string> {
	const token = randomBytes(32).toString('base64url');
	await as(inviter, (trx) =>
		trx
			.insertInto('invitations')
			.values({
				org_id: w.orgA,
				email,
				role,
				token_hash: createHash('sha256').update(token).digest('hex')
			})
			.execute()
	);
	return token;
}

beforeAll(async () => {
	testDb = await createTestDatabase();
	w = await createTenancyWorld(testDb.url);
	manager = w.users.viewer;
	alt = await createUser(testDb.url, 'Vic Second Account');
	peopleRole = await as(w.users.owner, async (trx) => {
		const role = await trx
			.insertInto('roles')
			.values({ org_id: w.orgA, name: 'People manager' })
			.returning('id')
			.executeTakeFirstOrThrow();
		await trx
			.insertInto('role_permissions')
			.values({ org_id: w.orgA, role_id: role.id, permission: 'members.manage' })
			.execute();
		await trx
			.updateTable('members')
			.set({ custom_role_id: role.id })
			.where('org_id', '=', w.orgA)
			.where('user_id', '=', manager.id)
			.execute();
		return role.id;
	});
});
afterAll(async () => {
	await w.close();
	await testDb.drop();
});

describe('a viewer who manages members', () => {
	it('cannot promote another member to admin through the members table', async () => {
		await expect(setRole(manager, w.users.target.id, 'admin')).rejects.toMatchObject(
			pgError('42501', 'grant_exceeds_own')
		);
		expect(await roleOf(w.users.target.id)).toBe('member');
	});

	it("cannot promote through the members page's role action, which answers 403", async () => {
		const quiet = await createUser(testDb.url, 'Quinn Quiet');
		await addMember(testDb.url, w.orgA, quiet, 'viewer');
		const attempts = [
			{ userId: w.users.target.id, role: 'admin' as const, was: 'member' },
			{ userId: quiet.id, role: 'member' as const, was: 'viewer' }
		];
		for (const { userId, role, was } of attempts) {
			const error = await as(manager, (trx) =>
				members.changeRole(trx, w.orgA, { userId, role, customRoleId: null })
			).catch((e: unknown) => e);
			expect(error, role).toMatchObject(pgError('42501', 'grant_exceeds_own'));
			expect(mapDbError(error)).toMatchObject({ status: 403, code: 'grant_exceeds_own' });
			expect(await roleOf(userId)).toBe(was);
		}
	});

	it('cannot invite at a role whose permissions they lack; nothing is stored or mailed', async () => {
		const mail = outbox();
		for (const role of ['admin', 'member'] as const) {
			await expect(
				as(manager, (trx) =>
					invitations.send(trx, mail, sender(), { email: alt.email, role, customRoleId: null })
				),
				role
			).rejects.toMatchObject(pgError('42501', 'grant_exceeds_own'));
		}
		expect(mail.sent).toEqual([]);
		expect(
			await query('select 1 from public.invitations where email = $1', [alt.email])
		).toHaveLength(0);
	});

	it('does not get from viewer to admin through a second account of their own', async () => {
		// The chain: invite the second account as admin, accept it, let it promote the viewer.
		const second = await createUser(testDb.url, 'Vic Third Account');
		const mail = outbox();
		await as(manager, (trx) =>
			invitations.send(trx, mail, sender(), {
				email: second.email,
				role: 'admin',
				customRoleId: null
			})
		).catch(() => undefined);
		const token = mail.sent[0] ? tokenIn(mail.sent[0]) : undefined;
		if (token) {
			await accept(second, token).catch(() => undefined);
			await setRole(second, manager.id, 'admin').catch(() => undefined);
		}
		expect(await roleOf(manager.id)).toBe('viewer');
		expect(await roleOf(second.id)).toBeUndefined();
	});

	it('cannot take the members.manage grant further with a custom role', async () => {
		const brandRole = await as(w.users.owner, async (trx) => {
			const role = await trx
				.insertInto('roles')
				.values({ org_id: w.orgA, name: 'Brand editor' })
				.returning('id')
				.executeTakeFirstOrThrow();
			await trx
				.insertInto('role_permissions')
				.values({ org_id: w.orgA, role_id: role.id, permission: 'brands.write' })
				.execute();
			return role.id;
		});
		// Assigning a role that carries a permission they lack, to someone else or themselves.
		for (const userId of [w.users.target.id, manager.id]) {
			await expect(
				as(manager, (trx) =>
					members.changeRole(trx, w.orgA, {
						userId,
						role: userId === manager.id ? 'viewer' : 'member',
						customRoleId: brandRole
					})
				)
			).rejects.toMatchObject(pgError('42501', 'grant_exceeds_own'));
		}
		// Inviting with it.
		await expect(
			as(manager, (trx) =>
				invitations.send(trx, outbox(), sender(), {
					email: 'brand-editor@example.test',
					role: 'viewer',
					customRoleId: brandRole
				})
			)
		).rejects.toMatchObject(pgError('42501', 'grant_exceeds_own'));
		// Widening their own custom role, or making a new one (roles.manage is not theirs).
		await expect(
			as(manager, (trx) =>
				trx
					.insertInto('role_permissions')
					.values({ org_id: w.orgA, role_id: peopleRole, permission: 'brands.write' })
					.execute()
			)
		).rejects.toMatchObject(pgError('42501'));
		await expect(
			as(manager, (trx) =>
				trx.insertInto('roles').values({ org_id: w.orgA, name: 'Mine' }).execute()
			)
		).rejects.toMatchObject(pgError('42501'));
	});

	it('cannot add a membership straight into the table', async () => {
		await expect(
			as(manager, (trx) =>
				trx
					.insertInto('members')
					.values({ org_id: w.orgA, user_id: alt.id, role: 'admin' })
					.execute()
			)
		).rejects.toMatchObject(pgError('42501'));
		expect(await roleOf(alt.id)).toBeUndefined();
	});

	it('cannot resend or revive an invitation at a role above their permissions, but can revoke it', async () => {
		const email = `resend-${randomBytes(3).toString('hex')}@example.test`;
		await inviteAs(w.users.owner, email, 'admin');
		const [row] = await query<{ id: string }>(
			'select id from public.invitations where email = $1',
			[email]
		);
		const id = row!.id;
		const mail = outbox();
		await expect(
			as(manager, (trx) => invitations.resend(trx, mail, sender(), id))
		).rejects.toMatchObject(pgError('42501', 'grant_exceeds_own'));
		expect(mail.sent).toEqual([]);
		await expect(
			as(manager, (trx) =>
				trx
					.updateTable('invitations')
					.set({ expires_at: new Date(Date.now() + 30 * 86_400_000).toISOString() })
					.where('id', '=', id)
					.execute()
			)
		).rejects.toMatchObject(pgError('42501', 'grant_exceeds_own'));

		expect(await as(manager, (trx) => invitations.revoke(trx, w.orgA, id))).toBe(true);
		await expect(
			as(manager, (trx) =>
				trx.updateTable('invitations').set({ revoked_at: null }).where('id', '=', id).execute()
			)
		).rejects.toMatchObject(pgError('42501', 'grant_exceeds_own'));
		const [after] = await query<{ revoked: boolean }>(
			'select revoked_at is not null as revoked from public.invitations where id = $1',
			[id]
		);
		expect(after!.revoked).toBe(true);
	});

	it('may still do what their permission is for: invite viewers and set members to viewer', async () => {
		const guest = await createUser(testDb.url, 'Gus Guest');
		const mail = outbox();
		await as(manager, (trx) =>
			invitations.send(trx, mail, sender(), {
				email: guest.email,
				role: 'viewer',
				customRoleId: null
			})
		);
		expect(await accept(guest, tokenIn(mail.sent[0]!)!)).toBeTruthy();
		expect(await roleOf(guest.id)).toBe('viewer');

		const extra = await createUser(testDb.url, 'Ed Extra');
		await addMember(testDb.url, w.orgA, extra, 'member');
		expect(
			await as(manager, (trx) =>
				members.changeRole(trx, w.orgA, { userId: extra.id, role: 'viewer', customRoleId: null })
			)
		).toBe(true);
		expect(await roleOf(extra.id)).toBe('viewer');
	});
});

describe('an invitation is only as good as its sender', () => {
	it('cannot be accepted once its sender no longer holds the role it grants', async () => {
		const ada = await createUser(testDb.url, 'Ada Admin');
		await addMember(testDb.url, w.orgA, ada, 'admin');
		const invitee = await createUser(testDb.url, 'Ian Invitee');
		const token = await inviteAs(ada, invitee.email, 'admin');
		await setRole(w.users.owner, ada.id, 'viewer');
		const error = await accept(invitee, token).catch((e: unknown) => e);
		expect(error).toMatchObject(pgError('42501', 'invitation_exceeds_sender'));
		expect(mapDbError(error)).toMatchObject({ status: 403, code: 'invitation_exceeds_sender' });
		expect(await roleOf(invitee.id)).toBeUndefined();

		// Restored to admin, the same link works again.
		await setRole(w.users.owner, ada.id, 'admin');
		await accept(invitee, token);
		expect(await roleOf(invitee.id)).toBe('admin');
	});

	it('cannot be accepted once its sender has left the organization', async () => {
		const bea = await createUser(testDb.url, 'Bea Admin');
		await addMember(testDb.url, w.orgA, bea, 'admin');
		const invitee = await createUser(testDb.url, 'Ike Invitee');
		const token = await inviteAs(bea, invitee.email, 'member');
		await as(bea, (trx) => members.remove(trx, w.orgA, bea.id));
		await expect(accept(invitee, token)).rejects.toMatchObject(
			pgError('42501', 'invitation_exceeds_sender')
		);
		expect(await roleOf(invitee.id)).toBeUndefined();
	});
});

describe('owners and admins keep their powers', () => {
	it('an admin promotes a member to admin and invites admins', async () => {
		const promoted = await createUser(testDb.url, 'Pam Promoted');
		await addMember(testDb.url, w.orgA, promoted, 'member');
		await setRole(w.users.admin, promoted.id, 'admin');
		expect(await roleOf(promoted.id)).toBe('admin');

		const invitee = await createUser(testDb.url, 'Nia New Admin');
		const mail = outbox();
		await as(w.users.admin, (trx) =>
			invitations.send(trx, mail, sender(), {
				email: invitee.email,
				role: 'admin',
				customRoleId: null
			})
		);
		await accept(invitee, tokenIn(mail.sent[0]!)!);
		expect(await roleOf(invitee.id)).toBe('admin');
	});

	it('the service role (workers, support tooling) is not held to a member’s permissions', async () => {
		const helper = await createUser(testDb.url, 'Sam Support');
		await addMember(testDb.url, w.orgA, helper, 'viewer');
		await asService(w.db, (trx) =>
			trx
				.updateTable('members')
				.set({ role: 'admin' })
				.where('org_id', '=', w.orgA)
				.where('user_id', '=', helper.id)
				.execute()
		);
		expect(await roleOf(helper.id)).toBe('admin');
	});
});
