import { fail } from '@sveltejs/kit';
import { message, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { auth, AuthFormError, callbackUrl, failWith } from '$lib/server/auth';
import type { Actions, PageServerLoad } from './$types';
import { forgotPasswordSchema } from './schema';

export const load: PageServerLoad = async ({ url }) => {
	return {
		form: await superValidate(zod4(forgotPasswordSchema)),
		/** Sent here from /reset-password without a recovery session. */
		needsLink: url.searchParams.get('notice') === 'reset-link-needed'
	};
};

export const actions: Actions = {
	default: async ({ request, locals, url }) => {
		const form = await superValidate(request, zod4(forgotPasswordSchema));
		if (!form.valid) return fail(400, { form });
		try {
			await auth.requestPasswordReset(
				locals.supabase,
				form.data.email,
				callbackUrl(url.origin, '/reset-password')
			);
		} catch (e) {
			if (e instanceof AuthFormError) return failWith(form, e);
			throw e;
		}
		// The same answer whether or not the address has an account.
		return message(form, {
			tone: 'success',
			text: `If an account exists for ${form.data.email}, we sent it a link to choose a new password.`
		});
	}
};
