// The table's current view (its search and filters, or a segment) as a CSV
// download, streamed from the database in keyset pages: a million contacts
// never sit in memory. Needs contacts.export (the database refuses the export
// record otherwise, and the answer is a 403).
import * as imports from '$lib/server/imports';
import * as orgs from '$lib/server/orgs';
import { download, streamInTransaction, throwHttp } from '../respond.server';
import { parseListParams } from '../schema';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
	const params = parseListParams(event.url.searchParams);
	const org = await orgs.withOrg(event, (_trx, found) => Promise.resolve(found));
	let body: ReadableStream<Uint8Array>;
	try {
		body = await streamInTransaction(event.locals.db, (trx) =>
			imports.exportCsv(trx, org.id, {
				search: params.q,
				status: params.status,
				tagId: params.tag,
				segmentId: params.segment
			})
		);
	} catch (e) {
		throwHttp(e);
	}
	const day = new Date().toISOString().slice(0, 10);
	return new Response(body, {
		headers: download(`contacts-${org.slug}-${day}.csv`, 'text/csv; charset=utf-8')
	});
};
