import * as brands from '$lib/server/brands';
import * as members from '$lib/server/members';
import type { PageServerLoad } from './$types';

/** The organization's home: its brands and team at a glance. */
export const load: PageServerLoad = async ({ locals, parent }) => {
	const { org } = await parent();
	return locals.db(async (trx) => {
		const [brandList, team] = await Promise.all([
			brands.list(trx, org.id),
			members.list(trx, org.id)
		]);
		return { brands: brandList, memberCount: team.length };
	});
};
