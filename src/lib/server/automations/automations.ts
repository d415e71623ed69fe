// Automations as people manage them, under the caller's RLS transaction: list,
// read, create, save drafts, validate against what exists in the organization,
// activate (publish a version), pause or archive, start a run by hand.
import { sql } from 'kysely';
import type { Definition } from '../../automations/definition.ts';
import { jsonDepth, MAX_JSON_DEPTH } from '../../json-bounds.ts';
import { validateGraph, type References, type Validation } from '../../automations/validate.ts';
import { ruleContext } from '../contacts/list.ts';
import { mapDbError } from '../db/errors.ts';
import type { Trx } from '../db/rls.ts';
import { SegmentRuleError } from '../segments/errors.ts';
import { formatPath } from '../segments/rules.ts';
import { validateRules } from '../segments/validate.ts';
import { AutomationInvalidError, AutomationNotFoundError, AutomationStateError } from './errors.ts';
import { automationInputSchema, draftSchema, type AutomationInput } from './schemas.ts';

export type AutomationStatus = 'draft' | 'active' | 'archived';

export type AutomationSummary = {
	id: string;
	name: string;
	description: string;
	status: AutomationStatus;
	/** The event type that starts runs (null for manual and schedule triggers). */
	triggerEvent: string | null;
	version: number | null;
	/** Runs not finished (running, waiting, retrying) and runs failed. */
	activeRuns: number;
	failedRuns: number;
	updatedAt: string;
};

export type Automation = Omit<AutomationSummary, 'activeRuns' | 'failedRuns'> & {
	draft: Record<string, unknown>;
	/**
	 * The stored draft could not be read (written around the app: too deep or
	 * too large); `draft` is then empty, and never the stored value.
	 */
	draftUnreadable: boolean;
	activeVersion: { id: string; version: number; definition: unknown; createdAt: string } | null;
	createdAt: string;
};

const iso = (v: unknown) => new Date(v as string).toISOString();

export async function list(trx: Trx, orgId: string): Promise<AutomationSummary[]> {
	const rows = await trx
		.selectFrom('automations as a')
		.leftJoin('automation_versions as v', 'v.id', 'a.active_version_id')
		.select([
			'a.id',
			'a.name',
			'a.description',
			'a.status',
			'a.trigger_event',
			'a.updated_at',
			'v.version',
			sql<number>`(select count(*)::int from public.automation_runs r
			  where r.org_id = a.org_id and r.automation_id = a.id
			    and r.status in ('running', 'waiting', 'retrying'))`.as('active_runs'),
			sql<number>`(select count(*)::int from public.automation_runs r
			  where r.org_id = a.org_id and r.automation_id = a.id and r.status = 'failed')`.as('failed_runs')
		])
		.where('a.org_id', '=', orgId)
		.orderBy('a.name')
		.execute();
	return rows.map((r) => ({
		id: r.id,
		name: r.name,
		description: r.description,
		status: r.status,
		triggerEvent: r.trigger_event,
		version: r.version,
		activeRuns: r.active_runs,
		failedRuns: r.failed_runs,
		updatedAt: iso(r.updated_at)
	}));
}

export async function get(trx: Trx, orgId: string, id: string): Promise<Automation> {
	const row = await trx
		.selectFrom('automations as a')
		.leftJoin('automation_versions as v', 'v.id', 'a.active_version_id')
		.select([
			'a.id',
			'a.name',
			'a.description',
			'a.status',
			'a.trigger_event',
			'a.draft',
			'a.created_at',
			'a.updated_at',
			'v.id as version_id',
			'v.version',
			'v.definition',
			'v.created_at as version_created_at'
		])
		.where('a.org_id', '=', orgId)
		.where('a.id', '=', id)
		.executeTakeFirst();
	if (!row) throw new AutomationNotFoundError(id);
	const draft = draftSchema.safeParse(row.draft);
	return {
		id: row.id,
		name: row.name,
		description: row.description,
		status: row.status,
		triggerEvent: row.trigger_event,
		version: row.version,
		draft: draft.success ? draft.data : {},
		draftUnreadable: !draft.success,
		activeVersion:
			row.version_id && row.version !== null
				? {
						id: row.version_id,
						version: row.version,
						// Pages serialize it: a definition too deep to walk is left out.
						definition:
							jsonDepth(row.definition, MAX_JSON_DEPTH) > MAX_JSON_DEPTH ? null : row.definition,
						createdAt: iso(row.version_created_at)
					}
				: null,
		createdAt: iso(row.created_at),
		updatedAt: iso(row.updated_at)
	};
}

export async function create(
	trx: Trx,
	orgId: string,
	input: AutomationInput,
	draft: Record<string, unknown> = {}
): Promise<string> {
	const values = automationInputSchema.parse(input);
	const row = await trx
		.insertInto('automations')
		.values({ org_id: orgId, ...values, draft: draftSchema.parse(draft) as never })
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}

/** Renames, redescribes or saves the draft (unvalidated: activation checks it). */
export async function update(
	trx: Trx,
	orgId: string,
	id: string,
	input: Partial<AutomationInput> & { draft?: Record<string, unknown> }
): Promise<void> {
	const values = {
		...automationInputSchema.partial().parse(input),
		...(input.draft === undefined ? {} : { draft: draftSchema.parse(input.draft) as never })
	};
	const result = await trx
		.updateTable('automations')
		.set(values)
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	if (result.numUpdatedRows !== 1n) throw new AutomationNotFoundError(id);
}

export async function remove(trx: Trx, orgId: string, id: string): Promise<void> {
	const result = await trx
		.deleteFrom('automations')
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	if (result.numDeletedRows !== 1n) throw new AutomationNotFoundError(id);
}

/** The organization's email templates for the builder's picker, by name. */
export async function templateChoices(
	trx: Trx,
	orgId: string
): Promise<{ id: string; name: string }[]> {
	return trx
		.selectFrom('email_templates')
		.select(['id', 'name'])
		.where('org_id', '=', orgId)
		.orderBy('name')
		.execute();
}

/** What exists in the organization now, as graph validation checks it. */
export async function references(trx: Trx, orgId: string): Promise<References> {
	const [templates, tags, fields, members, canSeeEndpoints, secrets] = await Promise.all([
		trx.selectFrom('email_templates').select('id').where('org_id', '=', orgId).execute(),
		trx.selectFrom('tags').select('id').where('org_id', '=', orgId).execute(),
		trx.selectFrom('contact_fields').select('key').where('org_id', '=', orgId).execute(),
		trx.selectFrom('members').select('user_id').where('org_id', '=', orgId).execute(),
		sql<{ ok: boolean }>`select private.has_permission(${orgId}, 'webhooks.manage') as ok`.execute(
			trx
		),
		trx.selectFrom('automation_secrets').select('name').where('org_id', '=', orgId).execute()
	]);
	const endpoints = canSeeEndpoints.rows[0]?.ok
		? await trx.selectFrom('inbound_webhooks').select('id').where('org_id', '=', orgId).execute()
		: null;
	return {
		templates: new Set(templates.map((t) => t.id)),
		tags: new Set(tags.map((t) => t.id)),
		fields: new Set(fields.map((f) => f.key)),
		members: new Set(members.map((m) => m.user_id)),
		secrets: new Set(secrets.map((s) => s.name)),
		// Endpoints are visible to webhook managers only; others' graphs are not checked against them.
		...(endpoints ? { endpoints: new Set(endpoints.map((e) => e.id)) } : {})
	};
}

/**
 * validateGraph with everything the organization has: references (templates,
 * tags, fields, members, endpoints) and contact rules checked by the segments
 * module. For the builder's live feedback and for activation.
 */
export async function validate(
	trx: Trx,
	orgId: string,
	definition: unknown,
	now: Date = new Date()
): Promise<Validation> {
	const [refs, ctx] = await Promise.all([references(trx, orgId), ruleContext(trx, orgId)]);
	return validateGraph(definition, refs, {
		now,
		checkRules: (rules) => {
			try {
				validateRules(rules, ctx);
				return [];
			} catch (error) {
				if (!(error instanceof SegmentRuleError)) throw error;
				return error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
			}
		}
	});
}

async function rpc<T>(trx: Trx, id: string, query: ReturnType<typeof sql<T>>): Promise<T[]> {
	try {
		return (await query.execute(trx)).rows;
	} catch (error) {
		const mapped = mapDbError(error);
		if (mapped?.status === 404)
			throw new AutomationNotFoundError(
				id,
				mapped.message.startsWith('Run') ? 'Run' : 'Automation'
			);
		if (mapped?.status === 422 && mapped.code)
			throw new AutomationStateError(mapped.code, mapped.message);
		throw error;
	}
}

/**
 * Validates the draft (or the given definition) and publishes it as the next
 * version, active at once; runs in flight keep their version. Returns the
 * version number. Throws AutomationInvalidError listing every problem.
 */
export async function activate(
	trx: Trx,
	orgId: string,
	id: string,
	definition?: Definition | Record<string, unknown>
): Promise<number> {
	const source = definition ?? (await get(trx, orgId, id)).draft;
	const result = await validate(trx, orgId, source);
	if (!result.ok) throw new AutomationInvalidError(result.errors);
	const rows = await rpc(
		trx,
		id,
		sql<{
			version: number;
		}>`select public.publish_automation(${id}, ${JSON.stringify(result.definition)}::jsonb) as version`
	);
	return rows[0]!.version;
}

/** Pauses (back to draft) or archives: no new runs; those in flight finish unless cancelled. */
export async function deactivate(
	trx: Trx,
	id: string,
	status: 'draft' | 'archived',
	opts: { cancelRuns?: boolean } = {}
): Promise<void> {
	await rpc(
		trx,
		id,
		sql`select public.set_automation_status(${id}, ${status}::public.automation_status, ${opts.cancelRuns ?? false})`
	);
}

/** Starts a run by hand, for a contact or without a subject; null when re-entry refuses it. */
export async function startRun(
	trx: Trx,
	id: string,
	subject?: { type: 'contact'; id: string }
): Promise<string | null> {
	const rows = await rpc(
		trx,
		id,
		sql<{
			id: string | null;
		}>`select public.start_automation_run(${id}, ${subject?.type ?? null}, ${subject?.id ?? null}) as id`
	);
	return rows[0]?.id ?? null;
}
