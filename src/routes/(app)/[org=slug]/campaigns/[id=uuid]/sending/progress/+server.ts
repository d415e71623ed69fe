// The sending page's poll while a campaign sends: its progress as JSON.
import { json } from '@sveltejs/kit';
import * as orgs from '$lib/server/orgs';
import * as sending from '$lib/server/sending';
import { throwHttp } from '../../../respond.server';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
	const message = await orgs
		.withOrg(event, (trx, org) => sending.get(trx, org.id, event.params.id))
		.catch(throwHttp);
	return json(message, { headers: { 'cache-control': 'no-store' } });
};
