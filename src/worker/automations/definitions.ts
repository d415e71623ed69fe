// Published versions are immutable, so the worker parses each one once and
// keeps it. A version that does not parse (written around the app) is kept as
// its error: runs on it fail with that message instead of doing something odd.
import { sql } from 'kysely';
import { definitionSchema, type Definition, type Step } from '../../lib/automations/definition.ts';
import type { Conn } from '../db.ts';

export type LoadedDefinition =
	| { ok: true; versionId: string; definition: Definition; steps: Map<string, Step> }
	| { ok: false; versionId: string; error: string };

export type DefinitionCache = {
	get(versionId: string): LoadedDefinition | undefined;
	/** Loads the versions not cached yet, in one query. */
	load(trx: Conn, versionIds: Iterable<string>): Promise<void>;
	require(versionId: string): LoadedDefinition;
};

const MAX_CACHED = 5000;

export function parseDefinition(versionId: string, raw: unknown): LoadedDefinition {
	const parsed = definitionSchema.safeParse(raw);
	if (!parsed.success) {
		const first = parsed.error.issues[0];
		return {
			ok: false,
			versionId,
			error: `The automation's definition is invalid (${first?.path.join('.') || 'definition'}: ${first?.message ?? 'unknown problem'}).`
		};
	}
	return {
		ok: true,
		versionId,
		definition: parsed.data,
		steps: new Map(parsed.data.steps.map((s) => [s.id, s]))
	};
}

export function createDefinitionCache(): DefinitionCache {
	const cache = new Map<string, LoadedDefinition>();
	return {
		get: (id) => cache.get(id),
		async load(trx, versionIds) {
			const missing = [...new Set(versionIds)].filter((id) => !cache.has(id));
			if (missing.length === 0) return;
			const { rows } = await sql<{ id: string; definition: unknown }>`
				select id, definition from public.automation_versions where id = any(${missing}::uuid[])`.execute(
				trx
			);
			if (cache.size + rows.length > MAX_CACHED) cache.clear();
			for (const row of rows) cache.set(row.id, parseDefinition(row.id, row.definition));
		},
		require(id) {
			const found = cache.get(id);
			if (!found) throw new Error(`automation version ${id} is not loaded`);
			return found;
		}
	};
}
