import { z } from 'zod';
import { email } from '$lib/validation';

/** What each email's code is for, in the words of the page that asks for it. */
export const CODE_PURPOSES = {
	signup: 'confirm your email address',
	magiclink: 'sign in',
	recovery: 'choose a new password',
	email_change: 'confirm your new email address'
} as const;

export const verifySchema = z.object({
	email,
	code: z
		.string()
		.trim()
		.transform((v) => v.replace(/\s+/g, ''))
		.pipe(z.string().regex(/^\d{6,10}$/, 'Enter the code from the email (digits only).')),
	type: z.enum(['signup', 'magiclink', 'recovery', 'email_change']).default('magiclink'),
	/** Where to go once verified; checked on the server (same-site paths only). */
	redirectTo: z.string().max(2048).default('')
});
