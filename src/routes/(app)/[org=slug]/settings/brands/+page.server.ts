import * as brands from '$lib/server/brands';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { org } = await parent();
	return { brands: await locals.db((trx) => brands.list(trx, org.id)) };
};
