// A new financial document on a campaign: the form (campaign preselected from
// ?campaign=, or a collaboration from ?collaboration=; an invoice may name the
// purchase order it bills against), then the database numbers and converts it
// (a purchase order without a file gets its generated PDF); a refusal (no
// rate for the currency, an amount out of bounds, dates out of order) comes
// back on its field.
import { fail, redirect } from '@sveltejs/kit';
import { superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { resolve } from '$app/paths';
import { failFromDb } from '$lib/server/db';
import * as finance from '$lib/server/finance';
import * as orgs from '$lib/server/orgs';
import { generatePoPdf } from '../po-file.server';
import { throwHttp } from '../respond.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent, url }) => {
	const { org } = await parent();
	const { campaigns, currency, collaborations, purchaseOrders } = await locals
		.db(async (trx) => ({
			campaigns: await finance.campaignOptions(trx, org.id),
			currency: await finance.baseCurrency(trx, org.id),
			collaborations: await finance.collaborationOptions(trx, org.id),
			purchaseOrders: await finance.purchaseOrderOptions(trx, org.id)
		}))
		.catch(throwHttp);
	// ?collaboration= (from a collaboration) picks its campaign too; else ?campaign=.
	const collaboration = collaborations.find((k) => k.id === url.searchParams.get('collaboration'));
	const preset =
		collaboration?.campaignId ??
		campaigns.find((c) => c.id === url.searchParams.get('campaign'))?.id;
	const form = await superValidate(
		{
			campaignId: preset ?? campaigns[0]?.id,
			collaborationId: collaboration?.id ?? '',
			type: 'po',
			currency: currency as finance.DocumentInput['currency'],
			issueDate: new Date().toISOString().slice(0, 10)
		},
		zod4(finance.documentSchema),
		{ errors: false }
	);
	return { form, campaigns, collaborations, purchaseOrders };
};

export const actions: Actions = {
	default: async (event) => {
		const form = await superValidate(event.request, zod4(finance.documentSchema));
		if (!form.valid) return fail(400, { form });
		let id: string;
		let orgId: string;
		try {
			({ id, orgId } = await orgs.withOrg(event, async (trx, org) => ({
				...(await finance.create(trx, org.id, form.data)),
				orgId: org.id
			})));
		} catch (e) {
			return failFromDb(form, e);
		}
		// A purchase order saved without a file gets its generated PDF. The
		// order is saved either way; the page says when the PDF could not be.
		let pdf = '';
		if (form.data.type === 'po' && !form.data.fileId) {
			pdf = await generatePoPdf(event, orgId, id).then(
				() => '&pdf=1',
				(e: unknown) => {
					if (e instanceof finance.PoFileError) return '&pdf=0';
					throw e;
				}
			);
		}
		redirect(
			303,
			`${resolve('/(app)/[org=slug]/finance/[id=uuid]', { org: event.params.org, id })}?created=1${pdf}`
		);
	}
};
