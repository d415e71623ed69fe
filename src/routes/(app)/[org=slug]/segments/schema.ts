// The segment form: a name, a description and the rule tree (as JSON, from the
// builder). The tree itself is validated by the segments service.
import { z } from 'zod';

export const segmentFormSchema = z.object({
	name: z.string().trim().min(1, 'Name the segment.').max(100, 'Use at most 100 characters.'),
	description: z.string().trim().max(500, 'Use at most 500 characters.').default(''),
	rules: z.string().min(2, 'Add a condition.').max(200_000, 'The rules are too long.')
});
export type SegmentFormData = z.infer<typeof segmentFormSchema>;

export const deleteSegmentSchema = z.object({});

/** The live count's request body. */
export const countRequestSchema = z.object({ rules: z.unknown() });
