// An influencer's record: details and handles (edit), pipeline column, notes,
// outreach email from a template and its history; the campaigns they work on
// (the collaborations module's listForInfluencer). Delete asks for confirmation.
import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import * as collaborations from '$lib/server/collaborations';
import * as influencers from '$lib/server/influencers';
import * as mail from '$lib/server/mail';
import * as orgs from '$lib/server/orgs';
import * as templates from '$lib/server/templates';
import { requireUser } from '$lib/server/auth';
import { formFailure, readForm } from '../form.server';
import { ownerOptions } from '../owners.server';
import { describeError, throwHttp } from '../respond.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent, params }) => {
	const { org } = await parent();
	return locals
		.db(async (trx) => {
			const influencer = await influencers.get(trx, org.id, params.id);
			const [history, owners, library, campaigns] = await Promise.all([
				influencers.outreach.history(trx, org.id, params.id),
				ownerOptions(trx, org.id),
				templates.library(trx, org.id, templates.libraryFilter.parse({ channel: 'email' })),
				collaborations.listForInfluencer(trx, org.id, params.id)
			]);
			const emailTemplates = [...library.own, ...library.readyMade]
				.filter((t) => t.channel === 'email')
				.map((t) => ({
					id: t.id,
					name: t.readyMade ? `${t.name} (ready-made)` : t.name,
					subject: t.subject ?? ''
				}));
			return { influencer, history, owners, emailTemplates, campaigns };
		})
		.catch(throwHttp);
};

const statusForm = z.object({ status: influencers.statusSchema });

export const actions: Actions = {
	save: async (event) => {
		const read = readForm(await event.request.formData());
		if (!read.ok) return read.failure;
		try {
			await orgs.withOrg(event, (trx, org) =>
				influencers.update(trx, org.id, event.params.id, read.input)
			);
		} catch (e) {
			return formFailure(e, read.values);
		}
		return { saved: true };
	},
	status: async (event) => {
		const parsed = statusForm.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) return fail(400, { statusError: 'Choose a column.' });
		try {
			await orgs.withOrg(event, (trx, org) =>
				influencers.move(trx, org.id, event.params.id, parsed.data.status, null)
			);
		} catch (e) {
			const known = describeError(e);
			if (!known) throw e;
			return fail(known.status === 502 ? 422 : known.status, { statusError: known.message });
		}
		return { statusChanged: true };
	},
	outreach: async (event) => {
		const values = Object.fromEntries(await event.request.formData());
		const parsed = influencers.outreachForm.safeParse(values);
		if (!parsed.success)
			return fail(400, {
				outreachError: parsed.error.issues[0]!.message,
				outreachField: String(parsed.error.issues[0]!.path[0] ?? ''),
				outreachValues: values
			});
		const user = requireUser(event);
		try {
			const org = await orgs.withOrg(event, (_trx, o) => Promise.resolve(o));
			await influencers.outreach.send((fn) => event.locals.db(fn), mail.getMailer(), {
				orgId: org.id,
				orgName: org.name,
				influencerId: event.params.id,
				templateId: parsed.data.templateId,
				subject: parsed.data.subject,
				sender: { email: user.email, name: null }
			});
		} catch (e) {
			const known = describeError(e);
			if (!known) throw e;
			return fail(known.status === 502 ? 503 : known.status, {
				outreachError: known.message,
				outreachField: known.field ?? '',
				outreachValues: values
			});
		}
		return { outreachSent: true };
	},
	delete: async (event) => {
		const confirm = (await event.request.formData()).get('confirm');
		if (confirm !== 'yes') return fail(400, { deleteError: 'Confirm the deletion.' });
		try {
			await orgs.withOrg(event, (trx, org) => influencers.remove(trx, org.id, event.params.id));
		} catch (e) {
			const known = describeError(e);
			if (!known) throw e;
			return fail(known.status === 502 ? 422 : known.status, { deleteError: known.message });
		}
		redirect(303, `/${event.params.org}/influencers`);
	}
};
