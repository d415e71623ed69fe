// The audit log, newest first, filtered and paged by keyset (id), so a page
// costs the same on the first screen and the thousandth.
import type { Trx } from '$lib/server/db';

export type AuditEntry = {
	id: number;
	at: string;
	action: string;
	targetType: string;
	targetId: string | null;
	actorId: string | null;
	/** Their name now, or as it was when the entry was written (once they left). */
	actorName: string | null;
	/** For membership changes: the member's name when the entry was written. */
	targetName: string | null;
	before: unknown;
	after: unknown;
};

export type AuditFilter = {
	/** e.g. 'members' (all member changes) or 'members.update'. */
	action?: string;
	actorId?: string;
	/** Entries older than this id (the last id of the previous page). */
	before?: number;
	limit?: number;
};

export async function list(
	trx: Trx,
	orgId: string,
	filter: AuditFilter = {}
): Promise<{ entries: AuditEntry[]; nextBefore: number | null }> {
	const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
	let query = trx
		.selectFrom('audit_log as a')
		.leftJoin('profiles as p', 'p.id', 'a.actor_id')
		.select([
			'a.id',
			'a.at',
			'a.action',
			'a.target_type',
			'a.target_id',
			'a.actor_id',
			'a.before',
			'a.after',
			'a.actor_name',
			'a.target_name',
			'p.full_name',
			'p.email'
		])
		.where('a.org_id', '=', orgId)
		.orderBy('a.id', 'desc')
		.limit(limit + 1);
	if (filter.action) {
		query = filter.action.includes('.')
			? query.where('a.action', '=', filter.action)
			: query.where('a.target_type', '=', filter.action);
	}
	if (filter.actorId) query = query.where('a.actor_id', '=', filter.actorId);
	if (filter.before) query = query.where('a.id', '<', filter.before);
	const rows = await query.execute();
	const page = rows.slice(0, limit);
	return {
		entries: page.map((r) => ({
			id: Number(r.id),
			at: r.at,
			action: r.action,
			targetType: r.target_type,
			targetId: r.target_id,
			actorId: r.actor_id,
			actorName: r.full_name || r.email || r.actor_name,
			targetName: r.target_name,
			before: r.before,
			after: r.after
		})),
		nextBefore: rows.length > limit ? Number(page.at(-1)!.id) : null
	};
}
