// message_reports_fold (cron, every minute): folds the message report
// rollups' committed per-transaction deltas into one row per campaign and
// hour / link (see supabase/migrations/*_message_tracking.sql). Reports are
// exact without it; folding keeps the rows they sum few.
import type { Task } from 'graphile-worker';
import { sql } from 'kysely';
import { asService } from '../lib/server/db/rls.ts';
import type { ContactDeps } from './contacts-deps.ts';

export const MESSAGE_REPORTS_CRONTAB = '* * * * * message_reports_fold ?max=1';

export function messageReportsFoldTask(getDeps: () => ContactDeps): Task {
	return async () => {
		const { db } = getDeps();
		await asService(db, (trx) => sql`select private.fold_message_reports()`.execute(trx));
	};
}
