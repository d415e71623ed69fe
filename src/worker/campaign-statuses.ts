// campaigns_advance_statuses (cron, every minute): scheduled campaigns whose
// start has passed become active, active ones past their end become completed
// (private.advance_campaign_statuses in the campaigns_auto_start migration).
// Moves are ordinary status updates as the service role: the same guard,
// event and audit entry as a manual transition, with no person as the actor.
// Safe to run on any number of workers at once (rows are claimed with SKIP
// LOCKED and moved only from the status they leave).
import type { Task } from 'graphile-worker';
import { sql } from 'kysely';
import type { Database } from '../lib/server/db/client.ts';
import { asService } from '../lib/server/db/rls.ts';
import type { ContactDeps } from './contacts-deps.ts';

export const CAMPAIGNS_CRONTAB = '* * * * * campaigns_advance_statuses ?max=1';

/** Campaigns moved per transaction: short transactions, called again while full. */
const BATCH = 500;

export type Advanced = { started: number; completed: number };

/** Moves every campaign due at `now`, in batches; returns how many moved. */
export async function advanceCampaignStatuses(db: Database, now: Date): Promise<Advanced> {
	const total: Advanced = { started: 0, completed: 0 };
	for (;;) {
		const row = await asService(db, async (trx) => {
			const { rows } = await sql<Advanced>`
				select started, completed from private.advance_campaign_statuses(${now}, ${BATCH})`.execute(trx);
			return rows[0]!;
		});
		total.started += row.started;
		total.completed += row.completed;
		if (row.started < BATCH && row.completed < BATCH) return total;
	}
}

export function campaignStatusesTask(getDeps: () => ContactDeps): Task {
	return async () => {
		await advanceCampaignStatuses(getDeps().db, new Date());
	};
}
