import { redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import * as orgs from '$lib/server/orgs';
import type { PageServerLoad } from './$types';

/**
 * "/": visitors get the landing page and people without an organization the
 * dashboard that offers to create one; everyone else goes to their last (or
 * first) organization.
 */
export const load: PageServerLoad = async ({ locals, cookies }) => {
	const user = locals.user;
	if (!user) return {};
	const mine = await locals.db((trx) => orgs.listMine(trx, user.id));
	const home = orgs.pickHome(cookies, mine);
	if (home) redirect(303, resolve('/(app)/[org=slug]', { org: home.slug }));
	return {};
};
