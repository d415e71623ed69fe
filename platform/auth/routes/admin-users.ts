// The admin user API (supabase.auth.admin.*, service role only): GET/POST /admin/users,
// GET/PUT/DELETE /admin/users/:id. GoTrue's admin.go.
import { createHash } from 'node:crypto';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { confirmEmail, emailExists } from '../accounts.ts';
import { audit, SERVICE_ROLE_ACTOR } from '../audit.ts';
import { inTransaction, isUniqueViolation, type Db } from '../db.ts';
import type { AuthDeps } from '../deps.ts';
import { badRequest, notFound, unprocessable } from '../errors.ts';
import { requireAdmin } from '../guards.ts';
import { clearAllOneTimeTokens } from '../one-time-tokens.ts';
import {
	checkPasswordStrength,
	hashPassword,
	MAX_PASSWORD_LENGTH,
	randomPassword
} from '../passwords.ts';
import { field, flag, metadata, optionalField, readJson } from '../request.ts';
import { parseGoDuration } from '../settings.ts';
import {
	emailTakenBy,
	findUserById,
	identitiesOf,
	insertEmailIdentity,
	insertPhoneIdentity,
	insertUser,
	isUuid,
	listUsers,
	loadUserJson,
	mergeMetadata,
	updateIdentityData,
	updateUser,
	type UserPatch,
	type UserRow
} from '../users.ts';
import { validateEmail, validatePhone } from '../validate.ts';

const adminUserBody = z.object({
	id: field(),
	aud: field(),
	role: field(255),
	email: field(),
	phone: field(),
	password: optionalField(MAX_PASSWORD_LENGTH * 4),
	password_hash: field(),
	email_confirm: flag,
	phone_confirm: flag,
	user_metadata: metadata,
	app_metadata: metadata,
	ban_duration: field()
});

const deleteBody = z.object({ should_soft_delete: flag });

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export function adminUserRoutes(deps: AuthDeps): Hono {
	const app = new Hono();

	const adminOnly: MiddlewareHandler = async (c, next) => {
		await requireAdmin(c, deps);
		await next();
	};
	app.use('/admin/*', adminOnly);

	app.get('/admin/users', async (c) => {
		const page = pageParam(c.req.query('page'), 1);
		const perPage = pageParam(c.req.query('per_page'), 50);
		const { users, total } = await listUsers(deps.db, page, perPage);
		c.header('Link', paginationLinks(c, page, perPage, total));
		c.header('X-Total-Count', String(total));
		const list = await Promise.all(users.map((user) => loadUserJson(deps.db, user)));
		return c.json({ users: list, aud: 'authenticated' });
	});

	app.post('/admin/users', async (c) => {
		const body = await readJson(c, adminUserBody);
		if (body.email === '' && body.phone === '') {
			throw badRequest(
				'validation_failed',
				'Cannot create a user without either an email or phone'
			);
		}
		const email = body.email === '' ? null : validateEmail(body.email);
		const phone = body.phone === '' ? null : validatePhone(body.phone);
		if (email && (await emailTakenBy(deps.db, email))) throw emailExists();
		if (phone && (await phoneTaken(deps, phone))) {
			throw unprocessable('phone_exists', 'Phone number already registered by another user');
		}
		if (body.password !== undefined && body.password_hash !== '') {
			throw badRequest(
				'validation_failed',
				'Only a password or a password hash should be provided'
			);
		}
		if (body.id !== '' && !isUuid(body.id)) {
			throw badRequest('validation_failed', 'ID must conform to the uuid v4 format');
		}
		if (body.id === NIL_UUID) throw badRequest('validation_failed', 'ID cannot be a nil uuid');
		const bannedUntil = banUntil(deps, body.ban_duration);
		const passwordHash = await adminPasswordHash(body.password, body.password_hash);
		const providers = [...(email ? ['email'] : []), ...(phone ? ['phone'] : [])];

		const created = await inTransaction(deps.db, async (tx) => {
			const now = deps.now();
			let user: UserRow;
			try {
				user = await insertUser(
					tx,
					{
						id: body.id || undefined,
						email,
						phone,
						passwordHash,
						userMetadata: body.user_metadata ?? {},
						appMetadata: mergeMetadata(
							{ provider: providers[0], providers },
							body.app_metadata ?? {}
						),
						role: body.role || undefined
					},
					now
				);
			} catch (error) {
				if (isUniqueViolation(error)) {
					throw unprocessable('email_exists', 'A user with this id, email or phone already exists');
				}
				throw error;
			}
			if (email) await insertEmailIdentity(tx, user, {}, now);
			if (phone) await insertPhoneIdentity(tx, user, now);
			await audit(tx, SERVICE_ROLE_ACTOR, 'user_signedup', now, {
				user_id: user.id,
				user_email: user.email,
				user_phone: user.phone,
				provider: providers[0]
			});
			if (body.email_confirm) user = await confirmEmail(tx, user, now);
			const patch: UserPatch = {};
			if (body.phone_confirm) patch.phone_confirmed_at = now;
			if (bannedUntil !== undefined) patch.banned_until = bannedUntil;
			if (Object.keys(patch).length > 0) user = await updateUser(tx, user.id, patch, now);
			return loadUserJson(tx, user);
		});
		return c.json(created);
	});

	app.get('/admin/users/:id', async (c) => {
		const user = await loadUser(deps, c.req.param('id'));
		return c.json(await loadUserJson(deps.db, user));
	});

	app.put('/admin/users/:id', async (c) => {
		const user = await loadUser(deps, c.req.param('id'));
		const body = await readJson(c, adminUserBody);
		const email = body.email === '' ? null : validateEmail(body.email);
		const phone = body.phone === '' ? null : validatePhone(body.phone);
		const bannedUntil = banUntil(deps, body.ban_duration);
		if (email && email !== user.email && (await emailTakenBy(deps.db, email, user.id))) {
			throw emailExists();
		}
		let passwordHash: string | undefined;
		if (body.password !== undefined) {
			checkPasswordStrength(body.password, deps.settings);
			passwordHash = await hashPassword(body.password);
		}

		const updated = await inTransaction(deps.db, async (tx) => {
			const now = deps.now();
			let current = user;
			const patch: UserPatch = {};
			if (body.role !== '') patch.role = body.role;
			if (body.phone_confirm) patch.phone_confirmed_at = now;
			if (bannedUntil !== undefined) patch.banned_until = bannedUntil;
			if (Object.keys(patch).length > 0) current = await updateUser(tx, user.id, patch, now);
			if (body.email_confirm) current = await confirmEmail(tx, current, now);
			if (passwordHash !== undefined) {
				current = await updateUser(
					tx,
					user.id,
					{ encrypted_password: passwordHash, confirmation_token: '', recovery_token: '' },
					now
				);
				await clearAllOneTimeTokens(tx, user.id);
				// A password set by an admin signs the user out everywhere (GoTrue: UpdatePassword).
				await tx.query('delete from auth.sessions where user_id = $1', [user.id]);
			}
			if (email) {
				const identities = await identitiesOf(tx, user.id);
				if (identities.some((i) => i.provider === 'email')) {
					await updateIdentityData(
						tx,
						user.id,
						'email',
						{ email, email_verified: body.email_confirm ?? false },
						now
					);
				} else {
					await insertEmailIdentity(
						tx,
						{ ...current, email },
						{},
						now,
						body.email_confirm ?? false
					);
				}
				current = await updateUser(tx, user.id, { email }, now);
			}
			if (phone) current = await updateUser(tx, user.id, { phone }, now);
			if (body.app_metadata !== undefined) {
				current = await updateUser(
					tx,
					user.id,
					{ raw_app_meta_data: mergeMetadata(current.raw_app_meta_data, body.app_metadata) },
					now
				);
			}
			if (body.user_metadata !== undefined) {
				current = await updateUser(
					tx,
					user.id,
					{ raw_user_meta_data: mergeMetadata(current.raw_user_meta_data, body.user_metadata) },
					now
				);
			}
			await audit(tx, SERVICE_ROLE_ACTOR, 'user_modified', now, {
				user_id: user.id,
				user_email: current.email,
				user_phone: current.phone
			});
			return loadUserJson(tx, current);
		});
		return c.json(updated);
	});

	app.delete('/admin/users/:id', async (c) => {
		const user = await loadUser(deps, c.req.param('id'));
		const body = await readJson(c, deleteBody, { allowEmpty: true });
		await inTransaction(deps.db, async (tx) => {
			const now = deps.now();
			await audit(tx, SERVICE_ROLE_ACTOR, 'user_deleted', now, {
				user_id: user.id,
				user_email: user.email,
				user_phone: user.phone
			});
			if (!body.should_soft_delete) {
				await tx.query('delete from auth.users where id = $1', [user.id]);
			} else if (!user.deleted_at) {
				await softDelete(tx, user, now);
			}
		});
		return c.json({});
	});

	return app;
}

async function loadUser(deps: AuthDeps, id: string): Promise<UserRow> {
	if (!isUuid(id)) throw notFound('validation_failed', 'user_id must be an UUID');
	const user = await findUserById(deps.db, id);
	if (!user) throw notFound('user_not_found', 'User not found');
	return user;
}

async function phoneTaken(deps: AuthDeps, phone: string): Promise<boolean> {
	const { rows } = await deps.db.query('select 1 from auth.users where phone = $1', [phone]);
	return rows.length > 0;
}

async function adminPasswordHash(
	password: string | undefined,
	passwordHash: string
): Promise<string> {
	if (passwordHash !== '') {
		// Imported hashes must be bcrypt, as GoTrue checks (argon2/scrypt imports are not supported here).
		if (!/^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/.test(passwordHash)) {
			throw badRequest('validation_failed', 'password_hash must be a bcrypt hash');
		}
		return passwordHash;
	}
	if (password !== undefined && Buffer.byteLength(password) > MAX_PASSWORD_LENGTH) {
		throw badRequest('validation_failed', 'bcrypt: password length exceeds 72 bytes');
	}
	// Admins may set any password (GoTrue applies no strength rules here); none means random.
	return hashPassword(password || randomPassword());
}

/** ban_duration: a Go duration ("24h") from now, or "none" to lift a ban. */
function banUntil(deps: AuthDeps, duration: string): Date | null | undefined {
	if (duration === '') return undefined;
	if (duration === 'none') return null;
	const seconds = parseGoDuration(duration);
	if (seconds === null) {
		throw badRequest(
			'validation_failed',
			`invalid format for ban duration: time: invalid duration "${duration}"`
		);
	}
	return seconds === 0 ? null : new Date(deps.now().getTime() + seconds * 1000);
}

function pageParam(value: string | undefined, fallback: number): number {
	if (value === undefined || value === '') return fallback;
	if (!/^\d+$/.test(value)) {
		throw badRequest(
			'validation_failed',
			`Bad Pagination Parameters: strconv.ParseUint: parsing "${value}": invalid syntax`
		);
	}
	return Math.min(Math.max(Number(value), 1), 1_000_000);
}

/**
 * GoTrue's Link header: the path and sorted query GoTrue sees behind the gateway, which strips
 * `/auth/v1` (`</admin/users?page=2&per_page=50>; rel="next"`). supabase-js reads the page
 * numbers from it by position.
 */
function paginationLinks(c: Context, page: number, perPage: number, total: number): string {
	const url = new URL(c.req.url);
	const path = url.pathname.replace(/^\/auth\/v1(?=\/)/, '');
	const totalPages = Math.ceil(total / perPage);
	const link = (p: number) => {
		const query = new URLSearchParams(url.searchParams);
		query.set('page', String(p));
		query.sort();
		return `<${path}?${query.toString()}>`;
	};
	const parts: string[] = [];
	if (totalPages > page) parts.push(`${link(page + 1)}; rel="next"`);
	parts.push(`${link(totalPages)}; rel="last"`);
	return parts.join(', ');
}

/** GoTrue's soft delete: the row stays (for foreign keys) but says nothing about the person. */
async function softDelete(tx: Db, user: UserRow, now: Date): Promise<void> {
	const obfuscate = (value: string) =>
		createHash('sha256')
			.update(user.id + value)
			.digest('base64url');
	await updateUser(
		tx,
		user.id,
		{
			email: obfuscate(user.email ?? ''),
			phone: obfuscate(user.phone ?? '').slice(0, 15),
			email_change: obfuscate(user.email_change ?? ''),
			phone_change: obfuscate(user.phone_change ?? '').slice(0, 15),
			encrypted_password: null,
			confirmation_token: '',
			recovery_token: '',
			email_change_token_current: '',
			email_change_token_new: '',
			deleted_at: now,
			raw_user_meta_data: {},
			raw_app_meta_data: {}
		},
		now
	);
	await clearAllOneTimeTokens(tx, user.id);
	await tx.query(
		`update auth.identities set identity_data = '{}'::jsonb,
		   provider_id = encode(sha256(convert_to(user_id::text || provider || ':' || provider_id, 'UTF8')), 'base64')
		 where user_id = $1`,
		[user.id]
	);
	await tx.query('delete from auth.sessions where user_id = $1', [user.id]);
}
