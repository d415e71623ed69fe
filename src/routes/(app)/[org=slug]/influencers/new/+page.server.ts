// Adding an influencer by hand: name, contact details, owner, tags, notes and
// their handles; the record page follows.
import { redirect } from '@sveltejs/kit';
import * as influencers from '$lib/server/influencers';
import * as orgs from '$lib/server/orgs';
import { formFailure, readForm } from '../form.server';
import { ownerOptions } from '../owners.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { org } = await parent();
	return { owners: await locals.db((trx) => ownerOptions(trx, org.id)) };
};

export const actions: Actions = {
	default: async (event) => {
		const read = readForm(await event.request.formData());
		if (!read.ok) return read.failure;
		let id: string;
		try {
			id = await orgs.withOrg(event, (trx, org) => influencers.create(trx, org.id, read.input));
		} catch (e) {
			return formFailure(e, read.values);
		}
		redirect(303, `/${event.params.org}/influencers/${id}`);
	}
};
