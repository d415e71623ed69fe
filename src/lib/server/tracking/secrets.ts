// The app's tracking secrets, from its environment (SvelteKit's $env).
import { env } from '$env/dynamic/private';
import { requireSecret } from './token.ts';

/** TRACKING_SECRET: verifies open and click tokens (the worker signs with the same). */
export function trackingSecret(): string {
	return requireSecret(env.TRACKING_SECRET);
}

/** MESSAGE_WEBHOOK_SECRET: the bounce/complaint webhook's signing secret; null: webhook off. */
export function webhookSecret(): string | null {
	const value = env.MESSAGE_WEBHOOK_SECRET;
	return value && value.length >= 16 ? value : null;
}
