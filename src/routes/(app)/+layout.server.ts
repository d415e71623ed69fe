import { redirect } from '@sveltejs/kit';
import { loginUrl } from '$lib/server/auth';
import type { LayoutServerLoad } from './$types';

/** The protected area: signed-out people go to sign-in and come back here afterwards. */
export const load: LayoutServerLoad = async ({ parent, url }) => {
	const { user } = await parent();
	if (!user) redirect(303, loginUrl(url));
	return { user };
};
