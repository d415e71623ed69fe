// The tenancy services as routes use them: each call inside the request's RLS
// transaction, with real mail to a real (local) mailbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapDbError, withRls } from '../../src/lib/server/db/index.ts';
import * as audit from '../../src/lib/server/audit/index.ts';
import * as brands from '../../src/lib/server/brands/index.ts';
import * as invitations from '../../src/lib/server/invitations/index.ts';
import { createMailer, MailNotSentError } from '../../src/lib/server/mail/index.ts';
import * as members from '../../src/lib/server/members/index.ts';
import * as orgs from '../../src/lib/server/orgs/index.ts';
import * as roles from '../../src/lib/server/roles/index.ts';
import { slugify } from '../../src/lib/schemas/orgs.ts';
import { startMailbox, type RunningMailbox } from '../../platform/mailbox/index.ts';
import { freePort } from '../../platform/ports.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { linksIn, waitForMail } from '../helpers/mailbox.ts';
import { createTenancyWorld, type Persona, type TenancyWorld } from '../helpers/tenancy.ts';
import { createUser } from '../helpers/users.ts';

let testDb: TestDatabase;
let w: TenancyWorld;
let mailbox: RunningMailbox;

beforeAll(async () => {
	testDb = await createTestDatabase();
	w = await createTenancyWorld(testDb.url);
	mailbox = await startMailbox({ smtpPort: 0, httpPort: 0 });
});
afterAll(async () => {
	await mailbox.stop();
	await w.close();
	await testDb.drop();
});

const as = <T>(persona: Persona, fn: Parameters<typeof withRls<T>>[2]) =>
	withRls(w.db, w.claims(persona), fn);

describe('orgs', () => {
	it('lists only my organizations, with my role, and finds one by slug only if mine', async () => {
		const mine = await as('admin', (trx) => orgs.listMine(trx, w.users.admin.id));
		expect(mine.map((o) => [o.name, o.role])).toEqual([['Acme', 'admin']]);
		const slug = mine[0]!.slug;
		expect(await as('admin', (trx) => orgs.findBySlug(trx, slug, w.users.admin.id))).toMatchObject({
			id: w.orgA
		});
		expect(
			await as('outsider', (trx) => orgs.findBySlug(trx, slug, w.users.outsider.id))
		).toBeNull();
	});

	it('reports permissions by role', async () => {
		const viewer = await as('viewer', (trx) => orgs.permissionsOf(trx, w.orgA, w.users.viewer.id));
		const member = await as('member', (trx) => orgs.permissionsOf(trx, w.orgA, w.users.member.id));
		const admin = await as('admin', (trx) => orgs.permissionsOf(trx, w.orgA, w.users.admin.id));
		expect(viewer).toEqual([]);
		expect(member).toContain('contacts.write');
		expect(member).not.toContain('members.manage');
		expect(admin).toContain('members.manage');
		expect(admin).not.toContain('billing.manage');
	});

	it('creates an organization with me as owner and default branding', async () => {
		const user = await createUser(testDb.url, 'Founder');
		const claims = user.claims;
		const id = await withRls(w.db, claims, (trx) =>
			orgs.create(trx, { name: 'Nouvelle Vague', slug: slugify('Nouvelle Vague!') })
		);
		const [org] = await withRls(w.db, claims, (trx) => orgs.listMine(trx, user.id));
		expect(org).toMatchObject({ id, slug: 'nouvelle-vague', role: 'owner' });
		expect(await withRls(w.db, claims, (trx) => orgs.getBranding(trx, id))).toMatchObject({
			primaryColor: '#4f46e5'
		});
	});

	it('lets admins change settings and branding, not members', async () => {
		const input = {
			primaryColor: '#112233',
			accentColor: '#445566',
			fontFamily: 'Lato' as const,
			logoUrl: null,
			replyToEmail: null
		};
		expect(await as('member', (trx) => orgs.updateBranding(trx, w.orgA, input))).toBe(false);
		expect(await as('admin', (trx) => orgs.updateBranding(trx, w.orgA, input))).toBe(true);
		expect(await as('member', (trx) => orgs.getBranding(trx, w.orgA))).toMatchObject({
			primaryColor: '#112233'
		});
	});
});

describe('members and roles', () => {
	it('lists members with names and emails, owners first', async () => {
		const list = await as('viewer', (trx) => members.list(trx, w.orgA));
		expect(list[0]).toMatchObject({
			role: 'owner',
			fullName: 'Olive Owner',
			email: w.users.owner.email
		});
		expect(list).toHaveLength(5);
	});

	it('custom roles: create with permissions, assign, edit, delete', async () => {
		const roleId = await as('admin', (trx) =>
			roles.create(trx, w.orgA, {
				name: 'Campaigner',
				description: '',
				permissions: ['campaigns.write', 'contacts.export']
			})
		);
		expect(
			await as('admin', (trx) =>
				members.changeRole(trx, w.orgA, {
					userId: w.users.viewer.id,
					role: 'viewer',
					customRoleId: roleId
				})
			)
		).toBe(true);
		let [role] = await as('member', (trx) => roles.list(trx, w.orgA));
		expect(role).toMatchObject({
			name: 'Campaigner',
			permissions: ['campaigns.write', 'contacts.export'],
			memberCount: 1
		});
		await as('admin', (trx) =>
			roles.update(trx, w.orgA, roleId, {
				name: 'Campaigner',
				description: 'Runs campaigns',
				permissions: ['campaigns.write']
			})
		);
		[role] = await as('member', (trx) => roles.list(trx, w.orgA));
		expect(role?.permissions).toEqual(['campaigns.write']);
		expect(await as('admin', (trx) => roles.remove(trx, w.orgA, roleId))).toBe(true);
		const viewer = (await as('admin', (trx) => members.list(trx, w.orgA))).find(
			(m) => m.userId === w.users.viewer.id
		);
		expect(viewer?.customRoleId).toBeNull();
	});

	it('refuses a member who tries to manage roles, without writing anything', async () => {
		const error = await as('member', (trx) =>
			roles.create(trx, w.orgA, { name: 'Nope', description: '', permissions: [] })
		).catch((e: unknown) => e);
		expect(mapDbError(error)).toMatchObject({ status: 403 });
		expect(await as('member', (trx) => roles.list(trx, w.orgA))).toEqual([]);
	});

	it('maps the last-owner rule to a clear message', async () => {
		const error = await as('owner', (trx) =>
			members.changeRole(trx, w.orgA, {
				userId: w.users.owner.id,
				role: 'admin',
				customRoleId: null
			})
		).catch((e: unknown) => e);
		expect(mapDbError(error)).toEqual({
			status: 422,
			code: 'last_owner',
			message: 'An organization must keep at least one owner.',
			field: undefined
		});
	});
});

describe('brands', () => {
	it('members create and edit brands; duplicates are a conflict on name', async () => {
		const input = {
			name: 'Downtown Store',
			email: 'store@acme.test',
			phone: '+1 555 0100',
			address: null,
			city: 'Austin',
			state: 'TX',
			zip: '78701',
			country: 'US'
		};
		const id = await as('member', (trx) => brands.create(trx, w.orgA, input));
		await as('member', (trx) => brands.update(trx, w.orgA, id, { ...input, city: 'Dallas' }));
		expect(await as('viewer', (trx) => brands.get(trx, w.orgA, id))).toMatchObject({
			city: 'Dallas'
		});
		const dup = await as('member', (trx) => brands.create(trx, w.orgA, input)).catch(
			(e: unknown) => e
		);
		expect(mapDbError(dup)).toMatchObject({ status: 409, field: 'name' });
		expect(await as('viewer', (trx) => brands.remove(trx, w.orgA, id))).toBe(false);
	});
});

describe('invitations', () => {
	const sender = () => ({
		orgId: w.orgA,
		orgName: 'Acme',
		inviterName: 'Adam Admin',
		acceptBaseUrl: 'http://app.test/invitations'
	});

	it('sends an email with a link whose token accepts the invitation', async () => {
		const mailer = createMailer(
			`smtp://127.0.0.1:${mailbox.smtpPort}`,
			'Growthdesk <no-reply@growthdesk.test>'
		);
		const invitee = await createUser(testDb.url, 'New Hire');
		await as('admin', (trx) =>
			invitations.send(trx, mailer, sender(), {
				email: invitee.email,
				role: 'member',
				customRoleId: null
			})
		);
		const mail = await waitForMail(mailbox.url, invitee.email, { subject: 'Join Acme' });
		const link = linksIn(mail).find((l) => l.startsWith('http://app.test/invitations/'))!;
		const token = link.split('/').pop()!;
		const pending = await as('admin', (trx) => invitations.listPending(trx, w.orgA));
		expect(pending.map((p) => p.email)).toContain(invitee.email);
		expect(
			await withRls(w.db, { role: 'anon' }, (trx) => invitations.preview(trx, token))
		).toMatchObject({
			orgName: 'Acme',
			status: 'pending',
			inviterName: 'Adam Admin'
		});
		expect(await withRls(w.db, invitee.claims, (trx) => invitations.accept(trx, token))).toMatch(
			/^acme-/
		);
	});

	it('resend replaces the link: the old token stops working', async () => {
		const mailer = createMailer(`smtp://127.0.0.1:${mailbox.smtpPort}`, 'x@growthdesk.test');
		const invitee = await createUser(testDb.url, 'Resent');
		const id = await as('admin', (trx) =>
			invitations.send(trx, mailer, sender(), {
				email: invitee.email,
				role: 'viewer',
				customRoleId: null
			})
		);
		const first = await waitForMail(mailbox.url, invitee.email);
		await as('admin', (trx) => invitations.resend(trx, mailer, sender(), id));
		const second = await waitForMail(mailbox.url, invitee.email, { after: first.receivedAt });
		const tokenOf = (m: typeof first) =>
			linksIn(m)
				.find((l) => l.includes('/invitations/'))!
				.split('/')
				.pop()!;
		const stale = await withRls(w.db, invitee.claims, (trx) =>
			invitations.accept(trx, tokenOf(first))
		).catch((e: unknown) => e);
		expect(mapDbError(stale)).toMatchObject({ status: 404, code: 'invitation_not_found' });
		await withRls(w.db, invitee.claims, (trx) => invitations.accept(trx, tokenOf(second)));
	});

	it('writes nothing when the email cannot be sent', async () => {
		const broken = createMailer(`smtp://127.0.0.1:${await freePort()}`, 'x@growthdesk.test');
		const error = await as('admin', (trx) =>
			invitations.send(trx, broken, sender(), {
				email: 'lost@example.test',
				role: 'member',
				customRoleId: null
			})
		).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(MailNotSentError);
		const pending = await as('admin', (trx) => invitations.listPending(trx, w.orgA));
		expect(pending.map((p) => p.email)).not.toContain('lost@example.test');
	});

	it('revokes', async () => {
		const mailer = createMailer(`smtp://127.0.0.1:${mailbox.smtpPort}`, 'x@growthdesk.test');
		const id = await as('admin', (trx) =>
			invitations.send(trx, mailer, sender(), {
				email: 'revoke-me@example.test',
				role: 'member',
				customRoleId: null
			})
		);
		expect(await as('admin', (trx) => invitations.revoke(trx, w.orgA, id))).toBe(true);
		expect(await as('admin', (trx) => invitations.revoke(trx, w.orgA, id))).toBe(false);
	});
});

describe('audit', () => {
	it('pages newest first and filters by kind of change', async () => {
		const first = await as('owner', (trx) => audit.list(trx, w.orgA, { limit: 2 }));
		expect(first.entries).toHaveLength(2);
		expect(first.nextBefore).not.toBeNull();
		const next = await as('owner', (trx) =>
			audit.list(trx, w.orgA, { limit: 2, before: first.nextBefore! })
		);
		expect(next.entries[0]!.id).toBeLessThan(first.entries[1]!.id);
		const invites = await as('owner', (trx) => audit.list(trx, w.orgA, { action: 'invitations' }));
		expect(invites.entries.every((e) => e.targetType === 'invitations')).toBe(true);
		expect(invites.entries.length).toBeGreaterThan(0);
		expect((await as('member', (trx) => audit.list(trx, w.orgA))).entries).toEqual([]);
	});
});

describe('custom roles edited by someone with fewer permissions', () => {
	it('an admin can rename a role that carries an owner-only permission, keeping it', async () => {
		const roleId = await as('owner', (trx) =>
			roles.create(trx, w.orgA, {
				name: 'Treasurer',
				description: '',
				permissions: ['billing.manage', 'contacts.write']
			})
		);
		await as('admin', (trx) =>
			roles.update(trx, w.orgA, roleId, {
				name: 'Treasurer (finance)',
				description: 'Pays the bills',
				permissions: ['billing.manage', 'contacts.write']
			})
		);
		const role = (await as('admin', (trx) => roles.list(trx, w.orgA))).find((r) => r.id === roleId);
		expect(role).toMatchObject({
			name: 'Treasurer (finance)',
			permissions: ['billing.manage', 'contacts.write']
		});
		// Adding it anew is still refused.
		const error = await as('admin', (trx) =>
			roles.create(trx, w.orgA, {
				name: 'Sneaky',
				description: '',
				permissions: ['billing.manage']
			})
		).catch((e: unknown) => e);
		expect(mapDbError(error)).toMatchObject({ status: 403, code: 'grant_exceeds_own' });
	});
});
