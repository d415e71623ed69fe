// Sign out: a POST only (a link or an image must not sign anyone out), from the
// user menu or the account page. Ends this browser's session (scope "local").
import { redirect } from '@sveltejs/kit';
import { auth, AuthFormError } from '$lib/server/auth';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ locals, cookies }) => {
	try {
		await auth.signOut(locals.supabase);
	} catch (e) {
		if (!(e instanceof AuthFormError)) throw e;
		// The Auth server could not be told; forget the session here all the same
		// (the access token expires on its own).
		console.warn(`auth: sign-out was not confirmed by the Auth server: ${e.code}`);
		for (const { name } of cookies.getAll()) {
			if (name.startsWith('sb-')) cookies.delete(name, { path: '/' });
		}
	}
	redirect(303, '/login?notice=signed-out');
};

export const GET: RequestHandler = () => redirect(303, '/');
