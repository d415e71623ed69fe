import { fail, redirect } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { resolve } from '$app/paths';
import * as orgs from '$lib/server/orgs';
import * as segments from '$lib/server/segments';
import { newGroup } from '$lib/components/contacts/rules';
import { failWith } from '../../contacts/respond.server';
import { parseRules } from '../context.server';
import { segmentFormSchema } from '../schema';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { org } = await parent();
	return {
		context: await locals.db((trx) => segments.builderContext(trx, org.id)),
		form: await superValidate(
			{ name: '', description: '', rules: JSON.stringify(newGroup('all', true)) },
			zod4(segmentFormSchema),
			{ id: 'segment', errors: false }
		)
	};
};

export const actions: Actions = {
	default: async (event) => {
		const form = await superValidate(event.request, zod4(segmentFormSchema), { id: 'segment' });
		const rules = parseRules(form.data.rules);
		if (rules === null) {
			// Sent back empty, valid or not: the page could not draw rules it cannot read.
			form.data.rules = JSON.stringify(newGroup('all', true));
			return setError(form, 'rules', 'The rules could not be read.');
		}
		if (!form.valid) return fail(400, { form });
		let id: string;
		try {
			id = await orgs.withOrg(event, async (trx, org) => {
				const saved = await segments.createSegment(trx, org.id, { ...form.data, rules });
				return saved.id;
			});
		} catch (e) {
			return failWith(form, e);
		}
		redirect(
			303,
			`${resolve('/(app)/[org=slug]/segments/[id=uuid]', { org: event.params.org, id })}?saved=1`
		);
	}
};
