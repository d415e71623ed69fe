// A campaign's history: its numbered submissions (versions), its budget lines
// and KPIs as last submitted, and its activity (the events it recorded).
import type { Trx } from '../db/rls.ts';

export type Submission = {
	version: number;
	snapshot: Record<string, unknown>;
	submittedBy: string | null;
	submittedAt: string;
};

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));

export async function submissions(trx: Trx, orgId: string, id: string): Promise<Submission[]> {
	const rows = await trx
		.selectFrom('campaign_submissions')
		.select(['version', 'snapshot', 'submitted_by', 'submitted_at'])
		.where('org_id', '=', orgId)
		.where('campaign_id', '=', id)
		.orderBy('version', 'desc')
		.execute();
	return rows.map((r) => ({
		version: r.version,
		snapshot: r.snapshot as Record<string, unknown>,
		submittedBy: r.submitted_by,
		submittedAt: iso(r.submitted_at)
	}));
}

export async function budgetLines(trx: Trx, orgId: string, id: string) {
	const rows = await trx
		.selectFrom('campaign_budget_lines')
		.select(['label', 'amount'])
		.where('org_id', '=', orgId)
		.where('campaign_id', '=', id)
		.orderBy('position')
		.execute();
	return rows.map((r) => ({ label: r.label, amount: String(r.amount) }));
}

export async function kpis(trx: Trx, orgId: string, id: string) {
	const rows = await trx
		.selectFrom('campaign_kpis')
		.select(['metric', 'target'])
		.where('org_id', '=', orgId)
		.where('campaign_id', '=', id)
		.orderBy('metric')
		.execute();
	return rows.map((r) => ({ metric: r.metric, target: String(r.target) }));
}

export type Activity = {
	id: string;
	type: string;
	actorId: string | null;
	payload: Record<string, unknown>;
	at: string;
};

/** The campaign's events, newest first. */
export async function activity(
	trx: Trx,
	orgId: string,
	id: string,
	limit = 50
): Promise<Activity[]> {
	const rows = await trx
		.selectFrom('events')
		.select(['id', 'type', 'actor_id', 'payload', 'occurred_at'])
		.where('org_id', '=', orgId)
		.where('subject_type', '=', 'campaign')
		.where('subject_id', '=', id)
		.orderBy('occurred_at', 'desc')
		.orderBy('id', 'desc')
		.limit(limit)
		.execute();
	return rows.map((r) => ({
		id: String(r.id),
		type: r.type,
		actorId: r.actor_id,
		payload: r.payload as Record<string, unknown>,
		at: iso(r.occurred_at)
	}));
}

/** Names of people (full name, else email) by user id, for "saved by" and activity. */
export async function people(trx: Trx, ids: (string | null)[]): Promise<Map<string, string>> {
	const wanted = [...new Set(ids.filter((id): id is string => !!id))];
	if (!wanted.length) return new Map();
	const rows = await trx
		.selectFrom('profiles')
		.select(['id', 'full_name', 'email'])
		.where('id', 'in', wanted)
		.execute();
	return new Map(rows.map((r) => [r.id, r.full_name?.trim() || r.email || 'A teammate']));
}
