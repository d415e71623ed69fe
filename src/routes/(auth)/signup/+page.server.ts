import { fail, redirect } from '@sveltejs/kit';
import { message, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import {
	auth,
	AuthFormError,
	callbackUrl,
	failWith,
	safeRedirectPath,
	withoutPasswords
} from '$lib/server/auth';
import type { Actions, PageServerLoad } from './$types';
import { resendSchema, signupSchema } from './schema';

export const load: PageServerLoad = async ({ locals, url }) => {
	const redirectTo = url.searchParams.get('redirectTo') ?? '';
	if (locals.user) redirect(303, safeRedirectPath(redirectTo));
	return {
		// An invitation's sign-up link names the invited address.
		form: await superValidate(
			{ redirectTo, email: (url.searchParams.get('email') ?? '').slice(0, 254) },
			zod4(signupSchema),
			{ errors: false }
		),
		resendForm: await superValidate(zod4(resendSchema), { id: 'resend' })
	};
};

export const actions: Actions = {
	signup: async ({ request, locals, url }) => {
		const form = await superValidate(request, zod4(signupSchema));
		if (!form.valid) return fail(400, { form: withoutPasswords(form) });
		const next = safeRedirectPath(form.data.redirectTo);
		let result: auth.SignUpResult;
		try {
			result = await auth.signUp(locals.supabase, form.data, callbackUrl(url.origin, next));
		} catch (e) {
			if (e instanceof AuthFormError) return failWith(form, e);
			throw e;
		}
		// With email confirmation switched off, the new account is signed in already.
		if (result === 'signed-in') redirect(303, next);
		return message(withoutPasswords(form), {
			tone: 'success',
			text: `We sent a confirmation link to ${form.data.email}.`
		});
	},

	resend: async ({ request, locals, url }) => {
		const form = await superValidate(request, zod4(resendSchema), { id: 'resend' });
		if (!form.valid) return fail(400, { form });
		try {
			await auth.resendConfirmation(locals.supabase, form.data.email, callbackUrl(url.origin, '/'));
		} catch (e) {
			if (e instanceof AuthFormError) return failWith(form, e);
			throw e;
		}
		return message(form, { tone: 'success', text: `We sent another link to ${form.data.email}.` });
	}
};
