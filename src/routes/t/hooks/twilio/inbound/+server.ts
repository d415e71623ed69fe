// Replies people send to the SMS/WhatsApp number (Twilio's inbound webhook,
// or the local stand-in's). Verified by X-Twilio-Signature (403 otherwise)
// and acknowledged with an empty TwiML answer: nothing is sent back. Acting
// on replies (STOP, a shared inbox) is for the inbox module.
import { error } from '@sveltejs/kit';
import { env } from '$env/dynamic/private';
import * as messaging from '$lib/server/messaging';
import { providerRequest } from '$lib/server/messaging/webhook';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ request, url }) => {
	const adapter = messaging.adapterFromEnv(env);
	if (!adapter) error(404, 'No messaging provider is configured.');
	try {
		adapter.inbound(await providerRequest(request, env.APP_URL ?? env.ORIGIN ?? url.origin));
	} catch (e) {
		if (e instanceof messaging.BadProviderSignature) error(403, e.message);
		throw e;
	}
	return new Response('<?xml version="1.0" encoding="UTF-8"?><Response></Response>', {
		headers: { 'content-type': 'text/xml' }
	});
};
