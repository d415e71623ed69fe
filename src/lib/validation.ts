// Field rules shared by the forms (client-side validation) and the server
// (the same schemas run again in every action). No server imports here: route
// schemas import this file and are bundled for the browser too.
import { z } from 'zod';

/** bcrypt, which Supabase Auth uses, ignores everything after 72 bytes. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 72;
export const FULL_NAME_MAX = 120;

export const email = z
	.string()
	.trim()
	.min(1, 'Enter your email address.')
	.max(254, 'That email address is too long.')
	.pipe(z.email('Enter a valid email address, like name@example.com.'));

/** A password someone is signing in with: any non-empty value is worth trying. */
export const currentPassword = z
	.string()
	.min(1, 'Enter your password.')
	.max(PASSWORD_MAX, `Passwords are at most ${PASSWORD_MAX} characters.`);

/** A password someone is choosing. The Auth server may add its own rules (see weak_password). */
export const newPassword = z
	.string()
	.min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters.`)
	.max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters.`);

export const fullName = z
	.string()
	.trim()
	.min(1, 'Enter your name.')
	.max(FULL_NAME_MAX, `Use at most ${FULL_NAME_MAX} characters.`);

/** Adds "confirmPassword must equal password" to a schema with both fields. */
export function passwordsMatch(data: { password: string; confirmPassword: string }): boolean {
	return data.password === data.confirmPassword;
}
export const passwordsMatchError = {
	message: 'The passwords do not match.',
	path: ['confirmPassword']
};
