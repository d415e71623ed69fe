// Input of the automation services (forms and the builder), checked with zod.
import { z } from 'zod';
import { Constants } from '../../database.types.ts';
import { shallow } from '../../json-bounds.ts';

export const automationInputSchema = z.object({
	name: z.string().trim().min(1, 'Name the automation.').max(100, 'Use at most 100 characters.'),
	description: z.string().trim().max(500, 'Use at most 500 characters.').default('')
});
export type AutomationInput = z.input<typeof automationInputSchema>;

/**
 * A draft is saved as the builder has it (checked at activation); only its
 * depth and size are limited here.
 */
export const draftSchema = shallow(
	z
		.record(z.string(), z.unknown())
		.refine((d) => JSON.stringify(d).length <= 500_000, 'The definition is too large.'),
	'The definition is nested too deep.'
);

export const runFilterSchema = z.object({
	automationId: z.uuid().optional(),
	status: z.enum(Constants.public.Enums.automation_run_status).optional(),
	/** The run's subject (a contact id). */
	subjectId: z.uuid().optional(),
	version: z.coerce.number().int().positive().optional(),
	/** ISO times: runs started at or after / before. */
	from: z.iso.datetime({ offset: true }).optional(),
	to: z.iso.datetime({ offset: true }).optional(),
	/** The cursor of the previous page. */
	after: z.string().max(200).optional(),
	limit: z.coerce.number().int().min(1).max(200).default(50)
});
export type RunFilter = z.input<typeof runFilterSchema>;

export { secretInputSchema, type SecretInput } from '../../automations/secrets.ts';
