// A campaign's Influencers tab: the influencers invited (rate, deliverables,
// status), their content under the creative review, product seeding with a
// CSV import of tracking numbers, and each tracking link and promo code with
// its clicks. Thin: validate with the module's schemas, call the
// collaborations (or creatives) module, map refusals to 4xx with the field.
import { fail } from '@sveltejs/kit';
import type { z } from 'zod';
import * as campaigns from '$lib/server/campaigns';
import * as collaborations from '$lib/server/collaborations';
import * as creatives from '$lib/server/creatives';
import type { Trx } from '$lib/server/db';
import * as orgs from '$lib/server/orgs';
import { actions as creativeActions } from '../creatives/+page.server';
import { currencies, describeError, productOptions, throwHttp } from '../../respond.server';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async ({ locals, parent, params }) => {
	const { org } = await parent();
	return locals
		.db(async (trx) => {
			const campaign = await campaigns.get(trx, org.id, params.id);
			const [list, brief, owners, invitable, products, currencyList] = await Promise.all([
				collaborations.listForCampaign(trx, org.id, campaign.id),
				creatives.load(trx, org.id, campaign.id),
				collaborations.assetOwners(trx, org.id, campaign.id),
				collaborations.inviteOptions(trx, org.id, campaign.id),
				productOptions(trx, org.id),
				currencies(trx)
			]);
			return {
				campaign: {
					id: campaign.id,
					name: campaign.name,
					kind: campaign.kind,
					status: campaign.status,
					currency: campaign.currency
				},
				collaborations: list,
				brief,
				assetOwners: Object.fromEntries(owners),
				invitable,
				products,
				currencies: currencyList,
				folder: creatives.folderOf(campaign.id)
			};
		})
		.catch(throwHttp);
};

type Kind = 'invite' | 'status' | 'link' | 'product' | 'shipment' | 'import';

function refusal(kind: Kind, key: string, status: number, message: string, field?: string) {
	return fail(status, { kind, key, field: field ?? null, message });
}

async function act<S extends z.ZodType, T>(
	event: RequestEvent,
	kind: Kind,
	schema: S,
	fields: Record<string, unknown>,
	key: string,
	fn: (input: z.output<S>, trx: Trx, orgId: string) => Promise<T>
) {
	const parsed = schema.safeParse(fields);
	if (!parsed.success) {
		const issue = parsed.error.issues[0]!;
		return refusal(kind, key, 400, issue.message, String(issue.path[0] ?? ''));
	}
	try {
		const result = await orgs.withOrg(event, async (trx, org, user) => {
			await campaigns.get(trx, org.id, event.params.id);
			if (!(await orgs.permissionsOf(trx, org.id, user.id)).includes('influencers.write'))
				throw new collaborations.CollaborationInputError(
					'',
					'Only people who manage influencers can change collaborations.',
					403
				);
			return fn(parsed.data, trx, org.id);
		});
		return { kind, key, field: null, message: null, done: true, result };
	} catch (e) {
		if (e instanceof collaborations.CollaborationInputError)
			return refusal(kind, key, e.status, e.message, e.field || undefined);
		if (e instanceof collaborations.CollaborationNotFoundError)
			return refusal(kind, key, 404, e.message);
		const known = describeError(e);
		if (!known) throw e;
		return refusal(kind, key, known.status, known.message, known.field);
	}
}

const textFields = (form: FormData) => creatives.formFields(form);

/** The CSV as text: an uploaded file, or text pasted in the box. */
async function csvText(form: FormData): Promise<string> {
	const file = form.get('file');
	if (file instanceof File && file.size > 0) {
		if (file.size > collaborations.trackingImport.MAX_BYTES)
			throw new collaborations.CollaborationInputError(
				'file',
				'The file is larger than 1 MB; split it in parts.',
				422
			);
		return file.text();
	}
	const pasted = form.get('csv');
	return typeof pasted === 'string' ? pasted : '';
}

async function importAction(event: RequestEvent, write: boolean) {
	const form = await event.request.formData();
	let text: string;
	try {
		text = await csvText(form);
	} catch (e) {
		if (e instanceof collaborations.CollaborationInputError)
			return refusal('import', 'import', e.status, e.message, e.field);
		throw e;
	}
	const outcome = await act(
		event,
		'import',
		collaborations.importSchema,
		{ text },
		'import',
		(input, trx, orgId) =>
			write
				? collaborations.trackingImport.apply(trx, orgId, event.params.id, input.text)
				: collaborations.trackingImport
						.preview(trx, orgId, event.params.id, input.text)
						.then((preview) => ({ imported: 0, preview }))
	);
	if ('result' in outcome && outcome.result && write && outcome.result.imported === 0)
		return fail(422, {
			kind: 'import' as const,
			key: 'import',
			field: 'file',
			message: 'Nothing was imported: fix the lines below and try again.',
			result: outcome.result
		});
	return { ...outcome, csv: text.length <= 100_000 ? text : '' };
}

export const actions: Actions = {
	invite: async (event) => {
		const form = await event.request.formData();
		const fields = {
			...textFields(form),
			deliverables: collaborations.deliverablesFrom(form)
		};
		return act(
			event,
			'invite',
			collaborations.inviteSchema,
			fields,
			'invite',
			(input, trx, orgId) => collaborations.invite(trx, orgId, event.params.id, input)
		);
	},
	status: async (event) => {
		const fields = textFields(await event.request.formData());
		return act(
			event,
			'status',
			collaborations.statusSchema,
			fields,
			fields.collaboration_id ?? '',
			(input, trx, orgId) => collaborations.setStatus(trx, orgId, event.params.id, input)
		);
	},
	link: async (event) => {
		const fields = textFields(await event.request.formData());
		return act(
			event,
			'link',
			collaborations.linkSchema,
			fields,
			fields.collaboration_id ?? '',
			(input, trx, orgId) => collaborations.setLink(trx, orgId, event.params.id, input)
		);
	},
	product: async (event) => {
		const fields = textFields(await event.request.formData());
		return act(
			event,
			'product',
			collaborations.productSchema,
			fields,
			fields.collaboration_id ?? '',
			(input, trx, orgId) => collaborations.addProduct(trx, orgId, event.params.id, input)
		);
	},
	shipment: async (event) => {
		const fields = textFields(await event.request.formData());
		return act(
			event,
			'shipment',
			collaborations.shipmentSchema,
			fields,
			fields.seeding_id ?? '',
			(input, trx, orgId) => collaborations.moveProduct(trx, orgId, event.params.id, input)
		);
	},
	previewImport: (event) => importAction(event, false),
	applyImport: (event) => importAction(event, true),
	// The influencer's content goes through the campaign's creative review:
	// the creatives page's own actions (a submission carries the collaboration).
	submit: (event) => creativeActions.submit!(event as never),
	review: (event) => creativeActions.review!(event as never),
	comment: (event) => creativeActions.comment!(event as never)
};
