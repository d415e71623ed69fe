import { error, fail } from '@sveltejs/kit';
import { message, setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { auth, AuthFormError, failWith, requireUser, withoutPasswords } from '$lib/server/auth';
import { mapDbError } from '$lib/server/db';
import * as profiles from '$lib/server/profiles';
import type { Actions, PageServerLoad } from './$types';
import { passwordSchema, profileSchema } from './schema';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const profile = await event.locals.db((trx) => profiles.get(trx, user.id));
	if (!profile) error(404, 'Your profile could not be found.');
	return {
		email: profile.email || user.email,
		profileForm: await superValidate({ fullName: profile.fullName }, zod4(profileSchema), {
			id: 'profile',
			errors: false
		}),
		passwordForm: await superValidate(zod4(passwordSchema), { id: 'password' })
	};
};

export const actions: Actions = {
	profile: async (event) => {
		const user = requireUser(event);
		const form = await superValidate(event.request, zod4(profileSchema), { id: 'profile' });
		if (!form.valid) return fail(400, { form });
		try {
			await event.locals.db((trx) => profiles.update(trx, user.id, form.data));
		} catch (e) {
			if (e instanceof profiles.ProfileNotFoundError) {
				return message(form, { tone: 'error', text: e.message }, { status: 404 });
			}
			const mapped = mapDbError(e);
			if (!mapped) throw e;
			if (mapped.field === 'full_name') {
				return setError(form, 'fullName', mapped.message, { status: mapped.status });
			}
			return message(form, { tone: 'error', text: mapped.message }, { status: mapped.status });
		}
		return message(form, { tone: 'success', text: 'Your name has been saved.' });
	},

	password: async (event) => {
		requireUser(event);
		const form = await superValidate(event.request, zod4(passwordSchema), { id: 'password' });
		if (!form.valid) return fail(400, { form: withoutPasswords(form) });
		try {
			await auth.updatePassword(event.locals.supabase, form.data.password);
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
