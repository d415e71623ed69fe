import * as roles from '$lib/server/roles';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { org } = await parent();
	return { roles: await locals.db((trx) => roles.list(trx, org.id)) };
};
