import * as dashboard from '$lib/server/dashboard';
import * as members from '$lib/server/members';
import type { PageServerLoad } from './$types';

/** The organization's home: its dashboard, read from rollups (src/lib/server/dashboard). */
export const load: PageServerLoad = async ({ locals, parent }) => {
	const { org } = await parent();
	return locals.db(async (trx) => {
		const team = await members.list(trx, org.id);
		return { dashboard: await dashboard.load(trx, org.id), memberCount: team.length };
	});
};
