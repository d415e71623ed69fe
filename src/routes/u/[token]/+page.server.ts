// The unsubscribe link of a marketing email. Public: the signed token is the
// only authority. GET only asks to confirm (link scanners follow links); a POST
// (the button, or a mail client's RFC 8058 one-click POST) unsubscribes.
import { error } from '@sveltejs/kit';
import * as unsubscribe from '$lib/server/unsubscribe';
import type { Actions, PageServerLoad } from './$types';

function readOr400(token: string) {
	try {
		return unsubscribe.read(token);
	} catch (e) {
		if (e instanceof unsubscribe.BadTokenError) error(400, e.message);
		throw e;
	}
}

export const load: PageServerLoad = async ({ params, locals }) => {
	const claims = readOr400(params.token);
	try {
		return { orgName: await locals.db((trx) => unsubscribe.orgName(trx, claims)) };
	} catch (e) {
		if (e instanceof unsubscribe.BadTokenError) error(400, e.message);
		throw e;
	}
};

export const actions: Actions = {
	default: async ({ params, locals }) => {
		const claims = readOr400(params.token);
		try {
			return { unsubscribed: await locals.db((trx) => unsubscribe.confirm(trx, claims)) };
		} catch (e) {
			if (e instanceof unsubscribe.BadTokenError) error(400, e.message);
			throw e;
		}
	}
};
