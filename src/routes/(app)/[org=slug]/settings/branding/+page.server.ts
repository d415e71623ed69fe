import { error, fail } from '@sveltejs/kit';
import { message, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { failFromDb, refused } from '$lib/server/db';
import * as orgs from '$lib/server/orgs';
import { brandingSchema, type BrandingInput } from '$lib/schemas/orgs';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { org } = await parent();
	const branding = await locals.db((trx) => orgs.getBranding(trx, org.id));
	if (!branding) error(404, 'Page not found');
	return {
		// The database allows only the listed fonts (a check constraint).
		form: await superValidate(branding as BrandingInput, zod4(brandingSchema), { errors: false })
	};
};

export const actions: Actions = {
	default: async (event) => {
		const form = await superValidate(event.request, zod4(brandingSchema));
		if (!form.valid) return fail(400, { form });
		try {
			const saved = await orgs.withOrg(event, (trx, org) =>
				orgs.updateBranding(trx, org.id, form.data)
			);
			if (!saved) return refused(form, 'Only owners and admins can change the branding.');
		} catch (e) {
			return failFromDb(form, e);
		}
		return message(form, { tone: 'success', text: 'The branding has been saved.' });
	}
};
