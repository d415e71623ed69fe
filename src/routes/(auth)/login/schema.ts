import { z } from 'zod';
import { currentPassword, email } from '$lib/validation';

export const loginSchema = z.object({
	email,
	password: currentPassword,
	/** Where to go after signing in; checked on the server (same-site paths only). */
	redirectTo: z.string().max(2048).default('')
});

export const resendSchema = z.object({ email });

/** "Email me a sign-in link": the address, and where to go once signed in. */
export const linkSchema = z.object({ email, redirectTo: z.string().max(2048).default('') });
