// Generating a purchase order's PDF from a request: Storage is called with the
// person's own access token (the session the hook verified), so Storage's
// policies decide the upload as they decide the browser's; the database work
// runs under RLS through locals.db.
import { error, type RequestEvent } from '@sveltejs/kit';
import { createClient } from '@supabase/supabase-js';
import { env } from '$env/dynamic/public';
import * as finance from '$lib/server/finance';

export async function generatePoPdf(
	event: Pick<RequestEvent, 'locals'>,
	orgId: string,
	documentId: string
): Promise<{ fileId: string; objectName: string }> {
	const { locals } = event;
	const { data } = await locals.supabase.auth.getSession();
	const session = data.session;
	if (!locals.claims || !session || session.user.id !== locals.claims.sub)
		error(401, 'Sign in again to generate the PDF.');
	const token = session.access_token;
	const storage = createClient(env.PUBLIC_SUPABASE_URL ?? '', env.PUBLIC_SUPABASE_ANON_KEY ?? '', {
		auth: { persistSession: false, autoRefreshToken: false },
		accessToken: () => Promise.resolve(token)
	});
	return finance.generatePoFile(locals.db, storage, orgId, documentId);
}
