// Everything held about one contact as a JSON download (a data access or
// portability request, GDPR art. 15/20). Needs contacts.export.
import * as contacts from '$lib/server/contacts';
import * as orgs from '$lib/server/orgs';
import { download, throwHttp } from '../../respond.server';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
	let data: contacts.ContactDataExport;
	try {
		data = await orgs.withOrg(event, (trx, org) =>
			contacts.exportData(trx, org.id, event.params.id)
		);
	} catch (e) {
		throwHttp(e);
	}
	return new Response(JSON.stringify(data, null, 2), {
		headers: download(`contact-${event.params.id}.json`, 'application/json; charset=utf-8')
	});
};
