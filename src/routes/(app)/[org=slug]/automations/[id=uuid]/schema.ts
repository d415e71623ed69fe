import { z } from 'zod';
import { jsonDepth, MAX_JSON_DEPTH } from '$lib/json-bounds';

/** The builder posts its draft as JSON text (checked in full at activation). */
export const draftFormSchema = z.object({
	definition: z
		.string()
		.max(600_000, 'The definition is too large.')
		.transform((text, ctx) => {
			try {
				const value: unknown = JSON.parse(text);
				if (jsonDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
					ctx.addIssue({ code: 'custom', message: 'The definition is nested too deep.' });
					return z.NEVER;
				}
				if (value && typeof value === 'object' && !Array.isArray(value)) {
					return value as Record<string, unknown>;
				}
			} catch {
				// reported below
			}
			ctx.addIssue({ code: 'custom', message: 'The definition is not valid JSON.' });
			return z.NEVER;
		})
});

export const detailsSchema = z.object({
	name: z.string().trim().min(1, 'Name the automation.').max(100, 'Use at most 100 characters.'),
	description: z.string().trim().max(500, 'Use at most 500 characters.').default('')
});

export const deactivateSchema = z.object({
	status: z.enum(['draft', 'archived']),
	cancelRuns: z.stringbool().default(false)
});

export const runSchema = z.object({
	contactId: z.union([z.uuid('Enter a contact id.'), z.literal('')]).default('')
});
