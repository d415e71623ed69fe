// What the asset manager and the file picker do to files, through Storage with
// the person's token (storage-js). Storage's policies decide; these turn its
// answers into sentences. The catalogue (public.files) follows by itself.
import type { StorageSession } from './storage-client.ts';
import { FOLDER_MARKER, folderMarker, objectName, type Bucket } from './paths.ts';

export type Outcome = { ok: true; message?: string } | { ok: false; message: string };

function failure(error: { message?: string } | null, fallback: string): Outcome {
	const text = (error?.message ?? '').toLowerCase();
	if (text.includes('already exists') || text.includes('duplicate'))
		return { ok: false, message: 'Something with that name is already there.' };
	if (text.includes('not found'))
		return {
			ok: false,
			message: 'You can change only your own files here; ask an admin to change this one.'
		};
	if (text.includes('row-level security') || text.includes('unauthorized'))
		return { ok: false, message: 'You do not have permission to do that.' };
	return { ok: false, message: fallback };
}

/** A new (empty) folder: Storage's placeholder object keeps it. */
export async function createFolder(
	session: StorageSession,
	bucket: Bucket,
	orgId: string,
	folder: string
): Promise<Outcome> {
	const { error } = await session.client.storage
		.from(bucket)
		.upload(folderMarker(orgId, folder), new Blob([''], { type: 'text/plain' }), {
			contentType: 'text/plain'
		});
	if (!error) return { ok: true };
	return failure(error, 'The folder could not be created. Try again.');
}

/** Moves (or renames) one object. */
export async function moveObject(
	session: StorageSession,
	bucket: Bucket,
	from: string,
	to: string
): Promise<Outcome> {
	if (from === to) return { ok: true };
	const { error } = await session.client.storage.from(bucket).move(from, to);
	if (!error) return { ok: true };
	return failure(error, 'The file could not be moved. Try again.');
}

/**
 * Moves every object under a folder to a new folder path (renaming a folder, or
 * moving it into another). Stops at the first refusal and says how far it got.
 */
export async function moveFolder(
	session: StorageSession,
	bucket: Bucket,
	orgId: string,
	objects: { objectName: string; folder: string; name: string }[],
	from: string,
	to: string
): Promise<Outcome> {
	if (to === from || to.startsWith(`${from}/`))
		return { ok: false, message: 'A folder cannot go inside itself.' };
	let moved = 0;
	for (const object of objects) {
		const rest = object.folder.slice(from.length).replace(/^\//, '');
		const target = objectName(orgId, rest ? `${to}/${rest}` : to, object.name);
		const outcome = await moveObject(session, bucket, object.objectName, target);
		if (!outcome.ok)
			return moved
				? { ok: false, message: `${outcome.message} (${moved} of ${objects.length} moved.)` }
				: outcome;
		moved += 1;
	}
	return { ok: true };
}

/** Deletes objects; Storage removes only those the person may delete, and says which. */
export async function removeObjects(
	session: StorageSession,
	bucket: Bucket,
	names: string[]
): Promise<Outcome> {
	if (names.length === 0) return { ok: true };
	let removed = 0;
	// Storage takes up to 1,000 names a request.
	for (let i = 0; i < names.length; i += 1000) {
		const { data, error } = await session.client.storage
			.from(bucket)
			.remove(names.slice(i, i + 1000));
		if (error) return failure(error, 'Deleting failed. Try again.');
		removed += data.length;
	}
	const files = names.filter((n) => !n.endsWith(`/${FOLDER_MARKER}`)).length;
	if (removed < names.length)
		return {
			ok: false,
			message:
				files === 1
					? 'This file belongs to a teammate: only an admin can delete it.'
					: `${names.length - removed} of these belong to teammates: only an admin can delete them.`
		};
	return { ok: true };
}

/** Links that open private files for an hour (thumbnails, previews, downloads). */
export async function signedUrls(
	session: StorageSession,
	bucket: Bucket,
	names: string[],
	options: { download?: boolean } = {}
): Promise<Map<string, string>> {
	const urls = new Map<string, string>();
	if (names.length === 0) return urls;
	const { data } = await session.client.storage
		.from(bucket)
		.createSignedUrls(names, 3600, options.download ? { download: true } : undefined);
	for (const entry of data ?? []) {
		if (entry.signedUrl && entry.path) urls.set(entry.path, entry.signedUrl);
	}
	return urls;
}

/**
 * What a thumbnail asks of Storage's image transformations: a small rendering,
 * cropped to the card's 4:3 shape, twice the card's size for sharp screens. A
 * 12 MB photo shows as a few tens of kilobytes.
 */
export const THUMBNAIL = { width: 480, height: 360, resize: 'cover', quality: 70 } as const;

/** How many signing requests go out at once (Storage signs a rendering one path at a time). */
const SIGNING_AT_ONCE = 6;

/**
 * Links to small renderings of images for the grid and list views, through the
 * image transformation endpoint: signed for an hour in private buckets (the
 * signature covers the size, so a link cannot be widened into the original),
 * public render links in the site's bucket. An image Storage will not sign is
 * left out and shows its type's icon.
 */
export async function thumbnailUrls(
	session: StorageSession,
	bucket: Bucket,
	names: string[]
): Promise<Map<string, string>> {
	const files = session.client.storage.from(bucket);
	if (bucket === 'site-public')
		return new Map(
			names.map((n) => [n, files.getPublicUrl(n, { transform: THUMBNAIL }).data.publicUrl])
		);
	const urls = new Map<string, string>();
	for (let i = 0; i < names.length; i += SIGNING_AT_ONCE) {
		await Promise.all(
			names.slice(i, i + SIGNING_AT_ONCE).map(async (name) => {
				const { data } = await files.createSignedUrl(name, 3600, { transform: THUMBNAIL });
				if (data?.signedUrl) urls.set(name, data.signedUrl);
			})
		);
	}
	return urls;
}
