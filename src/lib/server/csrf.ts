// SvelteKit's cross-site form check, applied by our hook instead of by the
// framework (svelte.config.js hands it over) for one reason: RFC 8058
// one-click unsubscribe. Mail providers POST `List-Unsubscribe=One-Click` to
// the link from their servers, with no Origin of ours, and SvelteKit's check
// runs before any hook could make an exception. The exception is the public
// /u/<token> page alone: it uses no cookie or session (the signed token is the
// only authority), so a cross-site request there can do nothing a forger
// could not do with the link itself. Everything else is refused exactly as
// SvelteKit refuses it (same content types, methods and message).

const FORM_TYPES = new Set([
	'application/x-www-form-urlencoded',
	'multipart/form-data',
	'text/plain',
	'application/x-sveltekit-formdata'
]);
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/**
 * Paths whose form posts may come from anywhere (token- or signature-authorized, no
 * cookies read): the unsubscribe link, and the SMS/WhatsApp provider's delivery
 * receipts and replies (signed with X-Twilio-Signature).
 */
const OPEN_TO_CROSS_SITE = /^\/u\/[^/]+\/?$|^\/t\/hooks\/twilio\/(status|inbound)\/?$/;

/** The 403 text for a cross-site form submission, or null when the request may go on. */
export function crossSiteProblem(request: Request, url: URL): string | null {
	if (!UNSAFE.has(request.method)) return null;
	const type = request.headers.get('content-type')?.split(';', 1)[0]?.trim().toLowerCase() ?? '';
	if (!FORM_TYPES.has(type)) return null;
	if (request.headers.get('origin') === url.origin) return null;
	if (OPEN_TO_CROSS_SITE.test(url.pathname)) return null;
	return `Cross-site ${request.method} form submissions are forbidden`;
}
