// A campaign's brief as last submitted (applied by the database on
// submission): the audiences it targets, its product lines with the line and
// campaign totals the database computes, and per requirement of the creative
// brief how many deliverables are approved, waiting or missing (the
// creative_requirement_progress view). For the overview.
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';

export type TargetedAudience = {
	id: string;
	name: string;
	countries: string[];
	ageRanges: string[];
	interests: number;
	segments: number;
};

export async function audiences(trx: Trx, orgId: string, id: string): Promise<TargetedAudience[]> {
	const rows = await trx
		.selectFrom('campaign_audiences as ca')
		.innerJoin('audiences as a', (j) =>
			j.onRef('a.org_id', '=', 'ca.org_id').onRef('a.id', '=', 'ca.audience_id')
		)
		.select([
			'a.id',
			'a.name',
			'a.countries',
			// Arrays of an enum come back from pg as '{…}' text unless cast.
			sql<string[]>`a.age_ranges::text[]`.as('age_ranges'),
			'a.interests',
			(eb) =>
				eb
					.selectFrom('audience_segments as s')
					.whereRef('s.org_id', '=', 'a.org_id')
					.whereRef('s.audience_id', '=', 'a.id')
					.select((e) => e.fn.countAll<string>().as('n'))
					.as('segments')
		])
		.where('ca.org_id', '=', orgId)
		.where('ca.campaign_id', '=', id)
		.orderBy(sql`lower(a.name)`)
		.execute();
	return rows.map((r) => ({
		id: r.id,
		name: r.name,
		countries: r.countries,
		ageRanges: r.age_ranges,
		interests: r.interests.length,
		segments: Number(r.segments ?? 0)
	}));
}

export type ProductLine = {
	productId: string;
	name: string;
	sku: string;
	imagePath: string | null;
	quantity: number;
	discountPercent: string;
	unitPrice: string;
	currency: string;
	lineTotal: string;
};

export async function products(trx: Trx, orgId: string, id: string): Promise<ProductLine[]> {
	const rows = await trx
		.selectFrom('campaign_products as cp')
		.innerJoin('products as p', (j) =>
			j.onRef('p.org_id', '=', 'cp.org_id').onRef('p.id', '=', 'cp.product_id')
		)
		.select([
			'cp.product_id',
			'p.name',
			'p.sku',
			'p.image_path',
			'cp.quantity',
			'cp.discount_percent',
			'cp.unit_price',
			'cp.currency',
			'cp.line_total'
		])
		.where('cp.org_id', '=', orgId)
		.where('cp.campaign_id', '=', id)
		.orderBy('cp.position')
		.execute();
	// numeric comes back as text from pg: kept exact.
	return rows.map((r) => ({
		productId: r.product_id,
		name: r.name,
		sku: r.sku,
		imagePath: r.image_path,
		quantity: r.quantity,
		discountPercent: String(r.discount_percent),
		unitPrice: String(r.unit_price),
		currency: r.currency,
		lineTotal: String(r.line_total)
	}));
}

export type ProductTotal = {
	currency: string;
	lines: number;
	units: number;
	subtotal: string;
	discount: string;
	total: string;
};

/** The campaign's totals per currency, as the database sums them. */
export async function productTotals(trx: Trx, orgId: string, id: string): Promise<ProductTotal[]> {
	const rows = await trx
		.selectFrom('campaign_product_totals')
		.select(['currency', 'lines', 'units', 'subtotal', 'discount', 'total'])
		.where('org_id', '=', orgId)
		.where('campaign_id', '=', id)
		.orderBy('currency')
		.execute();
	return rows.map((r) => ({
		currency: r.currency ?? '',
		lines: Number(r.lines ?? 0),
		units: Number(r.units ?? 0),
		subtotal: String(r.subtotal ?? '0'),
		discount: String(r.discount ?? '0'),
		total: String(r.total ?? '0')
	}));
}

export type RequirementProgress = {
	id: string;
	deliverable: string;
	platform: string;
	format: string;
	dueOn: string | null;
	required: number;
	approved: number;
	pending: number;
	changesRequested: number;
	missing: number;
};

/** Per requirement of the brief: approved, waiting, sent back and missing deliverables. */
export async function creativeProgress(
	trx: Trx,
	orgId: string,
	id: string
): Promise<RequirementProgress[]> {
	const rows = await trx
		.selectFrom('creative_requirements as r')
		.innerJoin('creative_requirement_progress as p', 'p.requirement_id', 'r.id')
		.select([
			'r.id',
			'r.deliverable',
			'r.platform',
			'r.format',
			sql<string | null>`r.due_on::text`.as('due_on'),
			'p.required',
			'p.approved',
			'p.pending',
			'p.changes_requested',
			'p.missing'
		])
		.where('r.org_id', '=', orgId)
		.where('r.campaign_id', '=', id)
		.orderBy('r.position')
		.execute();
	return rows.map((r) => ({
		id: r.id,
		deliverable: r.deliverable,
		platform: r.platform,
		format: r.format,
		dueOn: r.due_on,
		required: Number(r.required ?? 0),
		approved: Number(r.approved ?? 0),
		pending: Number(r.pending ?? 0),
		changesRequested: Number(r.changes_requested ?? 0),
		missing: Number(r.missing ?? 0)
	}));
}
