import { error, fail, redirect } from '@sveltejs/kit';
import { message, setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { resolve } from '$app/paths';
import * as orgs from '$lib/server/orgs';
import * as segments from '$lib/server/segments';
import { newGroup } from '$lib/components/contacts/rules';
import { failWith } from '../../contacts/respond.server';
import { parseRules } from '../context.server';
import { deleteSegmentSchema, segmentFormSchema } from '../schema';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent, params }) => {
	const { org } = await parent();
	const [segment, context] = await locals.db(async (trx) => {
		try {
			return await Promise.all([
				segments.getSegment(trx, org.id, params.id),
				segments.builderContext(trx, org.id)
			]);
		} catch (e) {
			if (e instanceof segments.SegmentNotFoundError) error(404, 'Page not found');
			throw e;
		}
	});
	return {
		segment,
		context,
		form: await superValidate(
			{
				name: segment.name,
				description: segment.description,
				// Unreadable stored rules (segment.rules null): the builder starts empty.
				rules: segment.rules ? JSON.stringify(segment.rules) : ''
			},
			zod4(segmentFormSchema),
			{ id: 'segment', errors: false }
		),
		deleteForm: await superValidate(zod4(deleteSegmentSchema), { id: 'delete' })
	};
};

export const actions: Actions = {
	save: async (event) => {
		const form = await superValidate(event.request, zod4(segmentFormSchema), { id: 'segment' });
		const rules = parseRules(form.data.rules);
		if (rules === null) {
			// Sent back empty, valid or not: the page could not draw rules it cannot read.
			form.data.rules = JSON.stringify(newGroup('all', true));
			return setError(form, 'rules', 'The rules could not be read.');
		}
		if (!form.valid) return fail(400, { form });
		try {
			await orgs.withOrg(event, (trx, org) =>
				segments.updateSegment(trx, org.id, event.params.id, { ...form.data, rules })
			);
		} catch (e) {
			return failWith(form, e);
		}
		return message(form, {
			tone: 'success',
			text: 'The segment has been saved. Its members are being updated.'
		});
	},

	delete: async (event) => {
		const form = await superValidate(event.request, zod4(deleteSegmentSchema), { id: 'delete' });
		let name: string;
		try {
			name = await orgs.withOrg(event, async (trx, org) => {
				const segment = await segments.getSegment(trx, org.id, event.params.id);
				await segments.deleteSegment(trx, org.id, segment.id);
				return segment.name;
			});
		} catch (e) {
			return failWith(form, e);
		}
		const list = resolve('/(app)/[org=slug]/segments', { org: event.params.org });
		redirect(303, `${list}?deleted=${encodeURIComponent(name)}`);
	}
};
