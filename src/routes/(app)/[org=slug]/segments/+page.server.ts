import * as segments from '$lib/server/segments';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { org } = await parent();
	const list = await locals.db((trx) => segments.listSegments(trx, org.id));
	return {
		segments: list.map(({ id, name, description, cachedCount, refreshedAt, error }) => ({
			id,
			name,
			description,
			cachedCount,
			refreshedAt,
			error
		}))
	};
};
