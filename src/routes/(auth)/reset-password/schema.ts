import { z } from 'zod';
import { newPassword, passwordsMatch, passwordsMatchError } from '$lib/validation';

export const resetPasswordSchema = z
	.object({ password: newPassword, confirmPassword: z.string() })
	.refine(passwordsMatch, passwordsMatchError);
