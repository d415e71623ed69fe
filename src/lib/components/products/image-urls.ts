// Links to products' images (private objects of the org-files bucket), made
// in the browser with the person's own token, so Storage checks them as that
// person. One Storage session per organization page.
import { resolve } from '$app/paths';
import { signedUrls } from '$lib/files/operations';
import { storageSession, type StorageSession } from '$lib/files/storage-client';

const sessions = new Map<string, StorageSession>();

/** Links (an hour long) by object name; none for names Storage does not give. */
export async function productImageUrls(
	orgSlug: string,
	paths: (string | null | undefined)[]
): Promise<Record<string, string>> {
	const names = [...new Set(paths.filter((p): p is string => !!p))];
	if (!names.length) return {};
	let session = sessions.get(orgSlug);
	if (!session) {
		session = storageSession(`${resolve('/(app)/[org=slug]/files', { org: orgSlug })}/session`);
		sessions.set(orgSlug, session);
	}
	const urls = await signedUrls(session, 'org-files', names).catch(() => new Map<string, string>());
	return Object.fromEntries(urls);
}
