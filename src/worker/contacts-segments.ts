// Tasks that keep segment memberships current:
//   segment_refresh        {segmentId} — rebuild/reconcile one segment, then
//                          queue the next reconcile (SEGMENT_RECONCILE_SECONDS,
//                          default one hour), so time-window rules stay right;
//   segments_apply_changes {orgId}     — recompute the contacts changed since,
//                          in batches, until none are pending.
import type { Task } from 'graphile-worker';
import { z } from 'zod';
import { asService } from '../lib/server/db/rls.ts';
import { applyPending, refresh, scheduleRefresh } from '../lib/server/segments/membership.ts';
import type { ContactDeps } from './contacts-deps.ts';

const reconcileSeconds = () => Number(process.env.SEGMENT_RECONCILE_SECONDS ?? 3600);

export function segmentRefreshTask(getDeps: () => ContactDeps): Task {
	return async (payload) => {
		const { segmentId } = z.object({ segmentId: z.uuid() }).parse(payload);
		const { db } = getDeps();
		const result = await asService(db, (trx) => refresh(trx, segmentId));
		if (result.status === 'refreshed' || result.status === 'invalid')
			await asService(db, (trx) => scheduleRefresh(trx, segmentId, reconcileSeconds()));
	};
}

export function segmentsApplyChangesTask(getDeps: () => ContactDeps): Task {
	return async (payload) => {
		const { orgId } = z.object({ orgId: z.uuid() }).parse(payload);
		const { db } = getDeps();
		while ((await asService(db, (trx) => applyPending(trx, orgId))) > 0);
	};
}
