// A tracked link of a campaign email. Public: the signed token names the
// message and the position of one of its campaign's registered links; the
// redirect goes only there (no URL is taken from the request, so this is no
// open redirect). A token that does not verify is a 400 and records nothing.
import { error, redirect } from '@sveltejs/kit';
import * as tracking from '$lib/server/tracking';
import { trackingSecret } from '$lib/server/tracking/secrets';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ params, locals, setHeaders }) => {
	const secret = trackingSecret();
	if (!secret) error(404, 'Tracking is not set up.');
	const claims = tracking.verify(secret, params.token);
	if (claims?.kind !== 'click') error(400, 'This link is not valid. It may have been cut short.');
	const url = await locals.db((trx) => tracking.click(trx, claims.recipientId, claims.link));
	if (!url) error(404, 'This link is no longer available.');
	setHeaders({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
	redirect(302, url);
};
