// Delivery receipts of SMS and WhatsApp messages (Twilio's status callback,
// or the local stand-in's). Only a request signed by the provider is believed
// (X-Twilio-Signature); a delivered message with our reference records
// message.delivered once. Anything unsigned or forged is a 403.
import { error } from '@sveltejs/kit';
import { env } from '$env/dynamic/private';
import * as messaging from '$lib/server/messaging';
import { providerRequest } from '$lib/server/messaging/webhook';
import * as tracking from '$lib/server/tracking';
import type { RequestHandler } from './$types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

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
	if (receipt.status === 'delivered' && receipt.reference && UUID.test(receipt.reference)) {
		const reference = receipt.reference;
		await locals.db((trx) => tracking.providerReport(trx, reference, 'delivered', null));
	}
	return new Response(null, { status: 204 });
};
