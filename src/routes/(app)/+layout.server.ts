import { redirect } from '@sveltejs/kit';
import { loginUrl } from '$lib/server/auth';
import * as orgs from '$lib/server/orgs';
import type { LayoutServerLoad } from './$types';

/**
 * The protected area: signed-out people go to sign-in and come back here afterwards.
 * Pages outside an organization (account, new organization) still get the person's
 * organizations, so the switcher and the navigation lead into their home organization
 * instead of showing its sections as unavailable.
 */
export const load: LayoutServerLoad = async ({ parent, url, params, locals, cookies }) => {
	const { user } = await parent();
	if (!user) redirect(303, loginUrl(url));
	if ('org' in params) return { user };
	const mine = await locals.db((trx) => orgs.listMine(trx, user.id));
	return { user, orgs: mine, homeOrg: orgs.pickHome(cookies, mine) };
};
