// What the send worker calls while rendering each message: every link of the
// campaign's template becomes a signed click redirect, and an open pixel goes
// at the end of the body. Only the links in `allowedLinks` (the template's
// own, in the order registered for the campaign with `registerLinks`) are
// rewritten: the token carries the link's position in that list, and the
// redirect looks the URL up in the campaign's registered links. Anything
// else (mailto:, the unsubscribe link, a URL made per contact by a merge tag)
// stays as it is. Plain module: no SvelteKit imports.
import { MAX_LINKS, requireSecret, sign } from './token.ts';

export type TrackingConfig = {
	/** TRACKING_SECRET: signs the tokens; the app verifies them with the same. */
	secret: string;
	/** The app's public URL (APP_URL or ORIGIN): the pixel and redirects are its routes. */
	appUrl: string;
};

/** The configuration from the environment (TRACKING_SECRET, APP_URL or ORIGIN); throws when missing. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): TrackingConfig {
	const appUrl = env.APP_URL ?? env.ORIGIN;
	if (!appUrl) throw new Error('Tracking needs the app URL: set APP_URL (or ORIGIN)');
	return { secret: requireSecret(env.TRACKING_SECRET), appUrl };
}

function base(config: TrackingConfig): string {
	return config.appUrl.replace(/\/+$/, '');
}

/** The click redirect of the link at `position` of a message. */
export function clickUrl(recipientId: string, position: number, config = configFromEnv()): string {
	const token = sign(config.secret, { kind: 'click', recipientId, link: position });
	return `${base(config)}/t/c/${token}`;
}

/** The open pixel's address for a message. */
export function pixelUrl(recipientId: string, config = configFromEnv()): string {
	return `${base(config)}/t/o/${sign(config.secret, { kind: 'open', recipientId })}`;
}

const ENTITIES: Record<string, string> = {
	amp: '&',
	quot: '"',
	apos: "'",
	lt: '<',
	gt: '>',
	'#39': "'",
	'#x27': "'",
	'#34': '"',
	'#x2f': '/',
	'#47': '/'
};

/** An attribute value as the browser reads it (the few entities renderers emit). */
function decodeAttribute(value: string): string {
	return value.replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (m, name: string) => {
		return ENTITIES[name.toLowerCase()] ?? m;
	});
}

/** An anchor's opening tag and its href, double- or single-quoted. */
const ANCHOR = /<a\b[^>]*>/gi;
const HREF = /(\shref\s*=\s*)(?:"([^"]*)"|'([^']*)')/i;

/**
 * The message's HTML with each link of `allowedLinks` sent through a signed
 * click redirect. `allowedLinks` must be the list registered for the campaign
 * (same order): a link's position in it is what the token carries.
 */
export function trackLinks(
	html: string,
	recipientId: string,
	allowedLinks: readonly string[],
	config = configFromEnv()
): string {
	if (allowedLinks.length > MAX_LINKS) throw new Error(`more than ${MAX_LINKS} links`);
	const positions = new Map<string, number>();
	allowedLinks.forEach((url, i) => {
		if (!positions.has(url.trim())) positions.set(url.trim(), i);
	});
	return html.replace(ANCHOR, (tag) =>
		tag.replace(HREF, (whole, lead: string, dq?: string, sq?: string) => {
			const position = positions.get(decodeAttribute(dq ?? sq ?? '').trim());
			if (position === undefined) return whole;
			return `${lead}"${clickUrl(recipientId, position, config)}"`;
		})
	);
}

/** The open pixel as an `<img>`: 1×1, no alt text, no border. */
export function openPixel(recipientId: string, config = configFromEnv()): string {
	return `<img src="${pixelUrl(recipientId, config)}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0;margin:0;padding:0" />`;
}

/** Both at once: links rewritten and the pixel just before `</body>` (or at the end). */
export function trackMessage(
	html: string,
	recipientId: string,
	allowedLinks: readonly string[],
	config = configFromEnv()
): string {
	const tracked = trackLinks(html, recipientId, allowedLinks, config);
	const pixel = openPixel(recipientId, config);
	const close = tracked.search(/<\/body\s*>/i);
	return close === -1 ? tracked + pixel : tracked.slice(0, close) + pixel + tracked.slice(close);
}

/**
 * The links of a message that clicks can be tracked on: every distinct
 * http(s) href of its anchors, in order, except those a merge tag makes per
 * contact (`{{…}}`). Give it the message as rendered before merging (or for
 * any one contact: the list is the same); register the result for the
 * campaign and pass the same list to `trackLinks`.
 */
export function linksIn(html: string): string[] {
	const found: string[] = [];
	for (const [tag] of html.matchAll(ANCHOR)) {
		const m = HREF.exec(tag);
		if (!m) continue;
		const url = decodeAttribute(m[2] ?? m[3] ?? '').trim();
		if (!/^https?:\/\/\S+$/i.test(url) || url.includes('{{') || url.length > 2000) continue;
		if (!found.includes(url)) found.push(url);
		if (found.length === MAX_LINKS) break;
	}
	return found;
}
