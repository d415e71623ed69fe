// Every object under a folder (what renaming, moving or deleting the folder
// touches), from the catalogue under RLS. The browser then asks Storage to move
// or remove them with the person's own rights.
import { error, json } from '@sveltejs/kit';
import * as files from '$lib/server/files';
import * as orgs from '$lib/server/orgs';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
	const query = files.listQuerySchema.parse(Object.fromEntries(event.url.searchParams));
	if (!query.folder) error(400, 'folder: choose a folder.');
	const objects = await orgs.withOrg(event, (trx, org) =>
		files.objectsUnder(trx, org.id, query.bucket, query.folder)
	);
	return json({ objects });
};
