// Data runs as the runs page shows them: newest first (keyset pages), and one
// run's log and the profiles it created or updated. RLS decides which runs a
// person sees: global ones and those their organization asked for.
import { sql, type SqlBool } from 'kysely';
import type { Trx } from '../db/rls.ts';
import { InvalidCursorError, RunNotFoundError } from './errors.ts';

export const RUNS_PAGE = 30;

export type RunSummary = {
	id: string;
	provider: string;
	runId: string;
	taskId: string | null;
	status: string;
	startedAt: string | null;
	finishedAt: string | null;
	receivedAt: string;
	message: string | null;
	resultsCount: number;
	profilesCreated: number;
	profilesUpdated: number;
	itemsRejected: number;
	/** Asked for by this person's organization (not a global refresh). */
	ownOrg: boolean;
};

export type RunDetail = RunSummary & {
	log: Array<{ kind: string; message: string; at: string; detail: Record<string, unknown> }>;
	changes: Array<{
		profileId: string;
		platform: string;
		handle: string;
		displayName: string;
		followers: number;
		created: boolean;
	}>;
};

const iso = (v: unknown) =>
	v === null || v === undefined ? null : new Date(v as string).toISOString();

function encode(createdAt: string, id: string) {
	return Buffer.from(`${createdAt}|${id}`).toString('base64url');
}
function decode(cursor: string) {
	const [createdAt, id] = Buffer.from(cursor, 'base64url').toString().split('|');
	if (!createdAt || !id || Number.isNaN(Date.parse(createdAt)) || !/^[0-9a-f-]{36}$/.test(id))
		throw new InvalidCursorError();
	return { createdAt, id };
}

function base(trx: Trx) {
	return trx
		.selectFrom('data_runs as r')
		.select([
			'r.id',
			'r.provider',
			'r.run_id',
			'r.task_id',
			'r.status',
			'r.started_at',
			'r.finished_at',
			'r.created_at',
			'r.message',
			'r.results_count',
			'r.profiles_created',
			'r.profiles_updated',
			'r.items_rejected',
			'r.org_id'
		]);
}

type Row = Awaited<ReturnType<ReturnType<typeof base>['executeTakeFirstOrThrow']>>;

const toSummary = (r: Row, orgId: string): RunSummary => ({
	id: r.id,
	provider: r.provider,
	runId: r.run_id,
	taskId: r.task_id,
	status: r.status,
	startedAt: iso(r.started_at),
	finishedAt: iso(r.finished_at),
	receivedAt: iso(r.created_at)!,
	message: r.message,
	resultsCount: r.results_count,
	profilesCreated: r.profiles_created,
	profilesUpdated: r.profiles_updated,
	itemsRejected: r.items_rejected,
	ownOrg: r.org_id === orgId
});

export async function listRuns(
	trx: Trx,
	orgId: string,
	after?: string
): Promise<{ items: RunSummary[]; nextCursor: string | null }> {
	let q = base(trx);
	if (after) {
		const c = decode(after);
		q = q.where(sql<SqlBool>`(r.created_at, r.id) < (${c.createdAt}::timestamptz, ${c.id}::uuid)`);
	}
	const rows = await q
		.orderBy('r.created_at', 'desc')
		.orderBy('r.id', 'desc')
		.limit(RUNS_PAGE + 1)
		.execute();
	const items = rows.slice(0, RUNS_PAGE).map((r) => toSummary(r, orgId));
	const last = rows.length > RUNS_PAGE ? items.at(-1)! : null;
	return { items, nextCursor: last ? encode(last.receivedAt, last.id) : null };
}

/** One run with its log and what it changed (the first 200 profiles). */
export async function getRun(trx: Trx, orgId: string, id: string): Promise<RunDetail> {
	const row = await base(trx).where('r.id', '=', id).executeTakeFirst();
	if (!row) throw new RunNotFoundError();
	const [log, changes] = await Promise.all([
		trx
			.selectFrom('data_run_entries')
			.select(['kind', 'message', 'created_at', 'detail'])
			.where('run_id', '=', id)
			.orderBy('id')
			.limit(500)
			.execute(),
		trx
			.selectFrom('marketplace_profile_metrics as m')
			.innerJoin('marketplace_profiles as p', 'p.id', 'm.profile_id')
			.select([
				'p.id',
				'p.platform',
				'p.handle',
				'p.display_name',
				'm.followers',
				'm.created_profile'
			])
			.where('m.run_id', '=', id)
			.orderBy('m.followers', 'desc')
			.limit(200)
			.execute()
	]);
	return {
		...toSummary(row, orgId),
		log: log.map((e) => ({
			kind: e.kind,
			message: e.message,
			at: iso(e.created_at)!,
			detail: (e.detail ?? {}) as Record<string, unknown>
		})),
		changes: changes.map((c) => ({
			profileId: c.id,
			platform: c.platform,
			handle: c.handle,
			displayName: c.display_name,
			followers: Number(c.followers),
			created: c.created_profile
		}))
	};
}
