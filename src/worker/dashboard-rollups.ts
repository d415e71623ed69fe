// dashboard_rollups_fold (cron, every minute): folds the dashboard rollups'
// committed per-transaction deltas into one row per organization, day and
// status (see supabase/migrations/*_dashboard_rollups.sql). The dashboard is
// exact without it; folding keeps the rows it sums few.
import type { Task } from 'graphile-worker';
import { sql } from 'kysely';
import { asService } from '../lib/server/db/rls.ts';
import type { ContactDeps } from './contacts-deps.ts';

export const DASHBOARD_CRONTAB = '* * * * * dashboard_rollups_fold ?max=1';

export function dashboardRollupsFoldTask(getDeps: () => ContactDeps): Task {
	return async () => {
		const { db } = getDeps();
		await asService(db, (trx) => sql`select private.fold_dashboard_rollups()`.execute(trx));
	};
}
