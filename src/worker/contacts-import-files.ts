// Task `contacts_import_files_cleanup`: removes uploaded import files that are no
// longer needed (they hold personal data). Queued by triggers (migration
// import_files_cleanup):
//   {orgId, importId} 24 hours after an import became a draft, failed or was
//                     cancelled: the file goes unless the import was started again;
//   {orgId}           when an organization is deleted: all of its files go.
import type { Task } from 'graphile-worker';
import { z } from 'zod';
import { asService } from '../lib/server/db/rls.ts';
import type { ContactDeps } from './contacts-deps.ts';

const payloadSchema = z.object({ orgId: z.uuid(), importId: z.uuid().optional() });

/** An import in these states may still run and needs its file. */
const STILL_NEEDED = new Set(['queued', 'running']);

export async function cleanupImportFiles(deps: ContactDeps, payload: unknown): Promise<void> {
	const { orgId, importId } = payloadSchema.parse(payload);
	if (!importId) {
		await deps.store.removeOrg(orgId);
		return;
	}
	const row = await asService(deps.db, (trx) =>
		trx
			.selectFrom('contact_imports')
			.select('status')
			.where('org_id', '=', orgId)
			.where('id', '=', importId)
			.executeTakeFirst()
	);
	// Started again since the job was queued: its run queues the next removal.
	if (row && STILL_NEEDED.has(row.status)) return;
	await deps.store.remove(`${orgId}/${importId}`);
}

export function contactsImportFilesCleanupTask(getDeps: () => ContactDeps): Task {
	return (payload) => cleanupImportFiles(getDeps(), payload);
}
