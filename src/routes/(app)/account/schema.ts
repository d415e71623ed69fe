import { z } from 'zod';
import { fullName, newPassword, passwordsMatch, passwordsMatchError } from '$lib/validation';

export const profileSchema = z.object({ fullName });

export const passwordSchema = z
	.object({ password: newPassword, confirmPassword: z.string() })
	.refine(passwordsMatch, passwordsMatchError);
