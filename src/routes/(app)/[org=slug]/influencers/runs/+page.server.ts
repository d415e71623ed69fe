// Data runs: every refresh of the marketplace a person may see (global runs,
// and those their organization asked for), newest first; ?run=<id> opens one
// with its log and the profiles it created or updated.
import { error } from '@sveltejs/kit';
import * as http from '$lib/server/http';
import * as marketplace from '$lib/server/marketplace';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent, url }) => {
	const { org } = await parent();
	const query = Object.fromEntries([...url.searchParams].filter(([, v]) => v !== ''));
	const q = http.parseQuery(marketplace.runsQuerySchema, query);
	try {
		return await locals.db(async (trx) => {
			const page = await marketplace.listRuns(trx, org.id, q.after);
			const open = q.run ? await marketplace.getRun(trx, org.id, q.run) : null;
			return { runs: page.items, nextCursor: page.nextCursor, after: q.after ?? null, open };
		});
	} catch (e) {
		if (e instanceof marketplace.InvalidCursorError) error(400, e.message);
		if (e instanceof marketplace.RunNotFoundError) error(404, e.message);
		throw e;
	}
};
