// SMS and WhatsApp providers. Use as `import * as messaging from '$lib/server/messaging'`;
// the worker imports the plain modules by path.
export * from './adapter.ts';
export {
	twilioAdapter,
	twilioConfigFromEnv,
	twilioSignature,
	type TwilioConfig
} from './twilio.ts';
import type { MessagingAdapter } from './adapter.ts';
import { twilioAdapter, twilioConfigFromEnv } from './twilio.ts';

/** The configured provider (Twilio by TWILIO_*), or null when none is. */
export function adapterFromEnv(env: NodeJS.ProcessEnv = process.env): MessagingAdapter | null {
	const twilio = twilioConfigFromEnv(env);
	return twilio ? twilioAdapter(twilio) : null;
}
export { handleReply, keywordOf, recordReceipt, type ReceiptOutcome } from './replies.ts';
