// What the campaigns routes share at their edge: the wizard's context (the
// campaign, its sections, brands, currencies) and domain errors as statuses.
import { error } from '@sveltejs/kit';
import { sql } from 'kysely';
import { audienceSummary } from '$lib/campaigns/audience-summary';
import { isMessageKind, type CampaignKind } from '$lib/campaigns/steps';
import * as audiences from '$lib/server/audiences';
import * as brands from '$lib/server/brands';
import * as campaigns from '$lib/server/campaigns';
import { mapDbError, type Trx } from '$lib/server/db';
import * as products from '$lib/server/products';

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

/** Names for a diff of wizard sections: brands, audiences and products (archived ones too). */
export async function diffNames(trx: Trx, orgId: string) {
	const [brandList, audienceList, productList] = await Promise.all([
		brandOptions(trx, orgId),
		audiences.list(trx, orgId),
		products.list(trx, orgId, { archived: true, limit: 5000 })
	]);
	return {
		brands: new Map(brandList.map((b) => [b.id, b.name])),
		audiences: new Map(audienceList.map((a) => [a.id, a.name])),
		products: new Map(productList.map((p) => [p.id, p.name]))
	};
}

/**
 * The organization's audiences for the wizard's picker, each with whom it
 * targets and, for a message campaign, how many contacts it reaches on the
 * campaign's channel (with consent).
 */
export async function audienceOptions(trx: Trx, orgId: string, kind: CampaignKind) {
	const list = await audiences.list(trx, orgId);
	const reach = isMessageKind(kind)
		? await audiences.reachOf(
				trx,
				orgId,
				list.map((a) => a.id),
				kind
			)
		: null;
	return list.map((a) => ({
		id: a.id,
		name: a.name,
		description: a.description,
		summary: audienceSummary(a),
		reach: reach ? (reach.get(a.id) ?? 0) : null
	}));
}

/** The catalogue's products a campaign can add (not archived). */
export async function productOptions(trx: Trx, orgId: string) {
	const list = await products.list(trx, orgId, { limit: 5000 });
	return list.map((p) => ({
		id: p.id,
		name: p.name,
		sku: p.sku,
		price: p.price,
		currency: p.currency
	}));
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
