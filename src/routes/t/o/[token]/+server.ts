// The open pixel of a campaign email. Public: the signed token is the only
// authority. A token that does not verify is a 400 and records nothing.
import { error } from '@sveltejs/kit';
import * as tracking from '$lib/server/tracking';
import { trackingSecret } from '$lib/server/tracking/secrets';
import type { RequestHandler } from './$types';

/** A transparent 1×1 GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

export const GET: RequestHandler = async ({ params, locals }) => {
	const secret = trackingSecret();
	if (!secret) error(404, 'Tracking is not set up.');
	const claims = tracking.verify(secret, params.token);
	if (claims?.kind !== 'open') error(400, 'This tracking link is not valid.');
	const known = await locals.db((trx) => tracking.open(trx, claims.recipientId));
	if (!known) error(404, 'This message is not known.');
	return new Response(new Uint8Array(PIXEL), {
		headers: {
			'content-type': 'image/gif',
			// Every open must reach us; a cached pixel would hide the second one.
			'cache-control': 'no-store, max-age=0',
			'referrer-policy': 'no-referrer'
		}
	});
};
