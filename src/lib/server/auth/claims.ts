// Who is making the request, from the access token in the session cookie,
// verified on every request: getClaims() checks the signature against the Auth
// server's JWKS (or asks the Auth server, for symmetric keys) and the expiry,
// refreshing the session first if it is about to expire.
import type { JwtPayload } from '@supabase/supabase-js';
import type { RequestClaims } from '$lib/server/db';
import type { Supabase } from './client';

export type VerifiedClaims = JwtPayload & RequestClaims & { sub: string; role: 'authenticated' };

export type SessionUser = { id: string; email: string };

export const ANON_CLAIMS: RequestClaims = { role: 'anon' };

/** The verified claims of a signed-in user, or null (no session, bad or expired token). */
export async function verifyClaims(supabase: Supabase): Promise<VerifiedClaims | null> {
	const { data, error } = await supabase.auth.getClaims();
	if (error) {
		// A missing or unusable session is ordinary; the Auth server being unreachable is not.
		if (error.name === 'AuthRetryableFetchError' || (error.status ?? 0) >= 500) {
			console.warn(`auth: could not verify the session: ${error.message}`);
		}
		return null;
	}
	const claims = data?.claims;
	if (!claims || claims.role !== 'authenticated' || typeof claims.sub !== 'string') return null;
	if (claims.is_anonymous === true) return null;
	return claims as VerifiedClaims;
}

export function userFromClaims(claims: VerifiedClaims): SessionUser {
	return { id: claims.sub, email: typeof claims.email === 'string' ? claims.email : '' };
}
