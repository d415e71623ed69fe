// The code from an Auth email, typed in: for people who read mail on another device
// than the one they sign in on (the emails offer the link and the code).
import { fail, redirect } from '@sveltejs/kit';
import { superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { auth, AuthFormError, failWith, safeRedirectPath } from '$lib/server/auth';
import type { Actions, PageServerLoad } from './$types';
import { verifySchema } from './schema';

export const load: PageServerLoad = async ({ url }) => {
	const type = url.searchParams.get('type');
	const start = {
		email: (url.searchParams.get('email') ?? '').slice(0, 254),
		type: (auth.EMAIL_CODE_TYPES as readonly string[]).includes(type ?? '')
			? (type as auth.EmailCodeType)
			: 'magiclink',
		redirectTo: url.searchParams.get('redirectTo') ?? ''
	};
	return {
		form: await superValidate(start, zod4(verifySchema), { errors: false }),
		/** Sent here by "Email me a sign-in link". */
		linkSent: url.searchParams.get('notice') === 'link-sent'
	};
};

export const actions: Actions = {
	default: async ({ request, locals }) => {
		const form = await superValidate(request, zod4(verifySchema));
		if (!form.valid) return fail(400, { form });
		try {
			await auth.verifyEmailCode(locals.supabase, form.data);
		} catch (e) {
			if (e instanceof AuthFormError) return failWith(form, e);
			throw e;
		}
		redirect(
			303,
			form.data.type === 'recovery' ? '/reset-password' : safeRedirectPath(form.data.redirectTo)
		);
	}
};
