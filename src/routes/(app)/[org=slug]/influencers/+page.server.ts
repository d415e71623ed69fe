// The influencer board: Cold, Active and Final columns in board order. Moves
// come from drag and drop or the keyboard (posted by the board's script) and,
// without JavaScript, from each card's own small form; all go through one
// action. "Add to list" from the marketplace posts here too.
import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import * as influencers from '$lib/server/influencers';
import * as orgs from '$lib/server/orgs';
import { STATUSES } from '$lib/influencers/pipeline';
import { describeError, throwHttp } from './respond.server';
import type { Actions, PageServerLoad } from './$types';

const boardParams = z.object(
	Object.fromEntries(STATUSES.map((s) => [s, z.string().max(500).optional().catch(undefined)]))
) as z.ZodType<Partial<Record<(typeof STATUSES)[number], string>>>;

export const load: PageServerLoad = async ({ locals, parent, url }) => {
	const { org } = await parent();
	const after = boardParams.parse(Object.fromEntries(url.searchParams));
	return locals
		.db(async (trx) => ({ columns: await influencers.board(trx, org.id, after) }))
		.catch(throwHttp);
};

const addSchema = z.object({
	marketplaceInfluencerId: z.uuid('Pick an influencer from the marketplace.'),
	/** Where to go next: the record (default) or back to the page it was added from. */
	then: z.enum(['record', 'back']).default('record')
});

export const actions: Actions = {
	move: async (event) => {
		const parsed = influencers.moveForm.safeParse(
			Object.fromEntries(await event.request.formData())
		);
		if (!parsed.success)
			return fail(400, { moveError: parsed.error.issues[0]!.message, moved: null });
		const { id, status, after } = parsed.data;
		try {
			await orgs.withOrg(event, (trx, org) => influencers.move(trx, org.id, id, status, after));
		} catch (e) {
			const known = describeError(e);
			if (!known) throw e;
			return fail(known.status === 502 ? 422 : known.status, {
				moveError: known.message,
				moved: id
			});
		}
		return { moved: id, moveError: null };
	},
	addFromMarketplace: async (event) => {
		const parsed = addSchema.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) return fail(400, { addError: parsed.error.issues[0]!.message });
		let result: { id: string; created: boolean };
		try {
			result = await orgs.withOrg(event, (trx, org) =>
				influencers.addFromMarketplace(trx, org.id, parsed.data.marketplaceInfluencerId)
			);
		} catch (e) {
			const known = describeError(e);
			if (!known) throw e;
			return fail(known.status === 502 ? 422 : known.status, { addError: known.message });
		}
		if (parsed.data.then === 'back') return { added: result.id, created: result.created };
		redirect(303, `/${event.params.org}/influencers/${result.id}`);
	}
};
