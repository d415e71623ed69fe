import { z } from 'zod';

/** Resending or revoking one pending invitation. */
export const invitationIdSchema = z.object({ id: z.uuid() });
