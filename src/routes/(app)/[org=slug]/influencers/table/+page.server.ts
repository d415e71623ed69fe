// The influencer table: filters and sort in the URL, keyset pages, and bulk
// actions on the ticked rows (move to a column, give an owner, add a tag,
// delete after confirmation). A bulk action is all or nothing.
import { fail } from '@sveltejs/kit';
import * as influencers from '$lib/server/influencers';
import * as orgs from '$lib/server/orgs';
import { ownerOptions } from '../owners.server';
import { describeError, throwHttp } from '../respond.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent, url }) => {
	const { org } = await parent();
	const filter = influencers.listFilterSchema.parse(Object.fromEntries(url.searchParams));
	return locals
		.db(async (trx) => {
			const [page, owners, tags] = await Promise.all([
				influencers.list(trx, org.id, filter),
				ownerOptions(trx, org.id),
				influencers.tagsInUse(trx, org.id)
			]);
			return { filter, page, owners, tags };
		})
		.catch(throwHttp);
};

export const actions: Actions = {
	bulk: async (event) => {
		const data = await event.request.formData();
		const ids = influencers.bulkIds.safeParse(data.getAll('ids'));
		if (!ids.success) return fail(400, { bulkError: ids.error.issues[0]!.message });
		const action = influencers.bulkForm.safeParse(Object.fromEntries(data));
		if (!action.success) return fail(400, { bulkError: action.error.issues[0]!.message });
		let changed: number;
		try {
			changed = await orgs.withOrg(event, (trx, org) =>
				influencers.bulk.apply(trx, org.id, ids.data, action.data)
			);
		} catch (e) {
			const known = describeError(e);
			if (!known) throw e;
			return fail(known.status === 502 ? 422 : known.status, { bulkError: known.message });
		}
		return { bulkDone: action.data.action, changed };
	}
};
