// The template editor: the block editor for email (or the text and counter for
// SMS and WhatsApp), save with every problem shown at its block, preview with a
// chosen contact's data (preview/+server.ts), and "send a test to me".
import { fail } from '@sveltejs/kit';
import * as contacts from '$lib/server/contacts';
import * as mail from '$lib/server/mail';
import * as orgs from '$lib/server/orgs';
import * as templates from '$lib/server/templates';
import { insertableTags } from '$lib/templates/merge-tags';
import { describeError, throwHttp } from '../respond.server';
import { readPayload } from './payload.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent, params }) => {
	const { org } = await parent();
	return locals
		.db(async (trx) => {
			const [template, fields, folders, people] = await Promise.all([
				templates.get(trx, org.id, params.id),
				contacts.listFields(trx, org.id),
				templates.folders.list(trx, org.id),
				templates.contactsToPreview(trx, org.id)
			]);
			return {
				template,
				tags: insertableTags(fields),
				folders: folders.map((f) => ({ id: f.id, name: f.name })),
				people
			};
		})
		.catch(throwHttp);
};

function failWith(e: unknown) {
	const known = describeError(e);
	if (!known) throw e;
	return fail(known.status, {
		message: known.message,
		issues:
			known.issues ??
			(known.field ? [{ blockId: null, field: known.field, message: known.message }] : [])
	});
}

export const actions: Actions = {
	save: async (event) => {
		const read = await readPayload(event.request);
		if (!read.ok)
			return fail(400, {
				message: read.problem.message,
				issues: [{ blockId: null, ...read.problem }]
			});
		try {
			await orgs.withOrg(event, (trx, org) =>
				templates.save(trx, org.id, event.params.id, read.data)
			);
		} catch (e) {
			return failWith(e);
		}
		return { saved: true };
	},
	test: async (event) => {
		const read = await readPayload(event.request);
		if (!read.ok)
			return fail(400, {
				message: read.problem.message,
				issues: [{ blockId: null, ...read.problem }]
			});
		const input = read.data;
		let to = '';
		try {
			await orgs.withOrg(event, async (trx, org, user) => {
				to = user.email;
				const template = await templates.get(trx, org.id, event.params.id);
				if (template.channel !== 'email') throw new templates.TemplateReadOnlyError();
				const { document, issues } = await templates.check(trx, org.id, 'email', input);
				if (!document) throw new templates.TemplateInvalidError(issues);
				const vars = await templates.varsFor(trx, org.id, org.name, input.contactId);
				const preview = await templates.previewEmail(
					document,
					{ subject: input.subject, preheader: input.preheader },
					vars
				);
				await templates.sendTest(mail.getMailer(), user.email, org.name, preview, issues);
			});
		} catch (e) {
			if (e instanceof mail.MailNotSentError) return fail(503, { message: e.message, issues: [] });
			return failWith(e);
		}
		return { sentTo: to };
	}
};
