// Task `contacts_import`: runs one import (src/lib/server/imports/pipeline.ts)
// on its own session — COPY needs a raw client, and the work is one
// transaction so a cancel or a crash leaves nothing half-imported — while
// progress is committed through short service transactions the UI can see.
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import type { Task } from 'graphile-worker';
import { z } from 'zod';
import { asService } from '../lib/server/db/rls.ts';
import {
	ImportCancelledError,
	ImportFileError,
	ImportMappingError
} from '../lib/server/imports/errors.ts';
import {
	recordOutcome,
	runImport,
	type ImportConnection,
	type ImportOutcome,
	type ProgressPatch
} from '../lib/server/imports/pipeline.ts';
import type { ContactDeps } from './contacts-deps.ts';

const payloadSchema = z.object({ importId: z.uuid() });

export type ImportRunResult =
	ImportOutcome | { status: 'cancelled' } | { status: 'error'; error: string };

/** Runs an import to its end and records the outcome; never throws for a bad file. */
export async function runContactImport(
	deps: ContactDeps,
	importId: string
): Promise<ImportRunResult> {
	const settle = (patch: Record<string, unknown>) =>
		asService(deps.db, (trx) =>
			trx
				.updateTable('contact_imports')
				.set({ ...patch, phase: null, finished_at: new Date().toISOString() })
				.where('id', '=', importId)
				.execute()
		);
	const report = async (patch: ProgressPatch) => {
		await asService(deps.db, (trx) =>
			trx
				.updateTable('contact_imports')
				.set({ ...patch, started_at: patch.started_at?.toISOString() })
				.where('id', '=', importId)
				.where('status', 'in', ['queued', 'running'])
				.execute()
		);
	};

	const client = new pg.Client({ connectionString: deps.connectionString });
	await client.connect();
	try {
		// Temp tables of a 1M-row file stay in memory (set before the session's first temp table).
		await client.query(`set temp_buffers = '256MB'`);
		await client.query('begin');
		await client.query(
			`select set_config('role', 'service_role', true),
			        set_config('request.jwt.claims', '{"role":"service_role"}', true),
			        set_config('work_mem', '256MB', true),
			        -- New trigram entries wait in the GIN pending list and are merged in
			        -- large sorted batches rather than a little at a time.
			        set_config('gin_pending_list_limit', '65536', true)`
		);
		const conn: ImportConnection = {
			query: async <R>(text: string, values?: unknown[]) => {
				const started = performance.now();
				const result = await client.query<R & pg.QueryResultRow>(text, values);
				// IMPORT_TRACE=1 prints each statement's time (what the benchmark reads).
				if (process.env.IMPORT_TRACE)
					console.log(
						`[import] ${(performance.now() - started).toFixed(0).padStart(6)} ms  ${text.replace(/\s+/g, ' ').slice(0, 90)}`
					);
				return { rows: result.rows, rowCount: result.rowCount };
			},
			copyFrom: async (text, stages) => {
				const started = performance.now();
				const copy = client.query(copyFrom(text));
				await pipeline([...stages, copy]);
				if (process.env.IMPORT_TRACE)
					console.log(`[import] ${(performance.now() - started).toFixed(0).padStart(6)} ms  COPY`);
				return copy.rowCount;
			}
		};
		try {
			const outcome = await runImport(conn, deps.store, importId, report);
			await recordOutcome(conn, importId, outcome);
			await client.query('commit');
			if (outcome.status === 'completed') {
				const { rows } = await client.query<{ file_ref: string }>(
					'select file_ref from public.contact_imports where id = $1',
					[importId]
				);
				// The file holds personal data: once imported it is not kept.
				if (rows[0]) await deps.store.remove(rows[0].file_ref);
			}
			return outcome;
		} catch (error) {
			await client.query('rollback');
			if (error instanceof ImportCancelledError) {
				await settle({ status: 'cancelled' });
				return { status: 'cancelled' };
			}
			const expected = error instanceof ImportFileError || error instanceof ImportMappingError;
			const message = expected
				? (error as Error).message
				: `The import failed unexpectedly (${(error as Error).message}). Nothing was imported.`;
			if (!expected) console.error(`[contacts_import ${importId}]`, error);
			await settle({ status: 'failed', error: message });
			return { status: 'error', error: message };
		}
	} finally {
		await client.end();
	}
}

export function contactsImportTask(getDeps: () => ContactDeps): Task {
	return async (payload) => {
		const { importId } = payloadSchema.parse(payload);
		await runContactImport(getDeps(), importId);
	};
}
