// The Supabase client of one request: @supabase/ssr keeps the session in
// cookies, read from and written to SvelteKit's `event.cookies`. A client is
// created per request and never shared.
import { env } from '$env/dynamic/public';
import { createServerClient } from '@supabase/ssr';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { RequestEvent } from '@sveltejs/kit';
import type { Database } from '$lib/database.types';

export type Supabase = SupabaseClient<Database>;

type CookieEvent = Pick<RequestEvent, 'cookies' | 'url' | 'setHeaders' | 'getClientAddress'>;

/** The person's address for Auth; none where the adapter cannot tell (prerendering). */
function forwardedFor(event: CookieEvent): Record<string, string> {
	try {
		return { 'X-Forwarded-For': event.getClientAddress() };
	} catch {
		return {};
	}
}

export function createSupabaseServerClient(event: CookieEvent): Supabase {
	const url = env.PUBLIC_SUPABASE_URL;
	const key = env.PUBLIC_SUPABASE_ANON_KEY;
	if (!url || !key) {
		throw new Error('PUBLIC_SUPABASE_URL and PUBLIC_SUPABASE_ANON_KEY must be set');
	}
	let cacheHeadersSet = false;
	return createServerClient<Database>(url, key, {
		auth: { flowType: 'pkce' },
		// Auth limits sign-ins, sign-ups and emails per client address. Every call
		// comes from this server, so it names the person's address the way
		// Supabase's edge does; otherwise everyone would share one limit.
		global: { headers: forwardedFor(event) },
		cookieOptions: {
			// Only the server reads the session (there is no browser Supabase client),
			// so page scripts never get to see the tokens.
			httpOnly: true,
			secure: event.url.protocol === 'https:',
			sameSite: 'lax',
			path: '/'
		},
		cookies: {
			getAll: () => event.cookies.getAll(),
			setAll: (cookies, headers) => {
				for (const { name, value, options } of cookies) {
					event.cookies.set(name, value, { ...options, path: '/' });
				}
				// A response that sets a session must never be cached by a CDN or proxy.
				if (!cacheHeadersSet && Object.keys(headers).length > 0) {
					cacheHeadersSet = true;
					event.setHeaders(headers);
				}
			}
		}
	});
}
