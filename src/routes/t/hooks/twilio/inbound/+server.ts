// Replies people send to the SMS/WhatsApp number (Twilio's inbound webhook,
// or the local stand-in's). Verified by X-Twilio-Signature (403 otherwise)
// and acknowledged with an empty TwiML answer: nothing is sent back (the
// provider confirms STOP/START itself, as Twilio's opt-out handling does).
// A reply STOP (or STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT) withdraws that
// channel's consent of the contacts the number was texted as; START / UNSTOP
// grants it again. Other replies are for the inbox module.
import { error } from '@sveltejs/kit';
import { env } from '$env/dynamic/private';
import * as messaging from '$lib/server/messaging';
import { providerRequest } from '$lib/server/messaging/webhook';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ request, url, locals }) => {
	const adapter = messaging.adapterFromEnv(env);
	if (!adapter) error(404, 'No messaging provider is configured.');
	let reply: messaging.InboundReply;
	try {
		reply = adapter.inbound(
			await providerRequest(request, env.APP_URL ?? env.ORIGIN ?? url.origin)
		);
	} catch (e) {
		if (e instanceof messaging.BadProviderSignature) error(403, e.message);
		throw e;
	}
	await locals.db((trx) => messaging.handleReply(trx, reply));
	return new Response('<?xml version="1.0" encoding="UTF-8"?><Response></Response>', {
		headers: { 'content-type': 'text/xml' }
	});
};
