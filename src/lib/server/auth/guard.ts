// The protected area's gate: signed-out people go to sign-in, which brings them back.
import { redirect, type RequestEvent } from '@sveltejs/kit';
import type { SessionUser } from './claims';
import { loginUrl } from './redirect';

export function requireUser(event: Pick<RequestEvent, 'locals' | 'url' | 'request'>): SessionUser {
	if (event.locals.user) return event.locals.user;
	// After a form post, come back to the page, not to the action's URL.
	const destination = event.request.method === 'GET' ? event.url : event.url.pathname;
	redirect(303, loginUrl(destination));
}
