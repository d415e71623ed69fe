import { z } from 'zod';
import { secretInputSchema } from '$lib/automations/secrets';

/** Saving a new secret: its name and value. */
export const addSecretSchema = secretInputSchema;

/** A new value for a saved secret (the name stays: steps refer to it). */
export const replaceSecretSchema = z.object({
	id: z.uuid('Choose a secret.'),
	value: secretInputSchema.shape.value
});

export const deleteSecretSchema = z.object({ id: z.uuid('Choose a secret.') });
