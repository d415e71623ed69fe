// What the import's progress bar polls: status, phase, progress and counts.
import { json } from '@sveltejs/kit';
import * as imports from '$lib/server/imports';
import * as orgs from '$lib/server/orgs';
import { throwHttp } from '../../../contacts/respond.server';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
	try {
		const job = await orgs.withOrg(event, (trx, org) => imports.get(trx, org.id, event.params.id));
		return json(
			{
				status: job.status,
				phase: job.phase,
				progress: job.progress,
				totalRows: job.totalRows,
				processedRows: job.processedRows,
				insertedRows: job.insertedRows,
				updatedRows: job.updatedRows,
				mergedRows: job.mergedRows,
				failedRows: job.failedRows,
				error: job.error,
				cancelRequested: job.cancelRequested
			},
			{ headers: { 'cache-control': 'no-store' } }
		);
	} catch (e) {
		throwHttp(e);
	}
};
