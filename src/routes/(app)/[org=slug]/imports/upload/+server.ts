// Upload of an import file, streamed to the file store as it arrives (the
// browser sends the file as the request body, its name in X-File-Name). Answers
// with the draft import, its detected header and suggested mapping.
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { error, json } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import * as http from '$lib/server/http';
import * as imports from '$lib/server/imports';
import * as orgs from '$lib/server/orgs';
import { throwHttp } from '../../contacts/respond.server';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async (event) => {
	const fileName = http.decodedHeader(event.request, 'x-file-name');
	const body = event.request.body;
	if (!body) error(400, 'Send the file as the request body.');
	try {
		const { job } = await orgs.withOrg(event, (trx, org) =>
			imports.upload(trx, imports.defaultFileStore(), org.id, {
				fileName,
				data: Readable.fromWeb(body as WebReadableStream<Uint8Array>)
			})
		);
		return json(
			{
				id: job.id,
				url: resolve('/(app)/[org=slug]/imports/[id=uuid]', { org: event.params.org, id: job.id })
			},
			{ status: 201 }
		);
	} catch (e) {
		throwHttp(e);
	}
};
