// The wizard's live reach of several saved audiences together: a contact in
// two of them is one person to message, so the count is of the union, not a
// sum (counted by the database, under RLS).
import { error, json } from '@sveltejs/kit';
import * as audiences from '$lib/server/audiences';
import * as orgs from '$lib/server/orgs';
import { audiencesReachRequestSchema } from '$lib/schemas/audiences';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async (event) => {
	const body = audiencesReachRequestSchema.safeParse(await event.request.json().catch(() => null));
	if (!body.success) error(400, 'Send { "audiences": [audience ids], "channel": "email" }.');
	const { audiences: ids, channel } = body.data;
	const count = await orgs.withOrg(event, (trx, org) =>
		audiences.audiencesReach(trx, org.id, ids, channel)
	);
	return json({ count });
};
