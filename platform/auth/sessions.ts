// Sessions, refresh tokens and access tokens, following GoTrue's legacy refresh-token scheme
// (internal/tokens/service.go, models/refresh_token.go): every sign-in creates an
// auth.sessions row and a refresh token; each refresh revokes the token it was given and
// hands out its child. Reusing a revoked token is tolerated within the reuse interval (two
// tabs refreshing at once, a lost response); later, it means the token leaked, and every
// refresh token of the session is revoked (GoTrue's RevokeTokenFamily). The session row
// stays, as in GoTrue: its access tokens work until they expire, then nobody can refresh.
import { randomUUID } from 'node:crypto';
import { audit } from './audit.ts';
import { INSTANCE_ID, inTransaction, utcTimestamp, type Db } from './db.ts';
import type { AuthDeps } from './deps.ts';
import { badRequest } from './errors.ts';
import type { GrantContext } from './request.ts';
import { newRefreshToken, type AmrEntry } from './tokens.ts';
import { findUserById, isBanned, loadUserJson, updateUser, type UserRow } from './users.ts';

/** GoTrue's authentication methods, as written to mfa_amr_claims and the `amr` claim. */
export type AuthMethod =
	'password' | 'otp' | 'magiclink' | 'email/signup' | 'recovery' | 'invite' | 'email_change';

export type SessionRow = {
	id: string;
	user_id: string;
	created_at: Date | null;
	aal: string | null;
	not_after: Date | null;
};

type RefreshTokenRow = {
	id: string;
	token: string;
	user_id: string;
	revoked: boolean;
	updated_at: Date;
	parent: string | null;
	session_id: string | null;
};

/** The session object of /token, /verify and sign-up (GoTrue's AccessTokenResponse). */
export type SessionJson = {
	access_token: string;
	token_type: 'bearer';
	expires_in: number;
	expires_at: number;
	refresh_token: string;
	user: Record<string, unknown>;
	weak_password?: { message: string; reasons: string[] };
};

export async function findSession(db: Db, id: string): Promise<SessionRow | null> {
	const { rows } = await db.query<SessionRow>(
		'select id, user_id, created_at, aal, not_after from auth.sessions where id = $1',
		[id]
	);
	return rows[0] ?? null;
}

/** A new session for a user who just proved who they are (GoTrue's IssueRefreshToken). */
export async function issueSession(
	tx: Db,
	deps: AuthDeps,
	user: UserRow,
	method: AuthMethod,
	grant: GrantContext
): Promise<SessionJson> {
	const now = deps.now();
	const sessionId = randomUUID();
	await tx.query(
		`insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
		 values ($1, $2, $3, $3, 'aal1', $4, $5)`,
		[sessionId, user.id, now, grant.userAgent, grant.ip]
	);
	const refreshToken = await insertRefreshToken(tx, user.id, sessionId, null, now);
	const signedIn = await updateUser(tx, user.id, { last_sign_in_at: now }, now);
	await tx.query(
		`insert into auth.mfa_amr_claims (id, session_id, created_at, updated_at, authentication_method)
		 values ($1, $2, $3, $3, $4)
		 on conflict on constraint mfa_amr_claims_session_id_authentication_method_pkey
		 do update set updated_at = excluded.updated_at`,
		[randomUUID(), sessionId, now, method]
	);
	return sessionJson(tx, deps, signedIn, sessionId, refreshToken);
}

async function insertRefreshToken(
	tx: Db,
	userId: string,
	sessionId: string,
	parent: string | null,
	now: Date
): Promise<string> {
	const token = newRefreshToken();
	await tx.query(
		`insert into auth.refresh_tokens
		   (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
		 values ($1, $2, $3, false, $4, $4, $5, $6)`,
		[INSTANCE_ID, token, userId, now, parent, sessionId]
	);
	return token;
}

async function sessionJson(
	tx: Db,
	deps: AuthDeps,
	user: UserRow,
	sessionId: string,
	refreshToken: string
): Promise<SessionJson> {
	const now = deps.now();
	const iat = Math.floor(now.getTime() / 1000);
	const exp = iat + deps.settings.jwtExpiry;
	const { rows: claims } = await tx.query<{ authentication_method: string; updated_at: Date }>(
		'select authentication_method, updated_at from auth.mfa_amr_claims where session_id = $1',
		[sessionId]
	);
	const amr: AmrEntry[] = claims
		.map((c) => ({
			method: c.authentication_method,
			timestamp: Math.floor(c.updated_at.getTime() / 1000)
		}))
		.sort((a, b) => b.timestamp - a.timestamp);
	const accessToken = await deps.tokens.signAccessToken({
		iss: deps.authUrl,
		sub: user.id,
		aud: user.aud ?? 'authenticated',
		exp,
		iat,
		email: user.email ?? '',
		phone: user.phone ?? '',
		app_metadata: user.raw_app_meta_data ?? {},
		user_metadata: user.raw_user_meta_data ?? {},
		role: user.role ?? 'authenticated',
		aal: 'aal1',
		amr,
		session_id: sessionId,
		is_anonymous: user.is_anonymous
	});
	return {
		access_token: accessToken,
		token_type: 'bearer',
		expires_in: exp - iat,
		expires_at: exp,
		refresh_token: refreshToken,
		user: await loadUserJson(tx, user)
	};
}

type RefreshOutcome = { session: SessionJson } | { reused: true };

/** POST /token?grant_type=refresh_token. */
export async function refreshSession(
	deps: AuthDeps,
	token: string,
	grant: GrantContext
): Promise<SessionJson> {
	const outcome = await inTransaction(deps.db, async (tx): Promise<RefreshOutcome> => {
		const now = deps.now();
		// The row lock serialises concurrent refreshes of the same token.
		const { rows } = await tx.query<RefreshTokenRow>(
			`select id, token, user_id, revoked, updated_at, parent, session_id
			 from auth.refresh_tokens where token = $1 for update`,
			[token]
		);
		const current = rows[0];
		const user = current ? await findUserById(tx, current.user_id) : null;
		if (!current || !user) {
			throw badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
		}
		if (isBanned(user, now)) {
			throw badRequest('user_banned', 'Invalid Refresh Token: User Banned');
		}
		const { rows: sessions } = await tx.query<SessionRow>(
			'select id, user_id, created_at, aal, not_after from auth.sessions where id = $1 for update',
			[current.session_id]
		);
		const session = sessions[0];
		if (!session) {
			await tx.query('delete from auth.refresh_tokens where id = $1', [current.id]);
			throw badRequest('session_not_found', 'Invalid Refresh Token: No Valid Session Found');
		}
		if (session.not_after && now > session.not_after) {
			throw badRequest('session_expired', 'Invalid Refresh Token: Session Expired');
		}

		let issued: string | undefined;
		if (current.revoked) {
			const { rows: active } = await tx.query<RefreshTokenRow>(
				`select id, token, user_id, revoked, updated_at, parent, session_id from auth.refresh_tokens
				 where session_id = $1 and revoked = false order by id desc limit 1`,
				[session.id]
			);
			if (active[0] && active[0].parent === current.token) {
				// The client lost the answer to its last refresh: hand out the same child again.
				issued = active[0].token;
			} else {
				const reuseUntil =
					current.updated_at.getTime() + deps.settings.refreshTokenReuseInterval * 1000;
				if (now.getTime() > reuseUntil) {
					if (deps.settings.refreshTokenRotation) {
						// Possible theft: revoke the whole family, so neither the thief nor the
						// rightful holder can refresh again.
						await tx.query(
							`update auth.refresh_tokens set revoked = true, updated_at = $2
							 where session_id = $1 and revoked = false`,
							[session.id, now]
						);
					}
					return { reused: true };
				}
			}
		}

		await audit(tx, user, 'token_refreshed', now);
		if (issued === undefined) {
			await audit(tx, user, 'token_revoked', now);
			await tx.query(
				'update auth.refresh_tokens set revoked = true, updated_at = $2 where id = $1',
				[current.id, now]
			);
			issued = await insertRefreshToken(tx, user.id, session.id, current.token, now);
		}
		await tx.query(
			`update auth.sessions set refreshed_at = $2, updated_at = $3, user_agent = $4, ip = $5
			 where id = $1`,
			[session.id, utcTimestamp(now), now, grant.userAgent, grant.ip]
		);
		return { session: await sessionJson(tx, deps, user, session.id, issued) };
	});
	if ('reused' in outcome) {
		// Thrown after the commit, so the revocation stays (GoTrue's NewCommitWithError).
		throw badRequest('refresh_token_already_used', 'Invalid Refresh Token: Already Used');
	}
	return outcome.session;
}

export type LogoutScope = 'global' | 'local' | 'others';

export async function endSessions(
	db: Db,
	userId: string,
	sessionId: string | null,
	scope: LogoutScope
): Promise<void> {
	if (sessionId && scope === 'local') {
		await db.query('delete from auth.sessions where id = $1', [sessionId]);
	} else if (sessionId && scope === 'others') {
		await db.query('delete from auth.sessions where user_id = $1 and id <> $2', [
			userId,
			sessionId
		]);
	} else {
		await db.query('delete from auth.sessions where user_id = $1', [userId]);
	}
}
