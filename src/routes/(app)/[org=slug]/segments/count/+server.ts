// The segment builder's live count: how many contacts match a rule tree now.
// A rule that does not fit is a 422 listing every problem with its path, so the
// builder shows each next to its condition.
import { error, json } from '@sveltejs/kit';
import * as orgs from '$lib/server/orgs';
import * as segments from '$lib/server/segments';
import { throwHttp } from '../../contacts/respond.server';
import { countRequestSchema } from '../schema';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async (event) => {
	const body = countRequestSchema.safeParse(await event.request.json().catch(() => null));
	if (!body.success) error(400, 'Send the rules as JSON: { "rules": … }.');
	try {
		const count = await orgs.withOrg(event, (trx, org) =>
			segments.countMatching(trx, org.id, body.data.rules)
		);
		return json({ count });
	} catch (e) {
		if (e instanceof segments.SegmentRuleError)
			return json({ message: e.message, issues: e.issues }, { status: 422 });
		throwHttp(e);
	}
};
