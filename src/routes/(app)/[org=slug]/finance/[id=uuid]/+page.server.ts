// A financial document: its amounts and conversion, its file, the decisions
// so far, and the actions the database allows this person (approve or
// reject while it waits, mark paid once approved). Refusals (your own
// document, deciding twice, over the campaign budget, paying a rejected
// document) come back with the database's reason. A purchase order's PDF is
// generated on request while it waits (or when it has no file).
import { error, fail } from '@sveltejs/kit';
import { superValidate, message } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { failFromDb, mapDbError } from '$lib/server/db';
import * as finance from '$lib/server/finance';
import * as orgs from '$lib/server/orgs';
import { generatePoPdf } from '../po-file.server';
import { throwHttp } from '../respond.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent, params }) => {
	const { org } = await parent();
	const found = await locals
		.db(async (trx) => {
			const document = await finance.get(trx, org.id, params.id);
			if (!document) return null;
			const [decisions, file] = await Promise.all([
				finance.decisions(trx, org.id, document.id),
				finance.fileOf(trx, org.id, document.fileId)
			]);
			return { document, decisions, file };
		})
		.catch(throwHttp);
	if (!found) error(404, 'Document not found.');
	return {
		...found,
		decideForm: await superValidate(zod4(finance.decisionSchema), { id: 'decide' }),
		paidForm: await superValidate(zod4(finance.paidSchema), { id: 'paid' })
	};
};

export const actions: Actions = {
	decide: async (event) => {
		const form = await superValidate(event.request, zod4(finance.decisionSchema), { id: 'decide' });
		if (!form.valid) return fail(400, { form });
		try {
			const status = await orgs.withOrg(event, (trx) =>
				finance.decide(trx, event.params.id, form.data.decision, form.data.comment)
			);
			return message(form, {
				tone: 'success',
				text:
					status === 'pending'
						? 'Your approval is recorded; the document needs more approvals.'
						: status === 'approved'
							? 'Approved.'
							: 'Rejected.'
			});
		} catch (e) {
			return failFromDb(form, e);
		}
	},
	// Generates (or, while it waits, generates again) a purchase order's PDF.
	pdf: async (event) => {
		try {
			const orgId = await orgs.withOrg(event, (_trx, org) => Promise.resolve(org.id));
			await generatePoPdf(event, orgId, event.params.id);
		} catch (e) {
			if (e instanceof finance.PoFileError) return fail(422, { pdfError: e.message });
			if (e instanceof finance.DocumentNotFoundError) error(404, e.message);
			const mapped = mapDbError(e);
			if (mapped) return fail(mapped.status, { pdfError: mapped.message });
			throw e;
		}
		return { pdfDone: true };
	},
	paid: async (event) => {
		const form = await superValidate(event.request, zod4(finance.paidSchema), { id: 'paid' });
		if (!form.valid) return fail(400, { form });
		try {
			await orgs.withOrg(event, (trx) =>
				finance.markPaid(trx, event.params.id, form.data.paidDate || null)
			);
			return message(form, { tone: 'success', text: 'Marked paid.' });
		} catch (e) {
			return failFromDb(form, e);
		}
	}
};
