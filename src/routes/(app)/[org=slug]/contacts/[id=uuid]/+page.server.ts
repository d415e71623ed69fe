import { error, fail } from '@sveltejs/kit';
import { message, setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import * as contacts from '$lib/server/contacts';
import * as orgs from '$lib/server/orgs';
import { contactFormSchema, contactFormValues, errorFields, toContactInput } from '../contact-form';
import { failWith } from '../respond.server';
import type { Actions, PageServerLoad } from './$types';
import { addTagSchema, consentSchema, eraseSchema, eraseWord, removeTagSchema } from './schema';

export const load: PageServerLoad = async ({ locals, parent, params, url }) => {
	const { org } = await parent();
	const before = url.searchParams.get('before') ?? undefined;
	const [detail, tags, older] = await locals.db(async (trx) => {
		try {
			return await Promise.all([
				contacts.detail(trx, org.id, params.id),
				contacts.listTags(trx, org.id),
				before
					? contacts.timeline(trx, org.id, params.id, { before }).catch((e: unknown) => {
							if (e instanceof contacts.InvalidCursorError) return null;
							throw e;
						})
					: null
			]);
		} catch (e) {
			if (e instanceof contacts.ContactNotFoundError) error(404, 'Page not found');
			throw e;
		}
	});
	const fields = detail.fields.map(({ key, label, type, options, required }) => ({
		key,
		label,
		type,
		options,
		required
	}));
	return {
		detail: older ? { ...detail, timeline: older } : detail,
		olderPage: Boolean(older),
		fields,
		tags,
		form: await superValidate(
			contactFormValues(fields, detail.contact),
			zod4(contactFormSchema(fields)),
			{ id: 'contact', errors: false }
		),
		tagForm: await superValidate(zod4(addTagSchema), { id: 'tag', errors: false }),
		untagForm: await superValidate(zod4(removeTagSchema), { id: 'untag', errors: false }),
		consentForm: await superValidate(zod4(consentSchema), { id: 'consent', errors: false }),
		eraseForm: await superValidate(zod4(eraseSchema), { id: 'erase', errors: false })
	};
};

export const actions: Actions = {
	update: async (event) => {
		const fields = await orgs.withOrg(event, (trx, org) => contacts.listFields(trx, org.id));
		const form = await superValidate(event.request, zod4(contactFormSchema(fields)), {
			id: 'contact'
		});
		if (!form.valid) return fail(400, { form });
		try {
			await orgs.withOrg(event, (trx, org) =>
				contacts.update(trx, org.id, event.params.id, toContactInput(fields, form.data))
			);
		} catch (e) {
			return failWith(form, e, errorFields(fields));
		}
		return message(form, { tone: 'success', text: 'The contact has been saved.' });
	},

	tag: async (event) => {
		const form = await superValidate(event.request, zod4(addTagSchema), { id: 'tag' });
		if (!form.valid) return fail(400, { form });
		try {
			await orgs.withOrg(event, async (trx, org) => {
				const [tag] = await contacts.ensureTags(trx, org.id, [form.data.name]);
				await contacts.addTags(trx, org.id, [event.params.id], [tag!.id]);
			});
		} catch (e) {
			return failWith(form, e);
		}
		return message(form, { tone: 'success', text: `Tagged “${form.data.name}”.` });
	},

	untag: async (event) => {
		const form = await superValidate(event.request, zod4(removeTagSchema), { id: 'untag' });
		if (!form.valid) return fail(400, { form });
		let removed: number;
		try {
			removed = await orgs.withOrg(event, (trx, org) =>
				contacts.removeTags(trx, org.id, [event.params.id], [form.data.tagId])
			);
		} catch (e) {
			return failWith(form, e);
		}
		if (!removed)
			return message(
				form,
				{ tone: 'error', text: 'The tag could not be removed (it may be gone already).' },
				{ status: 403 }
			);
		return message(form, { tone: 'success', text: 'The tag has been removed.' });
	},

	consent: async (event) => {
		const form = await superValidate(event.request, zod4(consentSchema), { id: 'consent' });
		if (!form.valid) return fail(400, { form });
		try {
			await orgs.withOrg(event, (trx, org, user) =>
				contacts.recordConsent(trx, org.id, event.params.id, {
					...form.data,
					source: `Changed in Growthdesk by ${user.email ?? 'a member'}`.slice(0, 200)
				})
			);
		} catch (e) {
			return failWith(form, e);
		}
		const verb = form.data.status === 'granted' ? 'granted' : 'withdrawn';
		return message(form, { tone: 'success', text: `Consent ${verb} for ${form.data.channel}.` });
	},

	erase: async (event) => {
		const form = await superValidate(event.request, zod4(eraseSchema), { id: 'erase' });
		if (!form.valid) return fail(400, { form });
		let outcome: 'erased' | 'mismatch';
		try {
			outcome = await orgs.withOrg(event, async (trx, org) => {
				const contact = await contacts.get(trx, org.id, event.params.id);
				if (form.data.confirmName !== eraseWord(contact)) return 'mismatch';
				await contacts.erase(trx, org.id, contact.id);
				return 'erased';
			});
		} catch (e) {
			return failWith(form, e);
		}
		if (outcome === 'mismatch') return setError(form, 'confirmName', 'Type it exactly as shown.');
		return message(form, { tone: 'success', text: 'The contact has been erased.' });
	}
};
