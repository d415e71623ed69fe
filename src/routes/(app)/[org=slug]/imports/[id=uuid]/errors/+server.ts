// The import's error report (row, column, reason, value) as a CSV download, streamed.
import * as imports from '$lib/server/imports';
import * as orgs from '$lib/server/orgs';
import { download, streamInTransaction, throwHttp } from '../../../contacts/respond.server';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
	const org = await orgs.withOrg(event, (_trx, found) => Promise.resolve(found));
	let body: ReadableStream<Uint8Array>;
	try {
		body = await streamInTransaction(event.locals.db, (trx) =>
			imports.errorReport(trx, org.id, event.params.id)
		);
	} catch (e) {
		throwHttp(e);
	}
	return new Response(body, {
		headers: download(`import-errors-${event.params.id.slice(0, 8)}.csv`, 'text/csv; charset=utf-8')
	});
};
