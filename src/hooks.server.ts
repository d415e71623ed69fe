import { redirect, type Handle, type HandleServerError } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import {
	ANON_CLAIMS,
	createSupabaseServerClient,
	loginUrl,
	userFromClaims,
	verifyClaims
} from '$lib/server/auth';
import { getDatabase, withRls } from '$lib/server/db';
import { crossSiteProblem } from '$lib/server/csrf';
import * as http from '$lib/server/http';

/**
 * Cross-site form posts are refused as SvelteKit would (svelte.config.js hands
 * the check to this hook so one-click unsubscribe can reach /u/<token>).
 */
const refuseCrossSiteForms: Handle = ({ event, resolve }) => {
	const problem = crossSiteProblem(event.request, event.url);
	if (!problem) return resolve(event);
	if (event.request.headers.get('accept') === 'application/json') {
		return new Response(JSON.stringify({ message: problem }), {
			status: 403,
			headers: { 'content-type': 'application/json' }
		});
	}
	return new Response(problem, { status: 403 });
};

/**
 * Input no route can store or read (a NUL character anywhere, a form body that
 * does not parse) is a 400 naming the field, before any route runs.
 */
const refuseBadInput: Handle = async ({ event, resolve }) => {
	const problem = http.urlProblem(event.url) ?? (await http.formProblem(event.request));
	if (problem) return http.refuse(event, problem);
	return resolve(event);
};

/** Every request: a Supabase client over the cookies, and the JWT verified (signature, expiry). */
const authenticate: Handle = async ({ event, resolve }) => {
	const supabase = createSupabaseServerClient(event);
	// Verify before anything renders: a refresh must still be able to set cookies.
	const claims = await verifyClaims(supabase);
	event.locals.supabase = supabase;
	event.locals.claims = claims;
	event.locals.user = claims ? userFromClaims(claims) : null;
	event.locals.db = (fn, options) => withRls(getDatabase(), claims ?? ANON_CLAIMS, fn, options);
	return resolve(event, {
		filterSerializedResponseHeaders: (name) =>
			name === 'content-range' || name === 'x-supabase-api-version'
	});
};

/**
 * The protected area, (app), is closed to signed-out requests of any kind: pages,
 * form actions and endpoints alike (a layout load alone does not guard actions).
 */
const protect: Handle = ({ event, resolve }) => {
	if (event.route.id?.startsWith('/(app)') && !event.locals.user) {
		const destination = event.request.method === 'GET' ? event.url : event.url.pathname;
		redirect(303, loginUrl(destination));
	}
	return resolve(event);
};

export const handle = sequence(refuseCrossSiteForms, refuseBadInput, authenticate, protect);

/** Unexpected errors: logged with an id; the person sees the id, never the details. */
export const handleError: HandleServerError = ({ error, event, status, message }) => {
	if (status === 404) return { message: 'Page not found' };
	const errorId = crypto.randomUUID();
	console.error(`[${errorId}] ${event.request.method} ${event.url.pathname}:`, error);
	return { message: status < 500 ? message : 'Something went wrong on our side.', errorId };
};
