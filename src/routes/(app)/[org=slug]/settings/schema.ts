import { z } from 'zod';

/** Deleting an organization: its name, typed by the person, as a last check. */
export const deleteOrgSchema = z.object({ confirmName: z.string().trim() });
