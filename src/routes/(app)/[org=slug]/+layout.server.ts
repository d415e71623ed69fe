import * as orgs from '$lib/server/orgs';
import type { LayoutServerLoad } from './$types';

/**
 * Everything under /<org>: the organization (404 unless the person belongs to
 * it) and its branding (the shell applies it), their role and permissions (the
 * pages hide what they cannot use; the database refuses it regardless), and
 * their organizations for the switcher.
 */
export const load: LayoutServerLoad = async (event) => {
	const scope = await orgs.withOrg(event, async (trx, org, user) => {
		const [permissions, mine, branding] = await Promise.all([
			orgs.permissionsOf(trx, org.id, user.id),
			orgs.listMine(trx, user.id),
			orgs.getBranding(trx, org.id)
		]);
		return { org, permissions, orgs: mine, branding };
	});
	orgs.rememberOrg(event.cookies, event.url, scope.org.slug);
	return scope;
};
