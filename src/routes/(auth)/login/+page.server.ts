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
import { noticeFor } from './notices';
import { linkSchema, loginSchema, resendSchema } from './schema';

/** The address an invitation (or another page) names, to start the form with. */
function invitedEmail(url: URL): string {
	return (url.searchParams.get('email') ?? '').slice(0, 254);
}

export const load: PageServerLoad = async ({ locals, url }) => {
	const redirectTo = url.searchParams.get('redirectTo') ?? '';
	if (locals.user) redirect(303, safeRedirectPath(redirectTo));
	return {
		form: await superValidate({ redirectTo, email: invitedEmail(url) }, zod4(loginSchema), {
			errors: false
		}),
		resendForm: await superValidate(zod4(resendSchema), { id: 'resend' }),
		linkForm: await superValidate(zod4(linkSchema), { id: 'link' }),
		notice: noticeFor(url.searchParams.get('notice'))
	};
};

export const actions: Actions = {
	signin: async ({ request, locals }) => {
		const form = await superValidate(request, zod4(loginSchema));
		if (!form.valid) return fail(400, { form: withoutPasswords(form) });
		try {
			await auth.signIn(locals.supabase, form.data);
		} catch (e) {
			if (e instanceof AuthFormError) return failWith(form, e);
			throw e;
		}
		redirect(303, safeRedirectPath(form.data.redirectTo));
	},

	/** A sign-in link and code by email, for people who would rather not type a password. */
	link: async ({ request, locals, url }) => {
		const form = await superValidate(request, zod4(linkSchema), { id: 'link' });
		if (!form.valid) return fail(400, { form });
		const next = safeRedirectPath(form.data.redirectTo);
		try {
			await auth.sendSignInLink(locals.supabase, form.data.email, callbackUrl(url.origin, next));
		} catch (e) {
			if (e instanceof AuthFormError) return failWith(form, e);
			throw e;
		}
		const verify = new URLSearchParams({
			email: form.data.email,
			type: 'magiclink',
			redirectTo: next
		});
		redirect(303, `/verify?${verify}&notice=link-sent`);
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
		return message(form, {
			tone: 'success',
			text: `We sent a new confirmation link to ${form.data.email}.`
		});
	}
};
