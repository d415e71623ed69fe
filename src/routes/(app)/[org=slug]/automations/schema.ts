import { z } from 'zod';

/** A new automation: a name now, the graph in the builder. */
export const createSchema = z.object({
	name: z.string().trim().min(1, 'Name the automation.').max(100, 'Use at most 100 characters.'),
	description: z.string().trim().max(500, 'Use at most 500 characters.').default('')
});
