import * as profiles from '$lib/server/profiles';
import type { LayoutServerLoad } from './$types';

/** Who is signed in, with the name the shell shows; null for visitors. */
export const load: LayoutServerLoad = async ({ locals }) => {
	const user = locals.user;
	if (!user) return { user: null };
	const profile = await locals.db((trx) => profiles.get(trx, user.id));
	return { user: { ...user, fullName: profile?.fullName ?? '' } };
};
