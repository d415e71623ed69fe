// The provider's side of the app: a delivery receipt or a reply as the routes
// under /t/hooks/twilio/ receive them, checked by the configured adapter.
import type { ProviderRequest } from './adapter.ts';

/**
 * The request as signed: Twilio signs the URL it called (the app's public
 * URL), not the one the app sees behind a proxy, so the origin is the app's.
 */
export async function providerRequest(request: Request, appUrl: string): Promise<ProviderRequest> {
	const seen = new URL(request.url);
	const url = `${appUrl.replace(/\/+$/, '')}${seen.pathname}${seen.search}`;
	return { url, headers: request.headers, form: new URLSearchParams(await request.text()) };
}
