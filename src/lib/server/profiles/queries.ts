// Reads and writes of public.profiles. Each takes the request's RLS transaction
// first; Row Level Security makes sure it is the signed-in person's own row.
import type { Trx } from '$lib/server/db';
import { ProfileNotFoundError } from './errors';

export type Profile = {
	id: string;
	email: string;
	fullName: string;
	avatarUrl: string | null;
};

export type ProfileUpdate = { fullName: string };

const columns = ['id', 'email', 'full_name', 'avatar_url'] as const;

type Row = { id: string; email: string; full_name: string; avatar_url: string | null };

function toProfile(row: Row): Profile {
	return { id: row.id, email: row.email, fullName: row.full_name, avatarUrl: row.avatar_url };
}

/** The profile of `userId`, or null when there is none the caller may see. */
export async function get(trx: Trx, userId: string): Promise<Profile | null> {
	const row = await trx
		.selectFrom('profiles')
		.select(columns)
		.where('id', '=', userId)
		.executeTakeFirst();
	return row ? toProfile(row) : null;
}

/** Changes what a person may change about themselves; throws ProfileNotFoundError. */
export async function update(trx: Trx, userId: string, input: ProfileUpdate): Promise<Profile> {
	const row = await trx
		.updateTable('profiles')
		.set({ full_name: input.fullName })
		.where('id', '=', userId)
		.returning(columns)
		.executeTakeFirst();
	if (!row) throw new ProfileNotFoundError(userId);
	return toProfile(row);
}
