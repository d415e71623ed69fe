// An influencer's tracking link. Public: the code names one collaboration and
// the redirect goes only to the https destination stored for it (nothing in
// the request is ever used as a destination, so this is no open redirect).
// An unknown code is a 404 and records nothing. The visitor keeps a random id
// in a first-party cookie for 30 days, so an order can be attributed to the
// last link they followed (rules in private.attribute_conversion()).
import { error, redirect } from '@sveltejs/kit';
import * as collaborations from '$lib/server/collaborations';
import type { RequestHandler } from './$types';

const VISITOR = 'gd_visitor';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const THIRTY_DAYS = 30 * 24 * 3600;

export const GET: RequestHandler = async ({ params, locals, cookies, setHeaders }) => {
	const known = cookies.get(VISITOR);
	const visitor = known && UUID.test(known) ? known : crypto.randomUUID();
	const url = await locals.db((trx) => collaborations.click(trx, params.code, visitor));
	if (!url) error(404, 'This link is not valid or no longer available.');
	cookies.set(VISITOR, visitor, {
		path: '/r',
		maxAge: THIRTY_DAYS,
		httpOnly: true,
		sameSite: 'lax'
	});
	setHeaders({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
	redirect(302, url);
};
