// The marketplace search: filters in the URL, keyset pages. Global rows, read
// under the person's RLS like every page. "Add to list" posts to the CRM's
// action (/[org]/influencers?/addFromMarketplace, the crm module's).
import { error } from '@sveltejs/kit';
import * as http from '$lib/server/http';
import * as marketplace from '$lib/server/marketplace';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent, url }) => {
	const { org } = await parent();
	const query = Object.fromEntries([...url.searchParams].filter(([, v]) => v.trim() !== ''));
	const filter = http.parseQuery(marketplace.searchSchema, query);
	try {
		const page = await locals.db((trx) => marketplace.search(trx, filter));
		return { profiles: page.items, nextCursor: page.nextCursor, filter, orgId: org.id };
	} catch (e) {
		if (e instanceof marketplace.InvalidCursorError) error(400, e.message);
		throw e;
	}
};
