import { z } from 'zod';

/** Subscribing a URL to event types. */
export const subscribeSchema = z.object({
	url: z
		.string()
		.trim()
		.min(1, 'Enter the URL to post to.')
		.max(2000, 'That URL is too long.')
		.regex(/^https?:\/\//, 'Enter an http(s) URL.'),
	description: z.string().trim().max(200, 'Use at most 200 characters.').default(''),
	eventTypes: z.array(z.string()).min(1, 'Choose at least one event.').max(100)
});

export const subscriptionIdSchema = z.object({ id: z.uuid() });
export const deliveryIdSchema = z.object({ id: z.string().regex(/^\d{1,19}$/) });
