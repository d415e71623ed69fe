// Email links of the token-hash kind (Supabase's SSR email templates):
// /auth/confirm?token_hash=…&type=signup|recovery|…&next=/path
import { redirect } from '@sveltejs/kit';
import { auth, AuthFormError, linkErrorUrl, safeRedirectPath } from '$lib/server/auth';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ url, locals }) => {
	const tokenHash = url.searchParams.get('token_hash');
	const type = url.searchParams.get('type');
	if (!tokenHash || !auth.isEmailOtpType(type)) redirect(303, linkErrorUrl('invalid_link'));
	try {
		await auth.verifyTokenHash(locals.supabase, tokenHash, type);
	} catch (e) {
		if (!(e instanceof AuthFormError)) throw e;
		redirect(303, linkErrorUrl(e.code));
	}
	redirect(
		303,
		type === 'recovery' ? '/reset-password' : safeRedirectPath(url.searchParams.get('next'))
	);
};
