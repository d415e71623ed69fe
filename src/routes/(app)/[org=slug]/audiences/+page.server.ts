import * as audiences from '$lib/server/audiences';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { org } = await parent();
	return { audiences: await locals.db((trx) => audiences.list(trx, org.id)) };
};
