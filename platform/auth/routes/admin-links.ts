// POST /invite (inviteUserByEmail: creates the user, emails an invitation) and
// POST /admin/generate_link (the same links without sending mail, for custom emails).
// Service role only. GoTrue's invite.go and mail.go (adminGenerateLink).
import { Hono } from 'hono';
import { z } from 'zod';
import { emailExists } from '../accounts.ts';
import { audit, SERVICE_ROLE_ACTOR } from '../audit.ts';
import { inTransaction, type Db } from '../db.ts';
import type { AuthDeps } from '../deps.ts';
import { badRequest, notFound } from '../errors.ts';
import { requireAdmin } from '../guards.ts';
import { sendInvite, verifyLink } from '../mail/verification-mail.ts';
import { saveOneTimeToken } from '../one-time-tokens.ts';
import { checkPasswordStrength, hashPassword, randomPassword } from '../passwords.ts';
import { isRedirectUrlValid, referrer } from '../redirects.ts';
import { field, metadata, readJson } from '../request.ts';
import { newOtp, tokenHash } from '../tokens.ts';
import {
	emailTakenBy,
	findUserByEmail,
	insertEmailIdentity,
	insertUser,
	loadUserJson,
	mergeMetadata,
	updateUser,
	type Metadata,
	type UserRow
} from '../users.ts';
import { validateEmail } from '../validate.ts';

const inviteBody = z.object({ email: field(), data: metadata });

const generateLinkBody = z.object({
	type: field(),
	email: field(),
	new_email: field(),
	password: field(),
	data: metadata,
	redirect_to: field()
});

type LinkType =
	'signup' | 'invite' | 'magiclink' | 'recovery' | 'email_change_current' | 'email_change_new';

const linkTypes: LinkType[] = [
	'signup',
	'invite',
	'magiclink',
	'recovery',
	'email_change_current',
	'email_change_new'
];

export function adminLinkRoutes(deps: AuthDeps): Hono {
	const app = new Hono();

	app.post('/invite', async (c) => {
		await requireAdmin(c, deps);
		const body = await readJson(c, inviteBody);
		const email = validateEmail(body.email);
		const existing = await findUserByEmail(deps.db, email);
		if (existing?.email_confirmed_at) throw emailExists();
		const redirectTo = referrer(c, deps.settings);
		const invited = await inTransaction(deps.db, async (tx) => {
			const now = deps.now();
			const user = existing ?? (await createPendingUser(tx, email, null, body.data ?? {}, now));
			await audit(tx, SERVICE_ROLE_ACTOR, 'user_invited', now, {
				user_id: user.id,
				user_email: user.email
			});
			return loadUserJson(tx, await sendInvite(tx, deps, user, redirectTo));
		});
		return c.json(invited);
	});

	app.post('/admin/generate_link', async (c) => {
		await requireAdmin(c, deps);
		const body = await readJson(c, generateLinkBody);
		const email = validateEmail(body.email);
		const redirectTo =
			body.redirect_to && isRedirectUrlValid(deps.settings, body.redirect_to)
				? body.redirect_to
				: referrer(c, deps.settings);
		let type = linkTypes.find((t) => t === body.type);
		if (!type) {
			throw badRequest(
				'validation_failed',
				`Invalid email action link type requested: ${body.type}`
			);
		}
		let password = body.password;
		const existing = await findUserByEmail(deps.db, email);
		if (!existing) {
			if (type === 'magiclink') {
				// A magic link for a new address is a sign-up link (GoTrue does the same).
				type = 'signup';
				password = randomPassword();
			} else if (type !== 'signup' && type !== 'invite') {
				throw notFound('user_not_found', 'User with this email not found');
			}
		}
		if (type === 'signup' && !existing) {
			if (password === '')
				throw badRequest('validation_failed', 'Signup requires a valid password');
			checkPasswordStrength(password, deps.settings);
		}
		const newEmail =
			type === 'email_change_current' || type === 'email_change_new'
				? validateEmail(body.new_email)
				: '';
		if (type === 'email_change_current' && !deps.settings.doubleConfirmChanges) {
			throw badRequest(
				'validation_failed',
				'Enable secure email change to generate link for current email'
			);
		}
		const passwordHash = type === 'signup' && !existing ? await hashPassword(password) : null;
		const otp = newOtp(deps.settings.otpLength);
		const linkType = type;

		const result = await inTransaction(deps.db, async (tx) => {
			const now = deps.now();
			const { user, hash } = await prepareLink(tx, {
				type: linkType,
				existing,
				email,
				newEmail,
				otp,
				passwordHash,
				data: body.data ?? {},
				now
			});
			const verifyType =
				linkType === 'email_change_current' || linkType === 'email_change_new'
					? 'email_change'
					: linkType;
			return {
				...(await loadUserJson(tx, user)),
				action_link: verifyLink(deps, hash, verifyType, redirectTo),
				email_otp: otp,
				hashed_token: hash,
				verification_type: linkType,
				redirect_to: redirectTo
			};
		});
		return c.json(result);
	});

	return app;
}

async function createPendingUser(
	tx: Db,
	email: string,
	passwordHash: string | null,
	data: Metadata,
	now: Date
): Promise<UserRow> {
	const user = await insertUser(
		tx,
		{
			email,
			passwordHash,
			userMetadata: data,
			appMetadata: { provider: 'email', providers: ['email'] }
		},
		now
	);
	await insertEmailIdentity(tx, user, {}, now);
	return user;
}

function existingUser(user: UserRow | null): UserRow {
	if (!user) throw notFound('user_not_found', 'User with this email not found');
	return user;
}

/** Stores the link's token hash the way the matching email flow would. */
async function prepareLink(
	tx: Db,
	p: {
		type: LinkType;
		existing: UserRow | null;
		email: string;
		newEmail: string;
		otp: string;
		passwordHash: string | null;
		data: Metadata;
		now: Date;
	}
): Promise<{ user: UserRow; hash: string }> {
	const { now } = p;
	const hash = tokenHash(p.email, p.otp);
	switch (p.type) {
		case 'magiclink':
		case 'recovery': {
			const user = existingUser(p.existing);
			await audit(tx, user, 'user_recovery_requested', now);
			await saveOneTimeToken(tx, user.id, 'recovery_token', hash, p.email, now);
			return {
				user: await updateUser(tx, user.id, { recovery_token: hash, recovery_sent_at: now }, now),
				hash
			};
		}
		case 'invite':
		case 'signup': {
			if (p.existing?.email_confirmed_at) throw emailExists();
			let user: UserRow;
			if (p.existing) {
				user =
					p.type === 'signup'
						? await updateUser(
								tx,
								p.existing.id,
								{ raw_user_meta_data: mergeMetadata(p.existing.raw_user_meta_data, p.data) },
								now
							)
						: p.existing;
			} else {
				user = await createPendingUser(tx, p.email, p.passwordHash, p.data, now);
			}
			if (p.type === 'invite') {
				await audit(tx, SERVICE_ROLE_ACTOR, 'user_invited', now, {
					user_id: user.id,
					user_email: user.email
				});
			}
			await saveOneTimeToken(tx, user.id, 'confirmation_token', hash, p.email, now);
			return {
				user: await updateUser(
					tx,
					user.id,
					{
						confirmation_token: hash,
						confirmation_sent_at: now,
						...(p.type === 'invite' ? { invited_at: now } : {})
					},
					now
				),
				hash
			};
		}
		case 'email_change_current':
		case 'email_change_new': {
			const user = existingUser(p.existing);
			if (await emailTakenBy(tx, p.newEmail, user.id)) throw emailExists();
			const current = p.type === 'email_change_current';
			// Each side's hash is of its own address, as the emails would carry.
			const sideHash = current ? hash : tokenHash(p.newEmail, p.otp);
			await saveOneTimeToken(
				tx,
				user.id,
				current ? 'email_change_token_current' : 'email_change_token_new',
				sideHash,
				current ? p.email : p.newEmail,
				now
			);
			const updated = await updateUser(
				tx,
				user.id,
				{
					email_change: p.newEmail,
					email_change_sent_at: now,
					email_change_confirm_status: 0,
					...(current
						? { email_change_token_current: sideHash }
						: { email_change_token_new: sideHash })
				},
				now
			);
			return { user: updated, hash: sideHash };
		}
	}
}
