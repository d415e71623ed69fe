// The files of a folder (or a search) as JSON, for the file picker other
// modules embed (src/lib/components/files/FilePicker.svelte); with `object`,
// the one file stored under that name (the record an upload returns).
import { error, json } from '@sveltejs/kit';
import * as files from '$lib/server/files';
import * as orgs from '$lib/server/orgs';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
	const params = event.url.searchParams;
	const query = files.listQuerySchema.parse(Object.fromEntries(params));
	const object = params.get('object');
	if (object !== null && (object.length === 0 || object.length > 1200))
		error(400, 'object: give the name of a stored file.');
	const result = await orgs.withOrg(event, async (trx, org) =>
		object !== null
			? { file: await files.byObjectName(trx, org.id, query.bucket, object) }
			: await files.list(trx, org.id, query.bucket, query.folder, {
					search: query.q,
					kind: query.type
				})
	);
	if ('file' in result && !result.file) error(404, 'No such file here.');
	return json(result);
};
