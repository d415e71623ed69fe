import { z } from 'zod';

/** Removing someone else from the organization. */
export const removeMemberSchema = z.object({ userId: z.uuid() });

/** Leaving it yourself: nothing to fill in. */
export const leaveSchema = z.object({});
