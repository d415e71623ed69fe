// The audience form's live reach: how many contacts the chosen segments reach
// on a channel, with consent (counted by the database, under RLS).
import { error, json } from '@sveltejs/kit';
import * as audiences from '$lib/server/audiences';
import * as orgs from '$lib/server/orgs';
import { reachRequestSchema } from '$lib/schemas/audiences';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async (event) => {
	const body = reachRequestSchema.safeParse(await event.request.json().catch(() => null));
	if (!body.success)
		error(400, 'Send { "include": [segment ids], "exclude": [segment ids], "channel": "email" }.');
	const { include, exclude, channel } = body.data;
	const count = await orgs.withOrg(event, (trx, org) =>
		audiences.reach(trx, org.id, include, exclude, channel)
	);
	return json({ count });
};
