// auth.one_time_tokens: the hashes of the codes and links GoTrue has emailed, one per user
// and kind. Only hashes are stored (see tokens.ts), never the code a person types.
import { randomUUID } from 'node:crypto';
import { utcTimestamp, type Db } from './db.ts';

export type OneTimeTokenType =
	| 'confirmation_token'
	| 'reauthentication_token'
	| 'recovery_token'
	| 'email_change_token_new'
	| 'email_change_token_current';

export type OneTimeTokenRow = {
	id: string;
	user_id: string;
	token_type: OneTimeTokenType;
	token_hash: string;
	relates_to: string;
};

/** Replaces the user's token of that kind (GoTrue's CreateOneTimeToken). */
export async function saveOneTimeToken(
	db: Db,
	userId: string,
	type: OneTimeTokenType,
	hash: string,
	relatesTo: string,
	now: Date
): Promise<void> {
	await clearOneTimeToken(db, userId, type);
	await db.query(
		`insert into auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to, created_at, updated_at)
		 values ($1, $2, $3, $4, $5, $6, $6)`,
		[randomUUID(), userId, type, hash, relatesTo.toLowerCase(), utcTimestamp(now)]
	);
}

/**
 * Locks the token for the transaction: of two requests racing with one link, the second
 * finds it gone once the first commits, so every link and code works exactly once.
 */
export async function findOneTimeToken(
	db: Db,
	hash: string,
	types: OneTimeTokenType[]
): Promise<OneTimeTokenRow | null> {
	const { rows } = await db.query<OneTimeTokenRow>(
		`select id, user_id, token_type, token_hash, relates_to from auth.one_time_tokens
		 where token_hash = $1 and token_type = any($2::auth.one_time_token_type[])
		 limit 1
		 for update`,
		[hash, types]
	);
	return rows[0] ?? null;
}

export async function clearOneTimeToken(
	db: Db,
	userId: string,
	type: OneTimeTokenType
): Promise<void> {
	await db.query('delete from auth.one_time_tokens where user_id = $1 and token_type = $2', [
		userId,
		type
	]);
}

export async function clearAllOneTimeTokens(db: Db, userId: string): Promise<void> {
	await db.query('delete from auth.one_time_tokens where user_id = $1', [userId]);
}
