// Saved secrets as people manage them (Settings → Automation secrets), under the
// caller's RLS transaction. A value is written and never read back: the column
// is granted to no API role (migration automation_secrets), and nothing here
// selects it. Names and dates are listed with the automations that use each
// secret, so a delete can say what it would break.
import { secretIn } from '../../automations/secrets.ts';
import type { Trx } from '../db/rls.ts';
import { SecretNotFoundError } from './errors.ts';
import { secretInputSchema, type SecretInput } from './schemas.ts';

export type SecretSummary = {
	id: string;
	name: string;
	createdAt: string;
	updatedAt: string;
	/** Automations whose draft or published version refers to the secret, by name. */
	usedBy: string[];
};

/** The secret names an HTTP step header of a definition refers to, at any depth. */
export function secretsUsedIn(definition: unknown): Set<string> {
	const found = new Set<string>();
	const visit = (node: unknown, depth: number) => {
		if (depth > 64 || node === null || typeof node !== 'object') return;
		if (Array.isArray(node)) return node.forEach((n) => visit(n, depth + 1));
		const o = node as Record<string, unknown>;
		if (o.type === 'http_request' && o.headers && typeof o.headers === 'object') {
			for (const v of Object.values(o.headers)) {
				const name = typeof v === 'string' ? secretIn(v) : null;
				if (name) found.add(name);
			}
		}
		for (const v of Object.values(o)) visit(v, depth + 1);
	};
	visit(definition, 0);
	return found;
}

export async function listSecrets(trx: Trx, orgId: string): Promise<SecretSummary[]> {
	const [secrets, automations] = await Promise.all([
		trx
			.selectFrom('automation_secrets')
			.select(['id', 'name', 'created_at', 'updated_at'])
			.where('org_id', '=', orgId)
			.orderBy('name')
			.execute(),
		trx
			.selectFrom('automations as a')
			.leftJoin('automation_versions as v', 'v.id', 'a.active_version_id')
			.select(['a.name', 'a.draft', 'v.definition'])
			.where('a.org_id', '=', orgId)
			.where('a.status', '<>', 'archived')
			.orderBy('a.name')
			.execute()
	]);
	const uses = automations.map((a) => ({
		name: a.name,
		secrets: new Set([...secretsUsedIn(a.draft), ...secretsUsedIn(a.definition)])
	}));
	return secrets.map((s) => ({
		id: s.id,
		name: s.name,
		createdAt: new Date(s.created_at).toISOString(),
		updatedAt: new Date(s.updated_at).toISOString(),
		usedBy: uses.filter((u) => u.secrets.has(s.name)).map((u) => u.name)
	}));
}

/** Names only, for the builder's "insert a saved secret" picker (every member may see them). */
export async function secretNames(trx: Trx, orgId: string): Promise<string[]> {
	const rows = await trx
		.selectFrom('automation_secrets')
		.select('name')
		.where('org_id', '=', orgId)
		.orderBy('name')
		.execute();
	return rows.map((r) => r.name);
}

/** Saves a new secret; a name taken in the organization is a 23505 (mapped to the name field). */
export async function addSecret(trx: Trx, orgId: string, input: SecretInput): Promise<string> {
	const { name, value } = secretInputSchema.parse(input);
	const row = await trx
		.insertInto('automation_secrets')
		.values({ org_id: orgId, name, value })
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}

/** Replaces a secret's value (its name and the steps that use it stay). */
export async function replaceSecret(
	trx: Trx,
	orgId: string,
	id: string,
	value: string
): Promise<void> {
	const parsed = secretInputSchema.shape.value.parse(value);
	const row = await trx
		.updateTable('automation_secrets')
		.set({ value: parsed })
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.returning('id')
		.executeTakeFirst();
	if (!row) throw new SecretNotFoundError(id);
}

/** Deletes a secret; steps that still use it fail until another one of that name is saved. */
export async function deleteSecret(trx: Trx, orgId: string, id: string): Promise<string> {
	const row = await trx
		.deleteFrom('automation_secrets')
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.returning('name')
		.executeTakeFirst();
	if (!row) throw new SecretNotFoundError(id);
	return row.name;
}
