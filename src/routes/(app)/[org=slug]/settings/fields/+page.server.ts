import { fail } from '@sveltejs/kit';
import { message, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import * as contacts from '$lib/server/contacts';
import * as orgs from '$lib/server/orgs';
import * as segments from '$lib/server/segments';
import { customFieldsUsed } from '$lib/components/contacts/rules';
import { failWith } from '../../contacts/respond.server';
import type { Actions, PageServerLoad } from './$types';
import { createFieldSchema, deleteFieldSchema, parseOptions, updateFieldSchema } from './schema';

/** The fields, each with the segments whose rules use it (deleting it breaks them). */
export const load: PageServerLoad = async ({ locals, parent }) => {
	const { org } = await parent();
	const [fields, segmentList] = await locals.db((trx) =>
		Promise.all([contacts.listFields(trx, org.id), segments.listSegments(trx, org.id)])
	);
	const usedBy = (key: string) =>
		segmentList.filter((s) => customFieldsUsed(s.rules).has(key)).map((s) => s.name);
	return {
		fields: fields.map((f) => ({ ...f, usedBy: usedBy(f.key) })),
		createForm: await superValidate(zod4(createFieldSchema), { id: 'create', errors: false }),
		updateForm: await superValidate(zod4(updateFieldSchema), { id: 'update', errors: false }),
		deleteForm: await superValidate(zod4(deleteFieldSchema), { id: 'delete', errors: false })
	};
};

export const actions: Actions = {
	create: async (event) => {
		const form = await superValidate(event.request, zod4(createFieldSchema), { id: 'create' });
		if (!form.valid) return fail(400, { form });
		const { options, ...field } = form.data;
		try {
			await orgs.withOrg(event, async (trx, org) => {
				const position = (await contacts.listFields(trx, org.id)).length;
				await contacts.createField(trx, org.id, {
					...field,
					options: parseOptions(options),
					position
				});
			});
		} catch (e) {
			return failWith(form, e);
		}
		return message(form, { tone: 'success', text: `The field “${field.label}” has been added.` });
	},

	update: async (event) => {
		const form = await superValidate(event.request, zod4(updateFieldSchema), { id: 'update' });
		if (!form.valid) return fail(400, { form });
		const { key, options, ...patch } = form.data;
		try {
			await orgs.withOrg(event, async (trx, org) => {
				const current = (await contacts.fieldMap(trx, org.id)).get(key);
				const choice = current?.type === 'select' || current?.type === 'multi_select';
				await contacts.updateField(trx, org.id, key, {
					...patch,
					...(choice && { options: parseOptions(options) })
				});
			});
		} catch (e) {
			return failWith(form, e, { [key]: 'label' });
		}
		return message(form, { tone: 'success', text: `The field “${patch.label}” has been saved.` });
	},

	delete: async (event) => {
		const form = await superValidate(event.request, zod4(deleteFieldSchema), { id: 'delete' });
		if (!form.valid) return fail(400, { form });
		try {
			await orgs.withOrg(event, (trx, org) => contacts.deleteField(trx, org.id, form.data.key));
		} catch (e) {
			return failWith(form, e);
		}
		return message(form, { tone: 'success', text: 'The field has been deleted.' });
	}
};
