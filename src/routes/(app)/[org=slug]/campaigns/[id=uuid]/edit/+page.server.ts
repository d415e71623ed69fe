// /campaigns/<id>/edit resumes the wizard where it was left: the first step
// that is not complete yet, else the review.
import { redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import { problemsOf } from '$lib/campaigns/steps';
import * as campaigns from '$lib/server/campaigns';
import { throwHttp } from '../../respond.server';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent, params }) => {
	const { org } = await parent();
	const step = await locals
		.db(async (trx) => {
			const campaign = await campaigns.get(trx, org.id, params.id);
			const sections = await campaigns.sections(trx, org.id, params.id);
			const data = Object.fromEntries(Object.entries(sections).map(([k, s]) => [k, s.data]));
			return problemsOf(campaign.kind, data)[0]?.step ?? 'review';
		})
		.catch(throwHttp);
	redirect(
		303,
		resolve('/(app)/[org=slug]/campaigns/[id=uuid]/edit/[step]', {
			org: params.org,
			id: params.id,
			step
		})
	);
};
