// The imports card: the latest imports and how they went, through the
// imports module (newest first, one index range).
import * as imports from '../imports/index.ts';
import type { Trx } from '../db/rls.ts';

export type RecentImport = Pick<
	imports.ImportJob,
	| 'id'
	| 'fileName'
	| 'status'
	| 'progress'
	| 'insertedRows'
	| 'updatedRows'
	| 'failedRows'
	| 'createdAt'
>;

export async function recentImports(trx: Trx, orgId: string, limit = 5): Promise<RecentImport[]> {
	const jobs = await imports.list(trx, orgId, limit + 5);
	// Drafts are uploads nobody started: not an import yet.
	return jobs
		.filter((j) => j.status !== 'draft')
		.slice(0, limit)
		.map(
			({ id, fileName, status, progress, insertedRows, updatedRows, failedRows, createdAt }) => ({
				id,
				fileName,
				status,
				progress,
				insertedRows,
				updatedRows,
				failedRows,
				createdAt
			})
		);
}
