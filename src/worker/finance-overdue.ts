// finance_flag_overdue (cron, every 15 minutes): records
// finance_document.overdue once for each pending or approved financial
// document whose due date has passed (private.finance_flag_overdue in the
// finance_documents migration), so automations can remind someone. Rows are
// claimed with SKIP LOCKED and flagged once: any number of workers may run it.
import type { Task } from 'graphile-worker';
import { sql } from 'kysely';
import type { Database } from '../lib/server/db/client.ts';
import { asService } from '../lib/server/db/rls.ts';
import type { ContactDeps } from './contacts-deps.ts';

export const FINANCE_CRONTAB = '*/15 * * * * finance_flag_overdue ?max=1';

/** Documents flagged per transaction: short transactions, called again while full. */
const BATCH = 500;

/** Flags every document overdue on `today` (a UTC date); returns how many. */
export async function flagOverdueDocuments(db: Database, today: Date): Promise<number> {
	const day = today.toISOString().slice(0, 10);
	let total = 0;
	for (;;) {
		const flagged = await asService(db, async (trx) => {
			const { rows } = await sql<{ flagged: number }>`
				select private.finance_flag_overdue(${day}::date, ${BATCH}) as flagged`.execute(trx);
			return rows[0]!.flagged;
		});
		total += flagged;
		if (flagged < BATCH) return total;
	}
}

export function financeOverdueTask(getDeps: () => ContactDeps): Task {
	return async () => {
		await flagOverdueDocuments(getDeps().db, new Date());
	};
}
