// The list's current filters as a CSV file for accounting, streamed from the
// database in keyset pages inside the request's RLS transaction; cells that
// a spreadsheet would run as formulas are defused.
import * as finance from '$lib/server/finance';
import * as orgs from '$lib/server/orgs';
import { download, streamInTransaction } from '../../contacts/respond.server';
import { throwHttp } from '../respond.server';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
	const filter = finance.filterSchema.parse(Object.fromEntries(event.url.searchParams));
	const org = await orgs.withOrg(event, (_trx, found) => Promise.resolve(found));
	let body: ReadableStream<Uint8Array>;
	try {
		body = await streamInTransaction(event.locals.db, (trx) =>
			finance.exportCsv(trx, org.id, { ...filter, after: undefined })
		);
	} catch (e) {
		throwHttp(e);
	}
	const day = new Date().toISOString().slice(0, 10);
	return new Response(body, {
		headers: download(`finance-${org.slug}-${day}.csv`, 'text/csv; charset=utf-8')
	});
};
