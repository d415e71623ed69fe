// Form plumbing shared by the auth and account actions.
import type { SuperValidated } from 'sveltekit-superforms';
import { message, setError } from 'sveltekit-superforms';
import type { FormPathLeavesWithErrors } from 'sveltekit-superforms';
import type { FormMessage } from '$lib/forms';
import type { AuthFormError } from './errors';

type Form<T extends Record<string, unknown>> = SuperValidated<T, FormMessage>;

/**
 * Passwords are never sent back to the browser: a failed form keeps everything
 * else the person typed.
 */
export function withoutPasswords<T extends Record<string, unknown>>(form: Form<T>): Form<T> {
	const data: Record<string, unknown> = form.data;
	for (const key of Object.keys(data)) {
		if (/password/i.test(key)) data[key] = '';
	}
	return form;
}

/** An Auth failure, as a field error when the Auth server names one, else a form message. */
export function failWith<T extends Record<string, unknown>>(form: Form<T>, error: AuthFormError) {
	withoutPasswords(form);
	if (error.field && error.field in form.data) {
		return setError(form, error.field as FormPathLeavesWithErrors<T>, error.message, {
			status: error.status
		});
	}
	return message(
		form,
		{ tone: 'error', text: error.message, action: error.action },
		{ status: error.status }
	);
}
