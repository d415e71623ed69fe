// The marketplace search: filters in the URL, keyset pages. Global rows, read
// under the person's RLS like every page. "Add to list" posts to the CRM's
// action (/[org]/influencers?/addFromMarketplace, the crm module's); creators
// already in the list link to their record instead.
import { error } from '@sveltejs/kit';
import * as http from '$lib/server/http';
import * as influencers from '$lib/server/influencers';
import * as marketplace from '$lib/server/marketplace';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent, url }) => {
	const { org } = await parent();
	const query = Object.fromEntries([...url.searchParams].filter(([, v]) => v.trim() !== ''));
	const filter = http.parseQuery(marketplace.searchSchema, query);
	try {
		return await locals.db(async (trx) => {
			const page = await marketplace.search(trx, filter);
			const listed = await influencers.inList(trx, org.id, [
				...new Set(page.items.map((p) => p.influencerId))
			]);
			return {
				profiles: page.items,
				nextCursor: page.nextCursor,
				filter,
				orgId: org.id,
				/** Marketplace influencer id → the organization's record. */
				inList: Object.fromEntries(listed)
			};
		});
	} catch (e) {
		if (e instanceof marketplace.InvalidCursorError) error(400, e.message);
		throw e;
	}
};
