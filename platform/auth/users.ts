// auth.users and auth.identities: reads, writes and the user JSON, column for column as
// GoTrue (internal/models/user.go, identity.go) keeps and returns them, so a trigger on
// auth.users sees the same rows and a user moves to a real project unchanged.
import { randomUUID } from 'node:crypto';
import { INSTANCE_ID, type Db } from './db.ts';

export type Metadata = Record<string, unknown>;

export type UserRow = {
	id: string;
	aud: string | null;
	role: string | null;
	email: string | null;
	encrypted_password: string | null;
	email_confirmed_at: Date | null;
	invited_at: Date | null;
	confirmation_token: string | null;
	confirmation_sent_at: Date | null;
	recovery_token: string | null;
	recovery_sent_at: Date | null;
	email_change_token_new: string | null;
	email_change: string | null;
	email_change_sent_at: Date | null;
	email_change_token_current: string | null;
	email_change_confirm_status: number | null;
	last_sign_in_at: Date | null;
	raw_app_meta_data: Metadata | null;
	raw_user_meta_data: Metadata | null;
	created_at: Date | null;
	updated_at: Date | null;
	phone: string | null;
	phone_confirmed_at: Date | null;
	phone_change: string | null;
	phone_change_sent_at: Date | null;
	confirmed_at: Date | null;
	reauthentication_token: string | null;
	reauthentication_sent_at: Date | null;
	banned_until: Date | null;
	deleted_at: Date | null;
	is_anonymous: boolean;
	is_sso_user: boolean;
};

export type IdentityRow = {
	id: string;
	provider_id: string;
	user_id: string;
	identity_data: Metadata;
	provider: string;
	last_sign_in_at: Date | null;
	created_at: Date | null;
	updated_at: Date | null;
	email: string | null;
};

/** Columns code may write through updateUser (never `confirmed_at`: it is generated). */
export type UserPatch = Partial<
	Omit<UserRow, 'id' | 'confirmed_at' | 'created_at' | 'updated_at' | 'is_sso_user'>
>;

export const AUDIENCE = 'authenticated';

export async function findUserById(db: Db, id: string): Promise<UserRow | null> {
	if (!isUuid(id)) return null;
	const { rows } = await db.query<UserRow>(
		'select * from auth.users where instance_id = $1 and id = $2',
		[INSTANCE_ID, id]
	);
	return rows[0] ?? null;
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | null> {
	const { rows } = await db.query<UserRow>(
		`select * from auth.users
		 where instance_id = $1 and lower(email) = lower($2) and aud = $3 and is_sso_user = false
		 limit 1`,
		[INSTANCE_ID, email, AUDIENCE]
	);
	return rows[0] ?? null;
}

/** Locks the user's row for the rest of the transaction (one state change at a time). */
export async function lockUser(db: Db, id: string): Promise<UserRow | null> {
	const { rows } = await db.query<UserRow>('select * from auth.users where id = $1 for update', [
		id
	]);
	return rows[0] ?? null;
}

/**
 * GoTrue's IsDuplicatedEmail: an email belongs to someone if another user has it as their
 * email or in one of their identities.
 */
export async function emailTakenBy(
	db: Db,
	email: string,
	exceptUserId?: string
): Promise<UserRow | null> {
	const { rows } = await db.query<UserRow>(
		`select u.* from auth.users u
		 where u.instance_id = $1 and u.aud = $2 and u.id <> coalesce($4::uuid, '${INSTANCE_ID}')
		   and (lower(u.email) = lower($3) and u.is_sso_user = false
		        or exists (select 1 from auth.identities i where i.user_id = u.id and i.email = lower($3)))
		 limit 1`,
		[INSTANCE_ID, AUDIENCE, email, exceptUserId ?? null]
	);
	return rows[0] ?? null;
}

export type NewUser = {
	id?: string;
	email: string | null;
	phone?: string | null;
	passwordHash: string | null;
	userMetadata: Metadata;
	appMetadata: Metadata;
	role?: string;
};

export async function insertUser(db: Db, user: NewUser, now: Date): Promise<UserRow> {
	const { rows } = await db.query<UserRow>(
		`insert into auth.users (
		   instance_id, id, aud, role, email, encrypted_password, raw_app_meta_data,
		   raw_user_meta_data, phone, created_at, updated_at, is_anonymous,
		   confirmation_token, recovery_token, email_change_token_new, email_change,
		   email_change_token_current, email_change_confirm_status, phone_change,
		   phone_change_token, reauthentication_token)
		 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, false,
		   '', '', '', '', '', 0, '', '', '')
		 returning *`,
		[
			INSTANCE_ID,
			user.id ?? randomUUID(),
			AUDIENCE,
			user.role ?? AUDIENCE,
			user.email === null ? null : user.email.toLowerCase(),
			user.passwordHash ?? '',
			user.appMetadata,
			user.userMetadata,
			user.phone || null,
			now
		]
	);
	const row = rows[0];
	if (!row) throw new Error('insert into auth.users returned no row');
	return row;
}

const userColumns = new Set<keyof UserPatch>([
	'aud',
	'role',
	'email',
	'encrypted_password',
	'email_confirmed_at',
	'invited_at',
	'confirmation_token',
	'confirmation_sent_at',
	'recovery_token',
	'recovery_sent_at',
	'email_change_token_new',
	'email_change',
	'email_change_sent_at',
	'email_change_token_current',
	'email_change_confirm_status',
	'last_sign_in_at',
	'raw_app_meta_data',
	'raw_user_meta_data',
	'phone',
	'phone_confirmed_at',
	'phone_change',
	'phone_change_sent_at',
	'reauthentication_token',
	'reauthentication_sent_at',
	'banned_until',
	'deleted_at',
	'is_anonymous'
]);

/** Writes the given columns and updated_at (as pop's UpdateOnly does); returns the new row. */
export async function updateUser(
	db: Db,
	id: string,
	patch: UserPatch,
	now: Date
): Promise<UserRow> {
	const entries = Object.entries(patch).filter(([key, value]) => {
		if (!userColumns.has(key as keyof UserPatch)) throw new Error(`not a user column: ${key}`);
		return value !== undefined;
	});
	const sets = entries.map(([key], i) => `${key} = $${i + 3}`);
	const { rows } = await db.query<UserRow>(
		`update auth.users set ${[...sets, 'updated_at = $2'].join(', ')} where id = $1 returning *`,
		[id, now, ...entries.map(([, value]) => value)]
	);
	const row = rows[0];
	if (!row) throw new Error(`user ${id} vanished during an update`);
	return row;
}

/** GoTrue's metadata update: keys merge in, a null value removes the key. */
export function mergeMetadata(current: Metadata | null, updates: Metadata): Metadata {
	const merged: Metadata = { ...(current ?? {}) };
	for (const [key, value] of Object.entries(updates)) {
		if (value === null) delete merged[key];
		else merged[key] = value;
	}
	return merged;
}

export async function deleteUser(db: Db, id: string): Promise<void> {
	await db.query('delete from auth.users where id = $1', [id]);
}

export async function listUsers(
	db: Db,
	page: number,
	perPage: number
): Promise<{ users: UserRow[]; total: number }> {
	const { rows } = await db.query<UserRow & { total: string }>(
		`select *, count(*) over () as total from auth.users
		 where instance_id = $1 and aud = $2
		 order by created_at desc, id desc
		 limit $3 offset $4`,
		[INSTANCE_ID, AUDIENCE, perPage, (page - 1) * perPage]
	);
	if (rows.length === 0 && page > 1) {
		const { rows: count } = await db.query<{ total: string }>(
			'select count(*) as total from auth.users where instance_id = $1 and aud = $2',
			[INSTANCE_ID, AUDIENCE]
		);
		return { users: [], total: Number(count[0]?.total ?? 0) };
	}
	return {
		users: rows.map(({ total: _total, ...user }) => user),
		total: Number(rows[0]?.total ?? 0)
	};
}

// Identities

export async function identitiesOf(db: Db, userId: string): Promise<IdentityRow[]> {
	const { rows } = await db.query<IdentityRow>(
		'select * from auth.identities where user_id = $1 order by created_at, id',
		[userId]
	);
	return rows;
}

/** The email identity GoTrue creates: provider_id = user id, data = sub/email/verified flags. */
export function insertEmailIdentity(
	db: Db,
	user: UserRow,
	extra: Metadata,
	now: Date,
	emailVerified = false
): Promise<IdentityRow> {
	const identityData: Metadata = {
		sub: user.id,
		email: (user.email ?? '').toLowerCase(),
		email_verified: emailVerified,
		phone_verified: false
	};
	for (const [key, value] of Object.entries(extra)) {
		if (!(key in identityData)) identityData[key] = value;
	}
	return insertIdentity(db, user.id, 'email', identityData, now);
}

/** The phone identity admin-created users with a phone number get. */
export function insertPhoneIdentity(db: Db, user: UserRow, now: Date): Promise<IdentityRow> {
	const identityData: Metadata = {
		sub: user.id,
		phone: user.phone ?? '',
		email_verified: false,
		phone_verified: false
	};
	return insertIdentity(db, user.id, 'phone', identityData, now);
}

async function insertIdentity(
	db: Db,
	userId: string,
	provider: string,
	identityData: Metadata,
	now: Date
): Promise<IdentityRow> {
	const { rows } = await db.query<IdentityRow>(
		`insert into auth.identities
		   (id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
		 values ($1, $2, $3, $4, $5, $6, $6, $6)
		 returning *`,
		[randomUUID(), userId, userId, identityData, provider, now]
	);
	const row = rows[0];
	if (!row) throw new Error('insert into auth.identities returned no row');
	return row;
}

export async function updateIdentityData(
	db: Db,
	userId: string,
	provider: string,
	updates: Metadata,
	now: Date
): Promise<void> {
	const { rows } = await db.query<IdentityRow>(
		'select * from auth.identities where user_id = $1 and provider = $2',
		[userId, provider]
	);
	for (const identity of rows) {
		const data = mergeMetadata(identity.identity_data, updates);
		if (typeof data.email === 'string') data.email = data.email.toLowerCase();
		await db.query('update auth.identities set identity_data = $2, updated_at = $3 where id = $1', [
			identity.id,
			data,
			now
		]);
	}
}

// JSON

const iso = (date: Date | null) => (date ? date.toISOString() : undefined);

function withoutUndefined(value: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

export function identityJson(identity: IdentityRow): Record<string, unknown> {
	return withoutUndefined({
		identity_id: identity.id,
		id: identity.provider_id,
		user_id: identity.user_id,
		identity_data: identity.identity_data,
		provider: identity.provider,
		last_sign_in_at: iso(identity.last_sign_in_at),
		created_at: iso(identity.created_at) ?? '0001-01-01T00:00:00Z',
		updated_at: iso(identity.updated_at) ?? '0001-01-01T00:00:00Z',
		email: identity.email || undefined
	});
}

/** The user object of every Auth response, field for field as models.User marshals. */
export function userJson(user: UserRow, identities: IdentityRow[]): Record<string, unknown> {
	return withoutUndefined({
		id: user.id,
		aud: user.aud ?? '',
		role: user.role ?? '',
		email: user.email ?? '',
		email_confirmed_at: iso(user.email_confirmed_at),
		invited_at: iso(user.invited_at),
		phone: user.phone ?? '',
		phone_confirmed_at: iso(user.phone_confirmed_at),
		confirmation_sent_at: iso(user.confirmation_sent_at),
		confirmed_at: iso(user.confirmed_at),
		recovery_sent_at: iso(user.recovery_sent_at),
		new_email: user.email_change || undefined,
		email_change_sent_at: iso(user.email_change_sent_at),
		new_phone: user.phone_change || undefined,
		phone_change_sent_at: iso(user.phone_change_sent_at),
		reauthentication_sent_at: iso(user.reauthentication_sent_at),
		last_sign_in_at: iso(user.last_sign_in_at),
		app_metadata: user.raw_app_meta_data ?? {},
		user_metadata: user.raw_user_meta_data ?? {},
		identities: identities.map(identityJson),
		created_at: iso(user.created_at) ?? '0001-01-01T00:00:00Z',
		updated_at: iso(user.updated_at) ?? '0001-01-01T00:00:00Z',
		banned_until: iso(user.banned_until),
		deleted_at: iso(user.deleted_at),
		is_anonymous: user.is_anonymous
	});
}

export async function loadUserJson(db: Db, user: UserRow): Promise<Record<string, unknown>> {
	return userJson(user, await identitiesOf(db, user.id));
}

export function isBanned(user: UserRow, now: Date): boolean {
	return user.banned_until !== null && user.banned_until.getTime() > now.getTime();
}

export function isUuid(value: string): boolean {
	return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
