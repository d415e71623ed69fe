// Delivery receipts of SMS and WhatsApp messages (Twilio's status callback,
// or the local stand-in's). Only a request signed by the provider is believed
// (X-Twilio-Signature); a campaign text (our reference, the provider's id it
// was sent under) delivered or read records message.delivered once, failed or
// undelivered message.failed once, with the provider's reason. Anything
// unsigned or forged is a 403.
import { error } from '@sveltejs/kit';
import { env } from '$env/dynamic/private';
import * as messaging from '$lib/server/messaging';
import { providerRequest } from '$lib/server/messaging/webhook';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ request, locals, url }) => {
	const adapter = messaging.adapterFromEnv(env);
	if (!adapter) error(404, 'No messaging provider is configured.');
	let receipt: messaging.DeliveryReceipt;
	try {
		receipt = adapter.receipt(
			await providerRequest(request, env.APP_URL ?? env.ORIGIN ?? url.origin)
		);
	} catch (e) {
		if (e instanceof messaging.BadProviderSignature) error(403, e.message);
		throw e;
	}
	await locals.db((trx) => messaging.recordReceipt(trx, receipt));
	return new Response(null, { status: 204 });
};
