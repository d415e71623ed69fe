import { error } from '@sveltejs/kit';
import * as automations from '$lib/server/automations';
import * as http from '$lib/server/http';
import type { PageServerLoad } from './$types';
import { runsQuerySchema } from './schema';

const PAGE = 50;

export const load: PageServerLoad = async ({ locals, parent, url }) => {
	const { org } = await parent();
	const query = Object.fromEntries([...url.searchParams].filter(([, v]) => v !== ''));
	const filter = http.parseQuery(runsQuerySchema, query);
	try {
		const [page, list] = await locals.db((trx) =>
			Promise.all([
				automations.listRuns(trx, org.id, { ...filter, limit: PAGE }),
				automations.list(trx, org.id)
			])
		);
		return {
			runs: page.items,
			nextCursor: page.nextCursor,
			filter,
			automations: list.map(({ id, name }) => ({ id, name })),
			subjectInvalid: Boolean(query.subjectId) && !filter.subjectId
		};
	} catch (e) {
		if (e instanceof automations.InvalidRunCursorError) error(400, e.message);
		throw e;
	}
};
