// The import wizard's server side, under the user's RLS transaction:
//   upload  → a draft with detected encoding, format, header, sample and a suggested mapping;
//   preview → the same for a draft (after the user picks another encoding or format);
//   start   → checks the mapping and options, queues the job (status queued);
//   get     → status, phase, progress 0–1 and counts, for the progress bar;
//   cancel  → a queued import stops at once, a running one at its next batch;
//   errorReport → the per-row error report as CSV lines.
import { sql } from 'kysely';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { Trx } from '../db/rls.ts';
import { fieldMap } from '../contacts/fields.ts';
import { ImportMappingError, ImportNotFoundError, ImportStateError } from './errors.ts';
import { csvCell } from './export.ts';
import type { ImportFileStore } from './files.ts';
import { checkMapping, suggestMapping, type Target } from './mapping.ts';
import {
	importOptionsSchema,
	startImportSchema,
	targetSchema,
	uploadSchema,
	type StartImportInput,
	type TagSeparator
} from './schemas.ts';
import { SNIFF_BYTES, sniff, type Encoding, type Format } from './sniff.ts';

export type ImportStatus = 'draft' | 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export type ImportJob = {
	id: string;
	fileName: string;
	fileSize: number;
	format: Format;
	encoding: Encoding;
	headers: string[];
	mapping: Target[];
	options: {
		skipInvalidRows?: boolean;
		updateExisting?: boolean;
		tagIds?: string[];
		tagSeparator?: TagSeparator;
	};
	/**
	 * The stored mapping or options could not be read (written around the app);
	 * they are then empty, never the stored values, and must be chosen again.
	 */
	settingsUnreadable: boolean;
	status: ImportStatus;
	phase: string | null;
	/** 0–1, for the progress bar. */
	progress: number;
	totalRows: number | null;
	processedRows: number;
	insertedRows: number;
	updatedRows: number;
	mergedRows: number;
	failedRows: number;
	error: string | null;
	cancelRequested: boolean;
	createdAt: string;
	finishedAt: string | null;
};

/** A file's header and first rows as read now (`headers` may differ from the job's after a change of encoding or format). */
export type ImportPreview = {
	job: ImportJob;
	headers: string[];
	sample: string[][];
	suggestedMapping: Target[];
};

const columns = [
	'id',
	'file_name',
	'file_size',
	'file_ref',
	'format',
	'encoding',
	'headers',
	'mapping',
	'options',
	'status',
	'phase',
	'progress',
	'total_rows',
	'processed_rows',
	'inserted_rows',
	'updated_rows',
	'merged_rows',
	'failed_rows',
	'error',
	'cancel_requested_at',
	'created_at',
	'finished_at'
] as const;

type Row = {
	id: string;
	file_name: string;
	file_size: number | string;
	file_ref: string | null;
	format: string;
	encoding: string;
	headers: string[];
	mapping: unknown;
	options: unknown;
	status: ImportStatus;
	phase: string | null;
	progress: number;
	total_rows: number | null;
	processed_rows: number;
	inserted_rows: number;
	updated_rows: number;
	merged_rows: number;
	failed_rows: number;
	error: string | null;
	cancel_requested_at: string | Date | null;
	created_at: string | Date;
	finished_at: string | Date | null;
};

const iso = (d: string | Date) => (d instanceof Date ? d.toISOString() : d);

/**
 * The stored mapping as the app writes it (zod walks no deeper than its
 * schema); targetSchema's pattern is Target's shape.
 */
const storedMapping = z.array(targetSchema).max(500);

function toJob(row: Row): ImportJob {
	const mapping = storedMapping.safeParse(row.mapping);
	const options = importOptionsSchema.safeParse(row.options);
	return {
		id: row.id,
		fileName: row.file_name,
		fileSize: Number(row.file_size),
		format: row.format as Format,
		encoding: row.encoding as Encoding,
		headers: row.headers,
		mapping: mapping.success ? (mapping.data as Target[]) : [],
		options: options.success ? options.data : {},
		settingsUnreadable: !mapping.success || !options.success,
		status: row.status,
		phase: row.phase,
		progress: row.progress,
		totalRows: row.total_rows,
		processedRows: row.processed_rows,
		insertedRows: row.inserted_rows,
		updatedRows: row.updated_rows,
		mergedRows: row.merged_rows,
		failedRows: row.failed_rows,
		error: row.error,
		cancelRequested: row.cancel_requested_at !== null,
		createdAt: iso(row.created_at),
		finishedAt: row.finished_at ? iso(row.finished_at) : null
	};
}

async function load(trx: Trx, orgId: string, importId: string): Promise<Row> {
	const row = await trx
		.selectFrom('contact_imports')
		.select(columns)
		.where('org_id', '=', orgId)
		.where('id', '=', importId)
		.executeTakeFirst();
	if (!row) throw new ImportNotFoundError(importId);
	return row;
}

/** Progress and outcome of an import (what the progress bar polls). */
export async function get(trx: Trx, orgId: string, importId: string): Promise<ImportJob> {
	return toJob(await load(trx, orgId, importId));
}

/** The organization's imports, newest first. */
export async function list(trx: Trx, orgId: string, limit = 20): Promise<ImportJob[]> {
	const rows = await trx
		.selectFrom('contact_imports')
		.select(columns)
		.where('org_id', '=', orgId)
		.orderBy('created_at', 'desc')
		.limit(limit)
		.execute();
	return rows.map(toJob);
}

/**
 * Stores an upload as a draft import and sniffs it. Throws ImportFileError for
 * a file that cannot be read (empty, binary, unreadable header).
 */
export async function upload(
	trx: Trx,
	store: ImportFileStore,
	orgId: string,
	input: { fileName: string; data: Readable | AsyncIterable<Uint8Array> | Uint8Array }
): Promise<ImportPreview> {
	const { fileName } = uploadSchema.parse({ fileName: input.fileName });
	const draft = await trx
		.insertInto('contact_imports')
		.values({ org_id: orgId, file_name: fileName })
		.returning(['id', 'file_ref'])
		.executeTakeFirstOrThrow();
	const ref = draft.file_ref!;
	try {
		// An upload cut off half-way (or refused) leaves no partial file behind: the
		// draft's row is rolled back with the request, so nothing would remove it.
		const size = await store.write(ref, input.data);
		const sniffed = sniff(await store.head(ref, SNIFF_BYTES));
		const suggestedMapping = suggestMapping(sniffed.headers, (await fieldMap(trx, orgId)).values());
		const row = await trx
			.updateTable('contact_imports')
			.set({
				file_size: size,
				encoding: sniffed.encoding,
				format: sniffed.format,
				headers: sniffed.headers,
				mapping: JSON.stringify(suggestedMapping)
			})
			.where('id', '=', draft.id)
			.returning(columns)
			.executeTakeFirstOrThrow();
		return { job: toJob(row), headers: sniffed.headers, sample: sniffed.sample, suggestedMapping };
	} catch (error) {
		await store.remove(ref);
		throw error;
	}
}

/** Header and sample rows read with the given (or stored) encoding and format. */
export async function preview(
	trx: Trx,
	store: ImportFileStore,
	orgId: string,
	importId: string,
	chosen: { encoding?: Encoding; format?: Format } = {}
): Promise<ImportPreview> {
	const row = await load(trx, orgId, importId);
	const sniffed = sniff(await store.head(row.file_ref!, SNIFF_BYTES), {
		encoding: chosen.encoding ?? (row.encoding as Encoding),
		format: chosen.format ?? (row.format as Format)
	});
	const suggestedMapping = suggestMapping(sniffed.headers, (await fieldMap(trx, orgId)).values());
	return { job: toJob(row), headers: sniffed.headers, sample: sniffed.sample, suggestedMapping };
}

/**
 * Starts (or restarts, after a failure) an import with a mapping and options.
 * Throws ImportMappingError naming the column at fault.
 */
export async function start(
	trx: Trx,
	store: ImportFileStore,
	orgId: string,
	importId: string,
	input: StartImportInput
): Promise<ImportJob> {
	const s = startImportSchema.parse(input);
	const row = await load(trx, orgId, importId);
	if (!['draft', 'failed', 'cancelled'].includes(row.status))
		throw new ImportStateError(
			row.status,
			row.status === 'completed'
				? 'This import has already run; upload the file again to import it again.'
				: 'This import is already queued or running.'
		);
	let headers = row.headers;
	if ((s.encoding && s.encoding !== row.encoding) || (s.format && s.format !== row.format)) {
		headers = sniff(await store.head(row.file_ref!, SNIFF_BYTES), {
			encoding: s.encoding ?? (row.encoding as Encoding),
			format: s.format ?? (row.format as Format)
		}).headers;
	}
	checkMapping(s.mapping as Target[], headers, await fieldMap(trx, orgId));
	if (s.options.tagIds.length) {
		const tags = await trx
			.selectFrom('tags')
			.select('id')
			.where('org_id', '=', orgId)
			.where('id', 'in', s.options.tagIds)
			.execute();
		if (tags.length !== new Set(s.options.tagIds).size)
			throw new ImportMappingError('A tag chosen for the import does not exist any more.');
	}
	const updated = await trx
		.updateTable('contact_imports')
		.set({
			mapping: JSON.stringify(s.mapping),
			options: JSON.stringify(s.options),
			...(s.encoding && { encoding: s.encoding }),
			...(s.format && { format: s.format }),
			status: 'queued'
		})
		.where('org_id', '=', orgId)
		.where('id', '=', importId)
		.returning(columns)
		.executeTakeFirstOrThrow();
	return toJob(updated);
}

/** Requests cancellation: a queued import is cancelled at once, a running one rolls back. */
export async function cancel(trx: Trx, orgId: string, importId: string): Promise<ImportJob> {
	const current = await load(trx, orgId, importId);
	if (current.status !== 'queued' && current.status !== 'running')
		throw new ImportStateError(current.status, 'Only a queued or running import can be cancelled.');
	const row = await trx
		.updateTable('contact_imports')
		.set({ cancel_requested_at: sql`now()` })
		.where('org_id', '=', orgId)
		.where('id', '=', importId)
		.returning(columns)
		.executeTakeFirst();
	if (!row) throw new ImportNotFoundError(importId);
	return toJob(row);
}

/** Deletes an import that is not running, and its file. */
export async function remove(
	trx: Trx,
	store: ImportFileStore,
	orgId: string,
	importId: string
): Promise<void> {
	const row = await trx
		.deleteFrom('contact_imports')
		.where('org_id', '=', orgId)
		.where('id', '=', importId)
		.returning('file_ref')
		.executeTakeFirst();
	if (!row) throw new ImportNotFoundError(importId);
	await store.remove(row.file_ref!);
}

/**
 * The error report as CSV (row, column, reason, value), streamed in pages. Values and
 * column names come from the uploaded file, so cells are written by the export's
 * `csvCell`, which defuses spreadsheet formulas ("=HYPERLINK(…)" opens as text).
 */
export async function* errorReport(
	trx: Trx,
	orgId: string,
	importId: string
): AsyncGenerator<string> {
	await load(trx, orgId, importId);
	yield 'row,column,reason,value\n';
	let after = 0;
	for (;;) {
		const rows = await trx
			.selectFrom('contact_import_errors')
			.select(['id', 'row_number', 'column_name', 'reason', 'value'])
			.where('org_id', '=', orgId)
			.where('import_id', '=', importId)
			.where('id', '>', after)
			.orderBy('id')
			.limit(5000)
			.execute();
		if (rows.length === 0) return;
		yield rows
			.map((r) => [r.row_number, r.column_name, r.reason, r.value].map(csvCell).join(',') + '\n')
			.join('');
		after = Number(rows.at(-1)!.id);
	}
}
