// supabase.auth.admin.* with the service role key, and the same calls refused with the anon
// key or a user's token: createUser, listUsers, getUserById, updateUserById, deleteUser,
// inviteUserByEmail, generateLink.
import bcrypt from 'bcryptjs';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import {
	anonClient,
	confirmedUser,
	firstLink,
	fragment,
	mailTo,
	noMailTo,
	openLink,
	serviceClient,
	signedInClient,
	uniqueEmail
} from './support.ts';

let platform: TestPlatform;

beforeAll(async () => {
	platform = await startTestPlatform();
});

afterAll(async () => {
	await platform?.stop();
});

const admin = () => serviceClient(platform).auth.admin;

describe('with the service role key', () => {
	test('create, get, update and delete a user', async () => {
		const email = uniqueEmail('managed');
		const created = await admin().createUser({
			email,
			password: 'set-by-admin',
			email_confirm: true,
			user_metadata: { full_name: 'Managed User' },
			app_metadata: { plan: 'pro' }
		});
		expect(created.error).toBeNull();
		const user = created.data.user;
		expect(user).toMatchObject({
			email,
			role: 'authenticated',
			app_metadata: { provider: 'email', providers: ['email'], plan: 'pro' },
			user_metadata: { full_name: 'Managed User', email_verified: true }
		});
		expect(user?.email_confirmed_at).toBeTruthy();
		const id = user?.id ?? '';

		const fetched = await admin().getUserById(id);
		expect(fetched.data.user?.email).toBe(email);

		const updated = await admin().updateUserById(id, {
			user_metadata: { team: 'growth' },
			app_metadata: { plan: 'team' },
			password: 'changed-by-admin'
		});
		expect(updated.error).toBeNull();
		expect(updated.data.user?.user_metadata).toMatchObject({
			full_name: 'Managed User',
			team: 'growth'
		});
		expect(updated.data.user?.app_metadata).toMatchObject({ plan: 'team' });
		const signIn = await anonClient(platform).auth.signInWithPassword({
			email,
			password: 'changed-by-admin'
		});
		expect(signIn.error).toBeNull();

		const deleted = await admin().deleteUser(id);
		expect(deleted.error).toBeNull();
		const gone = await admin().getUserById(id);
		expect(gone.error).toMatchObject({ status: 404, code: 'user_not_found' });
		const { rows } = await platform.pool.query('select 1 from public.profiles where id = $1', [id]);
		expect(rows).toEqual([]);
	});

	test('an existing address is refused; a bcrypt hash can be imported', async () => {
		const { email } = await confirmedUser(platform);
		const duplicate = await admin().createUser({ email, password: 'whatever-1' });
		expect(duplicate.error).toMatchObject({ status: 422, code: 'email_exists' });

		const imported = uniqueEmail('imported');
		const hash = await bcrypt.hash('from-another-system', 10);
		const created = await admin().createUser({
			email: imported,
			password_hash: hash,
			email_confirm: true
		});
		expect(created.error).toBeNull();
		const signIn = await anonClient(platform).auth.signInWithPassword({
			email: imported,
			password: 'from-another-system'
		});
		expect(signIn.error).toBeNull();
	});

	test('listUsers pages through users, newest first', async () => {
		await confirmedUser(platform);
		await confirmedUser(platform);
		const all = await admin().listUsers();
		expect(all.error).toBeNull();
		const total = all.data.users.length;
		expect(total).toBeGreaterThanOrEqual(2);

		const page1 = await admin().listUsers({ page: 1, perPage: 1 });
		expect(page1.data.users).toHaveLength(1);
		expect(page1.data).toMatchObject({ nextPage: 2, total });
		const page2 = await admin().listUsers({ page: 2, perPage: 1 });
		expect(page2.data.users[0]?.id).not.toBe(page1.data.users[0]?.id);
		const created = all.data.users.map((u) => u.created_at);
		expect(created).toEqual([...created].sort().reverse());
	});

	test('the Link header has the path GoTrue sees behind the gateway, plus X-Total-Count', async () => {
		await confirmedUser(platform);
		await confirmedUser(platform);
		// supabase-js reads these headers itself; keep the last response to look at them too.
		let last: Response | undefined;
		const watched = createClient(platform.apiUrl, platform.serviceRoleKey, {
			auth: { persistSession: false, autoRefreshToken: false },
			global: {
				fetch: async (input, init) => {
					last = await fetch(input, init);
					return last;
				}
			}
		});
		const { data, error } = await watched.auth.admin.listUsers({ page: 1, perPage: 1 });
		expect(error).toBeNull();
		const total = Number(last?.headers.get('x-total-count'));
		expect(total).toBeGreaterThanOrEqual(2);
		expect(last?.headers.get('link')).toBe(
			`</admin/users?page=2&per_page=1>; rel="next", </admin/users?page=${total}&per_page=1>; rel="last"`
		);
		expect(data).toMatchObject({ nextPage: 2, lastPage: total, total });
	});

	test('a soft delete keeps the row but removes what identifies the person', async () => {
		const { id, email } = await confirmedUser(platform);
		expect((await admin().deleteUser(id, true)).error).toBeNull();
		const { rows } = await platform.pool.query<{ email: string; deleted_at: Date | null }>(
			'select email, deleted_at from auth.users where id = $1',
			[id]
		);
		expect(rows[0]?.deleted_at).toBeTruthy();
		expect(rows[0]?.email).not.toBe(email);
	});

	test('inviteUserByEmail sends an invitation that signs the invitee in', async () => {
		const email = uniqueEmail('invitee');
		const since = new Date().toISOString();
		const invited = await admin().inviteUserByEmail(email, {
			data: { full_name: 'Invited Person' },
			redirectTo: 'http://127.0.0.1:3000/welcome'
		});
		expect(invited.error).toBeNull();
		expect(invited.data.user?.invited_at).toBeTruthy();

		const mail = await mailTo(platform, email, since, /You have been invited to Growthdesk/);
		const { location } = await openLink(firstLink(mail));
		expect(location.pathname).toBe('/welcome');
		expect(fragment(location).get('type')).toBe('invite');

		const client = anonClient(platform);
		await client.auth.setSession({
			access_token: fragment(location).get('access_token') ?? '',
			refresh_token: fragment(location).get('refresh_token') ?? ''
		});
		expect((await client.auth.updateUser({ password: 'chosen-by-invitee' })).error).toBeNull();
		const signIn = await anonClient(platform).auth.signInWithPassword({
			email,
			password: 'chosen-by-invitee'
		});
		expect(signIn.error).toBeNull();
		expect(signIn.data.user?.user_metadata).toMatchObject({ full_name: 'Invited Person' });

		const again = await admin().inviteUserByEmail(email);
		expect(again.error).toMatchObject({ status: 422, code: 'email_exists' });
	});

	test('generateLink makes working links without sending mail', async () => {
		const email = uniqueEmail('linked');
		const since = new Date().toISOString();
		const signup = await admin().generateLink({
			type: 'signup',
			email,
			password: 'generated-signup',
			options: { redirectTo: 'http://127.0.0.1:3000/hello' }
		});
		expect(signup.error).toBeNull();
		expect(signup.data.properties).toMatchObject({
			verification_type: 'signup',
			redirect_to: 'http://127.0.0.1:3000/hello',
			email_otp: expect.stringMatching(/^\d{6}$/) as string,
			hashed_token: expect.stringMatching(/^[0-9a-f]{56}$/) as string
		});
		expect(signup.data.user?.email).toBe(email);
		const { location } = await openLink(signup.data.properties?.action_link ?? '');
		expect(fragment(location).get('type')).toBe('signup');
		expect(await noMailTo(platform, email, since)).toBe(true);

		const magic = await admin().generateLink({ type: 'magiclink', email });
		const verified = await anonClient(platform).auth.verifyOtp({
			token_hash: magic.data.properties?.hashed_token ?? '',
			type: 'magiclink'
		});
		expect(verified.error).toBeNull();

		const recovery = await admin().generateLink({ type: 'recovery', email });
		const recovered = await openLink(recovery.data.properties?.action_link ?? '');
		expect(fragment(recovered.location).get('type')).toBe('recovery');

		const unknown = await admin().generateLink({ type: 'recovery', email: uniqueEmail('no') });
		expect(unknown.error).toMatchObject({ status: 404, code: 'user_not_found' });
	});

	test('generateLink email_change links change the address once both are followed', async () => {
		const { email, id } = await confirmedUser(platform);
		const newEmail = uniqueEmail('renamed');
		const current = await admin().generateLink({ type: 'email_change_current', email, newEmail });
		const next = await admin().generateLink({ type: 'email_change_new', email, newEmail });
		expect(current.error).toBeNull();
		expect(next.error).toBeNull();
		await openLink(next.data.properties?.action_link ?? '');
		const { location } = await openLink(current.data.properties?.action_link ?? '');
		expect(fragment(location).get('type')).toBe('email_change');
		expect((await admin().getUserById(id)).data.user?.email).toBe(newEmail);
	});
});

describe('without the service role key', () => {
	test('the anon key is not an admin: 403 not_admin', async () => {
		const notAdmin = anonClient(platform).auth.admin;
		const list = await notAdmin.listUsers();
		expect(list.error).toMatchObject({
			status: 403,
			code: 'not_admin',
			message: 'User not allowed'
		});
		const create = await notAdmin.createUser({ email: uniqueEmail('x'), password: 'nope-nope' });
		expect(create.error).toMatchObject({ status: 403, code: 'not_admin' });
		const invite = await notAdmin.inviteUserByEmail(uniqueEmail('y'));
		expect(invite.error).toMatchObject({ status: 403, code: 'not_admin' });
		const link = await notAdmin.generateLink({ type: 'magiclink', email: uniqueEmail('z') });
		expect(link.error).toMatchObject({ status: 403, code: 'not_admin' });
	});

	test("a signed-in user's token is not an admin either", async () => {
		const { client, id } = await signedInClient(platform);
		const token = (await client.auth.getSession()).data.session?.access_token ?? '';
		const asUser = createClient(platform.apiUrl, platform.anonKey, {
			auth: { persistSession: false, autoRefreshToken: false },
			global: { headers: { Authorization: `Bearer ${token}` } }
		});
		const result = await asUser.auth.admin.getUserById(id);
		expect(result.error).toMatchObject({ status: 403, code: 'not_admin' });
	});
});
