import { error, fail, redirect } from '@sveltejs/kit';
import { message, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { resolve } from '$app/paths';
import * as contacts from '$lib/server/contacts';
import { refused } from '$lib/server/db';
import * as imports from '$lib/server/imports';
import * as orgs from '$lib/server/orgs';
import { failWith } from '../../contacts/respond.server';
import {
	ENCODINGS,
	noFieldsSchema,
	parseTagNames,
	startFormValues,
	startImportFormSchema,
	type Encoding
} from '../schema';
import type { Actions, PageServerLoad } from './$types';

const RESTARTABLE = new Set(['draft', 'failed', 'cancelled']);
const isFormat = (v: string | null): v is 'csv' | 'tsv' => v === 'csv' || v === 'tsv';

/**
 * The import: its mapping step (header, sample rows, suggested mapping) while
 * it can be started, else its progress or outcome.
 */
export const load: PageServerLoad = async ({ locals, parent, params, url }) => {
	const { org } = await parent();
	const encoding = url.searchParams.get('encoding');
	const format = url.searchParams.get('format');
	const chosen = {
		encoding: encoding && encoding in ENCODINGS ? (encoding as Encoding) : undefined,
		format: isFormat(format) ? format : undefined
	};
	const result = await locals.db(async (trx) => {
		let job: imports.ImportJob;
		try {
			job = await imports.get(trx, org.id, params.id);
		} catch (e) {
			if (e instanceof imports.ImportNotFoundError) error(404, 'Page not found');
			throw e;
		}
		if (!RESTARTABLE.has(job.status))
			return { job, preview: null, previewError: null, fields: [], tags: [] };
		const [fields, tags] = await Promise.all([
			contacts.listFields(trx, org.id),
			contacts.listTags(trx, org.id)
		]);
		try {
			const preview = await imports.preview(
				trx,
				imports.defaultFileStore(),
				org.id,
				job.id,
				chosen
			);
			return { job, preview, previewError: null, fields, tags };
		} catch (e) {
			// The file is unreadable as chosen (another encoding?), or gone.
			if (e instanceof imports.ImportFileError)
				return { job, preview: null, previewError: e.message, fields, tags };
			if ((e as NodeJS.ErrnoException).code === 'ENOENT')
				return {
					job,
					preview: null,
					previewError: 'The file of this import is no longer kept.',
					fields,
					tags
				};
			throw e;
		}
	});
	const { job, preview } = result;
	return {
		job,
		preview: preview && { headers: preview.headers, sample: preview.sample },
		previewError: result.previewError,
		fields: result.fields.map(({ key, label, type, options, required }) => ({
			key,
			label,
			type,
			options,
			required
		})),
		tags: result.tags,
		startForm: await superValidate(
			startFormValues(job, preview, result.tags, chosen),
			zod4(startImportFormSchema),
			{ id: 'start', errors: false }
		),
		cancelForm: await superValidate(zod4(noFieldsSchema), { id: 'cancel' }),
		discardForm: await superValidate(zod4(noFieldsSchema), { id: 'discard' })
	};
};

export const actions: Actions = {
	start: async (event) => {
		const form = await superValidate(event.request, zod4(startImportFormSchema), { id: 'start' });
		if (!form.valid) return fail(400, { form });
		const { mapping, tags, existing, badRows, tagSeparator, encoding, format } = form.data;
		let started: boolean;
		try {
			started = await orgs.withOrg(event, async (trx, org, user) => {
				if (!(await orgs.permissionsOf(trx, org.id, user.id)).includes('contacts.write'))
					return false;
				const tagIds = (await contacts.ensureTags(trx, org.id, parseTagNames(tags))).map(
					(t) => t.id
				);
				await imports.start(trx, imports.defaultFileStore(), org.id, event.params.id, {
					mapping: mapping.map((t) => t || null),
					options: {
						skipInvalidRows: badRows === 'skip',
						updateExisting: existing === 'update',
						tagIds,
						tagSeparator
					},
					encoding,
					format
				});
				return true;
			});
		} catch (e) {
			return failWith(form, e);
		}
		if (!started) return refused(form, 'You do not have permission to import contacts.');
		return message(form, { tone: 'success', text: 'The import has started.' });
	},

	cancel: async (event) => {
		const form = await superValidate(event.request, zod4(noFieldsSchema), { id: 'cancel' });
		try {
			await orgs.withOrg(event, (trx, org) => imports.cancel(trx, org.id, event.params.id));
		} catch (e) {
			return failWith(form, e);
		}
		return message(form, {
			tone: 'info',
			text: 'Cancelling: nothing of this import will be kept.'
		});
	},

	discard: async (event) => {
		const form = await superValidate(event.request, zod4(noFieldsSchema), { id: 'discard' });
		try {
			await orgs.withOrg(event, (trx, org) =>
				imports.remove(trx, imports.defaultFileStore(), org.id, event.params.id)
			);
		} catch (e) {
			return failWith(form, e);
		}
		redirect(303, resolve('/(app)/[org=slug]/imports', { org: event.params.org }));
	}
};
