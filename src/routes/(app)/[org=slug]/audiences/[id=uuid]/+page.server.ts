import { error, fail, redirect } from '@sveltejs/kit';
import { message, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { z } from 'zod';
import { resolve } from '$app/paths';
import * as audiences from '$lib/server/audiences';
import { failFromDb, refused } from '$lib/server/db';
import * as orgs from '$lib/server/orgs';
import { audienceSchema } from '$lib/schemas/audiences';
import { formContext, TAKEN } from '../context.server';
import type { Actions, PageServerLoad } from './$types';

const deleteSchema = z.object({});

export const load: PageServerLoad = async ({ locals, parent, params }) => {
	const { org } = await parent();
	const loaded = await locals.db(async (trx) => {
		const audience = await audiences.get(trx, org.id, params.id);
		if (!audience) return null;
		return {
			audience,
			context: await formContext(trx, org.id),
			reach: await audiences.reachByChannel(
				trx,
				org.id,
				audience.includeSegments,
				audience.excludeSegments
			)
		};
	});
	if (!loaded) error(404, 'Page not found');
	return {
		...loaded.context,
		audience: loaded.audience,
		reach: loaded.reach,
		form: await superValidate(loaded.audience, zod4(audienceSchema), {
			id: 'audience',
			errors: false
		}),
		deleteForm: await superValidate(zod4(deleteSchema), { id: 'delete' })
	};
};

export const actions: Actions = {
	update: async (event) => {
		const form = await superValidate(event.request, zod4(audienceSchema), { id: 'audience' });
		if (!form.valid) return fail(400, { form });
		try {
			const saved = await orgs.withOrg(event, (trx, org) =>
				audiences.update(trx, org.id, event.params.id, form.data)
			);
			if (!saved) return refused(form, 'You cannot change this audience.');
		} catch (e) {
			return failFromDb(form, e, TAKEN);
		}
		return message(form, { tone: 'success', text: 'The audience has been saved.' });
	},

	delete: async (event) => {
		const form = await superValidate(event.request, zod4(deleteSchema), { id: 'delete' });
		let removed: boolean;
		try {
			removed = await orgs.withOrg(event, (trx, org) =>
				audiences.remove(trx, org.id, event.params.id)
			);
		} catch (e) {
			return failFromDb(form, e);
		}
		if (!removed) return refused(form, 'You cannot delete this audience.');
		redirect(303, resolve('/(app)/[org=slug]/audiences', { org: event.params.org }));
	}
};
