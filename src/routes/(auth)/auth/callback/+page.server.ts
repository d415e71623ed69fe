// Where Auth emails land. The Auth server redirects here with `?code=` (PKCE),
// `?error=…`, or tokens in the URL fragment (implicit flow), which only the
// browser can read: the page then posts them to the `session` action.
import { fail, redirect } from '@sveltejs/kit';
import { auth, AuthFormError, linkErrorUrl, safeRedirectPath } from '$lib/server/auth';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url, locals }) => {
	const next = safeRedirectPath(url.searchParams.get('next'));
	const failed = url.searchParams.get('error_code') ?? url.searchParams.get('error');
	if (failed) redirect(303, linkErrorUrl(failed));

	const code = url.searchParams.get('code');
	if (!code) return { next };

	let target = next;
	try {
		await auth.exchangeCode(locals.supabase, code);
	} catch (e) {
		if (!(e instanceof AuthFormError)) throw e;
		// Opened in another browser than the one that asked: a confirmation link has
		// still confirmed the address (the Auth server did that before redirecting),
		// so signing in works; a recovery link must be requested again from here.
		const otherBrowser = e.code === 'pkce_code_verifier_not_found';
		target =
			otherBrowser && next !== '/reset-password'
				? `/login?notice=confirmed&redirectTo=${encodeURIComponent(next)}`
				: linkErrorUrl(e.code);
	}
	redirect(303, target);
};

export const actions: Actions = {
	session: async ({ request, locals }) => {
		const data = await request.formData();
		const accessToken = data.get('access_token');
		const refreshToken = data.get('refresh_token');
		const next = data.get('next');
		if (typeof accessToken !== 'string' || typeof refreshToken !== 'string' || !accessToken) {
			return fail(400, { error: 'missing_tokens' });
		}
		try {
			await auth.setSessionFromTokens(locals.supabase, { accessToken, refreshToken });
		} catch (e) {
			if (!(e instanceof AuthFormError)) throw e;
			redirect(303, linkErrorUrl(e.code));
		}
		redirect(303, safeRedirectPath(typeof next === 'string' ? next : null));
	}
};
