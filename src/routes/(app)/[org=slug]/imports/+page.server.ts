import { fail, redirect } from '@sveltejs/kit';
import { dev } from '$app/environment';
import { resolve } from '$app/paths';
import { env } from '$env/dynamic/private';
import * as imports from '$lib/server/imports';
import * as orgs from '$lib/server/orgs';
import { describeError } from '../contacts/respond.server';
import type { Actions, PageServerLoad } from './$types';
import { uploadLimit } from './upload-limit';

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { org } = await parent();
	const list = await locals.db((trx) => imports.list(trx, org.id, 50));
	return {
		maxUploadBytes: uploadLimit(env.BODY_SIZE_LIMIT, dev),
		imports: list.map((job) => ({
			id: job.id,
			fileName: job.fileName,
			status: job.status,
			progress: job.progress,
			totalRows: job.totalRows,
			insertedRows: job.insertedRows,
			updatedRows: job.updatedRows,
			failedRows: job.failedRows,
			createdAt: job.createdAt,
			finishedAt: job.finishedAt
		}))
	};
};

export const actions: Actions = {
	/** The upload without JavaScript: a multipart form (the page streams it to ./upload otherwise). */
	upload: async (event) => {
		const file = (await event.request.formData()).get('file');
		if (!(file instanceof File) || file.size === 0)
			return fail(400, { uploadError: 'Choose a CSV or TSV file to upload.' });
		let id: string;
		try {
			id = await orgs.withOrg(event, async (trx, org) => {
				const { job } = await imports.upload(trx, imports.defaultFileStore(), org.id, {
					fileName: file.name,
					data: new Uint8Array(await file.arrayBuffer())
				});
				return job.id;
			});
		} catch (e) {
			const known = describeError(e);
			if (!known) throw e;
			return fail(known.status, { uploadError: known.message });
		}
		redirect(303, resolve('/(app)/[org=slug]/imports/[id=uuid]', { org: event.params.org, id }));
	}
};
