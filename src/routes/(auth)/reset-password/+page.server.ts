import { fail, redirect } from '@sveltejs/kit';
import { message, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { auth, AuthFormError, failWith, withoutPasswords } from '$lib/server/auth';
import type { Actions, PageServerLoad } from './$types';
import { resetPasswordSchema } from './schema';

// Reached through a recovery link, which signs the person in (/auth/callback or
// /auth/confirm); without that session there is no password to change here.
const NEEDS_LINK = '/forgot-password?notice=reset-link-needed';

export const load: PageServerLoad = async ({ locals }) => {
	if (!locals.user) redirect(303, NEEDS_LINK);
	return {
		email: locals.user.email,
		form: await superValidate(zod4(resetPasswordSchema))
	};
};

export const actions: Actions = {
	default: async ({ request, locals }) => {
		if (!locals.user) redirect(303, NEEDS_LINK);
		const form = await superValidate(request, zod4(resetPasswordSchema));
		if (!form.valid) return fail(400, { form: withoutPasswords(form) });
		try {
			await auth.updatePassword(locals.supabase, form.data.password);
		} catch (e) {
			if (e instanceof AuthFormError) return failWith(form, e);
			throw e;
		}
		return message(withoutPasswords(form), {
			tone: 'success',
			text: 'Your password has been changed.'
		});
	}
};
