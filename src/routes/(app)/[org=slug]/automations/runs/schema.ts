import { z } from 'zod';
import { Constants } from '$lib/database.types';

export const RUN_STATUS_OPTIONS = Constants.public.Enums.automation_run_status;

/** The runs list's filters, from the query string (empty fields are no filter). */
export const runsQuerySchema = z.object({
	status: z.enum(RUN_STATUS_OPTIONS).optional().catch(undefined),
	automationId: z.uuid().optional().catch(undefined),
	subjectId: z.uuid().optional().catch(undefined),
	after: z.string().max(200).optional()
});

export const runActionSchema = z.object({ runId: z.uuid() });
