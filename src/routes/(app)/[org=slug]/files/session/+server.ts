// The signed-in person's current access token, for the browser's Storage client
// (uploads go straight to Storage with the person's own rights; the policies on
// storage.objects decide). Only the short-lived access token leaves the server:
// the refresh token stays in the httpOnly cookie. A cross-site page cannot read
// this response (no CORS), and it is never cached.
import { error, json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, setHeaders }) => {
	setHeaders({ 'cache-control': 'no-store' });
	// The hook verified the JWT (and refreshed an expired session) for this request.
	if (!locals.claims) error(401, 'Sign in again to upload files.');
	const { data } = await locals.supabase.auth.getSession();
	const session = data.session;
	if (!session || session.user.id !== locals.claims.sub)
		error(401, 'Sign in again to upload files.');
	return json({ accessToken: session.access_token, expiresAt: session.expires_at ?? 0 });
};
