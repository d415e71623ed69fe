import { fail, redirect } from '@sveltejs/kit';
import { superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { resolve } from '$app/paths';
import * as campaigns from '$lib/server/campaigns';
import { failFromDb } from '$lib/server/db';
import * as orgs from '$lib/server/orgs';
import { brandOptions } from '../respond.server';
import { newCampaignSchema } from './schema';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { org } = await parent();
	return {
		brands: await locals.db((trx) => brandOptions(trx, org.id)),
		form: await superValidate({ kind: 'influencer' as const }, zod4(newCampaignSchema), {
			errors: false
		})
	};
};

export const actions: Actions = {
	default: async (event) => {
		const form = await superValidate(event.request, zod4(newCampaignSchema));
		if (!form.valid) return fail(400, { form });
		let id: string;
		try {
			id = await orgs.withOrg(event, (trx, org) =>
				campaigns.create(trx, org.id, {
					kind: form.data.kind,
					name: form.data.name,
					brandId: form.data.brandId
				})
			);
		} catch (e) {
			return failFromDb(form, e);
		}
		redirect(
			303,
			resolve('/(app)/[org=slug]/campaigns/[id=uuid]/edit/[step]', {
				org: event.params.org,
				id,
				step: 'basics'
			})
		);
	}
};
