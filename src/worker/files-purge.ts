// Task `files_org_purge`: removes a deleted organization's files from Storage.
// Queued by the trigger on public.organizations (migration files_cleanup) in the
// transaction that deletes the organization. Its catalogue rows went with the
// cascade; its objects are Storage's, so they are removed through the Storage
// API as the service, which deletes each object's row and bytes together (on
// Supabase and on the local platform alike). Batches of 1,000 names, Storage's
// limit per request; a job that dies half-way is retried and carries on with
// what is left. An organization that still exists is never touched.
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { Task } from 'graphile-worker';
import { sql } from 'kysely';
import { z } from 'zod';
import { BUCKETS } from '../lib/files/paths.ts';
import type { Database } from '../lib/server/db/client.ts';
import { asService } from '../lib/server/db/rls.ts';
import { contactDeps } from './contacts-deps.ts';

export type StorageApi = SupabaseClient['storage'];
export type FilesDeps = { db: Database; storage: () => StorageApi };

const payloadSchema = z.object({ orgId: z.uuid() });
const BATCH = 1000;

/** Removes every object of the app's buckets under the organization's folder. */
export async function purgeOrgFiles(deps: FilesDeps, payload: unknown): Promise<number> {
	const { orgId } = payloadSchema.parse(payload);
	let removed = 0;
	for (;;) {
		const { live, objects } = await asService(deps.db, async (trx) => ({
			live: (await trx.selectFrom('organizations').select('id').where('id', '=', orgId).execute())
				.length,
			objects: (
				await sql<{ bucket_id: string; name: string }>`
					select bucket_id, name from storage.objects
					 where bucket_id = any(${[...BUCKETS]}::text[]) and name like ${`${orgId}/%`}
					 order by bucket_id, name
					 limit ${BATCH}`.execute(trx)
			).rows
		}));
		if (live) return removed;
		if (objects.length === 0) return removed;
		const storage = deps.storage();
		let progress = 0;
		for (const bucket of BUCKETS) {
			const names = objects.filter((o) => o.bucket_id === bucket).map((o) => o.name);
			if (names.length === 0) continue;
			const { data, error } = await storage.from(bucket).remove(names);
			if (error) throw new Error(`files_org_purge: Storage refused to remove: ${error.message}`);
			progress += data.length;
		}
		// Rows Storage would not remove would be listed again forever: fail, and be retried.
		if (progress === 0) throw new Error(`files_org_purge: no object of ${orgId} could be removed`);
		removed += progress;
	}
}

let storage: StorageApi | undefined;

/** Storage as the service: SUPABASE_URL (or PUBLIC_SUPABASE_URL) and SUPABASE_SERVICE_ROLE_KEY. */
function serviceStorage(env: NodeJS.ProcessEnv = process.env): StorageApi {
	if (!storage) {
		const url = env.SUPABASE_URL ?? env.PUBLIC_SUPABASE_URL;
		const key = env.SUPABASE_SERVICE_ROLE_KEY;
		// Thrown inside the job: it is retried with backoff once the worker is configured.
		if (!url || !key)
			throw new Error(
				"worker: set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY to remove deleted organizations' files"
			);
		storage = createClient(url, key, {
			auth: { persistSession: false, autoRefreshToken: false }
		}).storage;
	}
	return storage;
}

export function filesOrgPurgeTask(): Task {
	return async (payload) => {
		await purgeOrgFiles({ db: contactDeps().db, storage: () => serviceStorage() }, payload);
	};
}
