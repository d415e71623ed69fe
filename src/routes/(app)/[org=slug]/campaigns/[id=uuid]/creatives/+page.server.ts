// A campaign's creatives: per line of the brief, what is still missing, the
// deliverables with their versions, and their review. Members with
// campaigns.write submit files (uploaded with the Files picker into the
// campaign's folder of `campaign-creatives`); reviewers (campaigns.review)
// approve or ask for changes; both comment. Thin: validate, call the
// creatives module, map its errors and the database's to 4xx answers.
import { fail } from '@sveltejs/kit';
import type { z } from 'zod';
import type { Trx } from '$lib/server/db';
import * as campaigns from '$lib/server/campaigns';
import * as creatives from '$lib/server/creatives';
import * as orgs from '$lib/server/orgs';
import { describeError, throwHttp } from '../../respond.server';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async ({ locals, parent, params }) => {
	const { org } = await parent();
	return locals
		.db(async (trx) => {
			const campaign = await campaigns.get(trx, org.id, params.id);
			const brief = await creatives.load(trx, org.id, params.id);
			return {
				campaign: { id: campaign.id, name: campaign.name, status: campaign.status },
				brief,
				folder: creatives.folderOf(campaign.id),
				today: new Date().toISOString().slice(0, 10)
			};
		})
		.catch(throwHttp);
};

type Kind = 'submit' | 'review' | 'comment';

/** A refusal as the page shows it: which form (kind and key), the field at fault and why. */
function refusal(kind: Kind, key: string, status: number, message: string, field?: string) {
	return fail(status, { kind, key, field: field ?? null, message });
}

async function act<S extends z.ZodType, T>(
	event: RequestEvent,
	kind: Kind,
	schema: S,
	keyOf: (fields: Record<string, string>) => string,
	fn: (input: z.output<S>, trx: Trx, orgId: string, permissions: string[]) => Promise<T>
) {
	const fields = creatives.formFields(await event.request.formData());
	const key = keyOf(fields);
	const parsed = schema.safeParse(fields);
	if (!parsed.success) {
		const issue = parsed.error.issues[0]!;
		return refusal(kind, key, 400, issue.message, String(issue.path[0] ?? ''));
	}
	try {
		await orgs.withOrg(event, async (trx, org, user) => {
			await campaigns.get(trx, org.id, event.params.id);
			return fn(parsed.data, trx, org.id, await orgs.permissionsOf(trx, org.id, user.id));
		});
	} catch (e) {
		if (e instanceof creatives.CreativeInputError)
			return refusal(kind, key, e.status, e.message, e.field);
		if (e instanceof creatives.CreativePermissionError) return refusal(kind, key, 403, e.message);
		const known = describeError(e);
		if (!known) throw e;
		return refusal(kind, key, known.status, known.message, known.field);
	}
	return { kind, key, field: null, message: null, done: true };
}

export const actions: Actions = {
	submit: (event) =>
		act(
			event,
			'submit',
			creatives.submitSchema,
			(f) => f.asset_id || f.requirement_id || '',
			(input, trx, orgId, permissions) => {
				if (!permissions.includes('campaigns.write'))
					throw new creatives.CreativePermissionError(
						'Only people who can edit campaigns can submit creatives.'
					);
				return creatives.submit(trx, orgId, event.params.id, input);
			}
		),
	review: (event) =>
		act(
			event,
			'review',
			creatives.reviewSchema,
			(f) => f.version_id ?? '',
			(input, trx, orgId, permissions) =>
				creatives.review(
					trx,
					orgId,
					event.params.id,
					input,
					permissions.includes('campaigns.review')
				)
		),
	comment: (event) =>
		act(
			event,
			'comment',
			creatives.commentSchema,
			(f) => f.parent_id || f.version_id || '',
			(input, trx, orgId) => creatives.comment(trx, orgId, event.params.id, input)
		)
};
