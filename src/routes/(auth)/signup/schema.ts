import { z } from 'zod';
import { email, fullName, newPassword, passwordsMatch, passwordsMatchError } from '$lib/validation';

export const signupSchema = z
	.object({
		fullName,
		email,
		password: newPassword,
		confirmPassword: z.string(),
		/** Where to go once signed in; checked on the server (same-site paths only). */
		redirectTo: z.string().max(2048).default('')
	})
	.refine(passwordsMatch, passwordsMatchError);

export const resendSchema = z.object({ email });
