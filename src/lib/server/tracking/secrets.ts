// The app's tracking secrets, from its environment (SvelteKit's $env).
import { env } from '$env/dynamic/private';

/**
 * TRACKING_SECRET: verifies open and click tokens (the worker signs with the
 * same); null when unset or too short (the routes then answer 404: no token
 * can be genuine).
 */
export function trackingSecret(): string | null {
	const value = env.TRACKING_SECRET;
	return value && value.length >= 16 ? value : null;
}

/** MESSAGE_WEBHOOK_SECRET: the bounce/complaint webhook's signing secret; null: webhook off. */
export function webhookSecret(): string | null {
	const value = env.MESSAGE_WEBHOOK_SECRET;
	return value && value.length >= 16 ? value : null;
}
