// The emails that prove someone owns an address: sign-up confirmation, invitation, magic
// link, password recovery, email change. Each one (GoTrue's internal/api/mail.go):
// respects max_frequency per user and kind, counts against the hourly email cap, makes a
// one-time code, stores only its hash (on auth.users and in auth.one_time_tokens), and
// sends a link to GET /auth/v1/verify carrying the hash (prefixed `pkce_` for PKCE flows).
import type { Db } from '../db.ts';
import type { AuthDeps } from '../deps.ts';
import { internalError, tooManyRequests } from '../errors.ts';
import { saveOneTimeToken } from '../one-time-tokens.ts';
import type { EmailTemplateName } from '../settings.ts';
import { newOtp, PKCE_PREFIX, tokenHash } from '../tokens.ts';
import { updateUser, type UserRow } from '../users.ts';
import { renderMail } from './templates.ts';

export type FlowType = 'implicit' | 'pkce';

/** GET /verify `type` values of the links (reauthentication mails carry only a code). */
type LinkType =
	'signup' | 'invite' | 'magiclink' | 'recovery' | 'email_change' | 'reauthentication';

type Prepared = { otp: string; hash: string };

function prepare(deps: AuthDeps, sentAt: Date | null, flow: FlowType, address: string): Prepared {
	const now = deps.now();
	const waitMs = sentAt ? sentAt.getTime() + deps.settings.maxFrequency * 1000 - now.getTime() : 0;
	if (waitMs > 0) {
		throw tooManyRequests(
			'over_email_send_rate_limit',
			`For security purposes, you can only request this after ${Math.floor(waitMs / 1000)} seconds.`
		);
	}
	const otp = newOtp(deps.settings.otpLength);
	const hash = tokenHash(address.toLowerCase(), otp);
	return { otp, hash: flow === 'pkce' ? PKCE_PREFIX + hash : hash };
}

/** GoTrue's email cap applies only while addresses need confirming (not with autoconfirm). */
function countEmail(deps: AuthDeps): void {
	if (deps.settings.enableConfirmations) deps.limiter.email(deps.settings.rateLimits.emailSent);
}

export function verifyLink(
	deps: AuthDeps,
	hash: string,
	type: LinkType,
	redirectTo: string
): string {
	// Like GoTrue, the redirect is only escaped when it would break the query string.
	const redirect = /[&=#]/.test(redirectTo) ? encodeURIComponent(redirectTo) : redirectTo;
	return `${deps.authUrl}/verify?token=${encodeURIComponent(hash)}&type=${type}&redirect_to=${redirect}`;
}

async function send(
	deps: AuthDeps,
	template: EmailTemplateName,
	to: string,
	data: {
		user: UserRow;
		otp: string;
		hash: string;
		type: LinkType;
		redirectTo: string;
		newEmail?: string;
	}
): Promise<void> {
	const mail = renderMail(template, deps.settings.templates[template], {
		ConfirmationURL: verifyLink(deps, data.hash, data.type, data.redirectTo),
		Token: data.otp,
		TokenHash: data.hash,
		SiteURL: deps.settings.siteUrl,
		RedirectTo: data.redirectTo,
		Email: data.user.email ?? '',
		NewEmail: data.newEmail ?? data.user.email_change ?? '',
		Data: data.user.raw_user_meta_data ?? {}
	});
	try {
		await deps.mailer.send(to, mail);
	} catch (error) {
		deps.log(`auth: sending "${mail.subject}" to ${to} failed: ${String(error)}`);
		throw internalError(
			`Error sending ${data.type === 'signup' ? 'confirmation' : data.type} email`
		);
	}
}

export async function sendConfirmation(
	tx: Db,
	deps: AuthDeps,
	user: UserRow,
	flow: FlowType,
	redirectTo: string
): Promise<UserRow> {
	const email = user.email ?? '';
	const { otp, hash } = prepare(deps, user.confirmation_sent_at, flow, email);
	countEmail(deps);
	await send(deps, 'confirmation', email, { user, otp, hash, type: 'signup', redirectTo });
	const now = deps.now();
	await saveOneTimeToken(tx, user.id, 'confirmation_token', hash, email, now);
	return updateUser(tx, user.id, { confirmation_token: hash, confirmation_sent_at: now }, now);
}

export async function sendInvite(
	tx: Db,
	deps: AuthDeps,
	user: UserRow,
	redirectTo: string
): Promise<UserRow> {
	const email = user.email ?? '';
	// Invitations are not throttled by max_frequency (GoTrue's sendInvite neither).
	const otp = newOtp(deps.settings.otpLength);
	const hash = tokenHash(email, otp);
	countEmail(deps);
	await send(deps, 'invite', email, { user, otp, hash, type: 'invite', redirectTo });
	const now = deps.now();
	await saveOneTimeToken(tx, user.id, 'confirmation_token', hash, email, now);
	return updateUser(
		tx,
		user.id,
		{ confirmation_token: hash, confirmation_sent_at: now, invited_at: now },
		now
	);
}

async function sendRecoveryKind(
	tx: Db,
	deps: AuthDeps,
	user: UserRow,
	flow: FlowType,
	redirectTo: string,
	kind: 'recovery' | 'magiclink'
): Promise<UserRow> {
	const email = user.email ?? '';
	const { otp, hash } = prepare(deps, user.recovery_sent_at, flow, email);
	countEmail(deps);
	const template = kind === 'recovery' ? 'recovery' : 'magic_link';
	await send(deps, template, email, { user, otp, hash, type: kind, redirectTo });
	const now = deps.now();
	await saveOneTimeToken(tx, user.id, 'recovery_token', hash, email, now);
	return updateUser(tx, user.id, { recovery_token: hash, recovery_sent_at: now }, now);
}

export const sendRecovery = (
	tx: Db,
	deps: AuthDeps,
	user: UserRow,
	flow: FlowType,
	redirectTo: string
) => sendRecoveryKind(tx, deps, user, flow, redirectTo, 'recovery');

export const sendMagicLink = (
	tx: Db,
	deps: AuthDeps,
	user: UserRow,
	flow: FlowType,
	redirectTo: string
) => sendRecoveryKind(tx, deps, user, flow, redirectTo, 'magiclink');

/**
 * A link to the new address and, with double_confirm_changes, one to the current address
 * too; the change happens once both are followed.
 */
export async function sendEmailChange(
	tx: Db,
	deps: AuthDeps,
	user: UserRow,
	newEmail: string,
	flow: FlowType,
	redirectTo: string
): Promise<UserRow> {
	const toNew = prepare(deps, user.email_change_sent_at, flow, newEmail);
	const secure = deps.settings.doubleConfirmChanges && !!user.email;
	const toCurrent = secure ? prepare(deps, null, flow, user.email ?? '') : null;
	countEmail(deps);
	const base = { user, type: 'email_change' as const, redirectTo, newEmail };
	await send(deps, 'email_change', newEmail, { ...base, ...toNew });
	if (toCurrent) await send(deps, 'email_change', user.email ?? '', { ...base, ...toCurrent });
	const now = deps.now();
	await saveOneTimeToken(tx, user.id, 'email_change_token_new', toNew.hash, newEmail, now);
	if (toCurrent) {
		await saveOneTimeToken(
			tx,
			user.id,
			'email_change_token_current',
			toCurrent.hash,
			user.email ?? '',
			now
		);
	}
	return updateUser(
		tx,
		user.id,
		{
			email_change: newEmail,
			email_change_token_new: toNew.hash,
			email_change_token_current: toCurrent?.hash ?? '',
			email_change_sent_at: now,
			email_change_confirm_status: 0
		},
		now
	);
}

/**
 * The code for a secure password change (GET /reauthenticate): typed into the app and sent as
 * `nonce` with the new password. GoTrue's sendReauthenticationOtp.
 */
export async function sendReauthentication(
	tx: Db,
	deps: AuthDeps,
	user: UserRow
): Promise<UserRow> {
	const email = user.email ?? '';
	const { otp, hash } = prepare(deps, user.reauthentication_sent_at, 'implicit', email);
	countEmail(deps);
	await send(deps, 'reauthentication', email, {
		user,
		otp,
		hash,
		type: 'reauthentication',
		redirectTo: deps.settings.siteUrl
	});
	const now = deps.now();
	await saveOneTimeToken(tx, user.id, 'reauthentication_token', hash, email, now);
	return updateUser(
		tx,
		user.id,
		{ reauthentication_token: hash, reauthentication_sent_at: now },
		now
	);
}
