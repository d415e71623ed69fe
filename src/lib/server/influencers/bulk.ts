// Bulk actions on the rows ticked in the table: move to a column, give an
// owner, add a tag, delete. Each is one statement, so it is all or nothing: a
// move the pipeline refuses for one record (Cold straight to Final) refuses
// the whole action with the database's reason, and nothing is half-done.
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';
import type { BulkAction } from './schemas.ts';

/** Applies a bulk action; returns how many records it changed (RLS hides the others). */
export async function apply(
	trx: Trx,
	orgId: string,
	ids: readonly string[],
	action: BulkAction
): Promise<number> {
	switch (action.action) {
		case 'status': {
			const r = await trx
				.updateTable('influencers')
				.set({ status: action.status })
				.where('org_id', '=', orgId)
				.where('id', 'in', ids)
				.where('status', '<>', action.status)
				.executeTakeFirst();
			return Number(r.numUpdatedRows);
		}
		case 'owner': {
			const r = await trx
				.updateTable('influencers')
				.set({ owner_id: action.ownerId })
				.where('org_id', '=', orgId)
				.where('id', 'in', ids)
				.executeTakeFirst();
			return Number(r.numUpdatedRows);
		}
		case 'tag': {
			const r = await trx
				.updateTable('influencers')
				.set({ tags: sql`array_append(tags, ${action.tag}::text)` })
				.where('org_id', '=', orgId)
				.where('id', 'in', ids)
				.where(
					sql<boolean>`not exists (select 1 from unnest(tags) t where lower(t) = lower(${action.tag}))`
				)
				.executeTakeFirst();
			return Number(r.numUpdatedRows);
		}
		case 'delete': {
			const r = await trx
				.deleteFrom('influencers')
				.where('org_id', '=', orgId)
				.where('id', 'in', ids)
				.executeTakeFirst();
			return Number(r.numDeletedRows);
		}
	}
}
