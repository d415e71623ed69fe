// Authentication: the per-request Supabase client, verified claims, the auth
// service and its errors, and safe redirects.
export { createSupabaseServerClient, type Supabase } from './client';
export {
	ANON_CLAIMS,
	userFromClaims,
	verifyClaims,
	type SessionUser,
	type VerifiedClaims
} from './claims';
export { AuthFormError, toAuthFormError } from './errors';
export { requireUser } from './guard';
export { failWith, withoutPasswords } from './forms';
export { linkErrorUrl, problemFor, type LinkProblem } from './link-errors';
export { APP_HOME, callbackUrl, loginUrl, safeRedirectPath } from './redirect';
export * as auth from './service';
