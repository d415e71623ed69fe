// What the campaigns routes share at their edge: the wizard's context (the
// campaign, its sections, brands, currencies) and domain errors as statuses.
import { error } from '@sveltejs/kit';
import { sql } from 'kysely';
import * as brands from '$lib/server/brands';
import * as campaigns from '$lib/server/campaigns';
import { mapDbError, type Trx } from '$lib/server/db';

type Status = 400 | 403 | 404 | 409 | 422;

/** A domain or database error as a status and words; null for anything else. */
export function describeError(
	e: unknown
): { status: Status; message: string; field?: string } | null {
	if (e instanceof campaigns.CampaignNotFoundError) return { status: 404, message: e.message };
	if (e instanceof campaigns.CampaignCursorError) return { status: 400, message: e.message };
	if (e instanceof campaigns.CampaignIncompleteError) return { status: 422, message: e.message };
	const db = mapDbError(e);
	return db ? { status: db.status, message: db.message, field: db.field } : null;
}

/** For loads and endpoints: a known error as an HTTP error; anything else rethrown. */
export function throwHttp(e: unknown): never {
	const known = describeError(e);
	if (!known) throw e;
	error(known.status, known.message);
}

export async function currencies(trx: Trx): Promise<{ code: string; name: string }[]> {
	return trx.selectFrom('currencies').select(['code', 'name']).orderBy('code').execute();
}

/** Names of the organization's brands (pickers, diffs). */
export async function brandOptions(trx: Trx, orgId: string) {
	const all = await brands.list(trx, orgId);
	return all.map((b) => ({ id: b.id, name: b.name }));
}

let zones: string[] | undefined;

/**
 * The time zones Postgres knows, for the picker (the database checks the choice
 * again). Read once per process: the list reads the zone files.
 */
export async function timeZones(trx: Trx): Promise<string[]> {
	if (zones) return zones;
	const { rows } = await sql<{
		name: string;
	}>`select name from pg_catalog.pg_timezone_names where name ~ '^[A-Z][a-z]+/[A-Za-z_]+$' or name = 'UTC' order by name`.execute(
		trx
	);
	zones = rows.map((r) => r.name);
	return zones;
}
