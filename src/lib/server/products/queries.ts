// The product catalogue of an organization. RLS lets members read and holders
// of campaigns.products write; the database keeps SKUs unique per organization
// (case-insensitively), prices ≥ 0 and currencies ISO 4217.
import { sql } from 'kysely';
import type { Trx } from '$lib/server/db';
import type { ProductInput } from '$lib/schemas/products';

export type Product = Omit<ProductInput, 'imagePath'> & {
	id: string;
	imagePath: string | null;
	archivedAt: string | null;
	updatedAt: string;
};

const columns = [
	'id',
	'name',
	'sku',
	'description',
	'price',
	'currency',
	'image_path',
	'archived_at',
	'updated_at'
] as const;

type Row = {
	id: string;
	name: string;
	sku: string;
	description: string;
	price: number | string;
	currency: string;
	image_path: string | null;
	archived_at: string | null;
	updated_at: string;
};

const toProduct = (r: Row): Product => ({
	id: r.id,
	name: r.name,
	sku: r.sku,
	description: r.description,
	// numeric comes back as text from pg: keep it exact.
	price: String(r.price),
	currency: r.currency as Product['currency'],
	imagePath: r.image_path,
	archivedAt: r.archived_at,
	updatedAt: r.updated_at
});

/** Escapes LIKE wildcards so a search for "50%" finds "50%". */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** A price as the exact decimal typed (never through a float). */
const exact = (price: string) => sql<number>`${price}::numeric`;

/** The form's fields as columns: the price exact, no image as null. */
const columnsOf = ({ imagePath, ...input }: ProductInput) => ({
	...input,
	price: exact(input.price),
	image_path: imagePath || null
});

export type ProductFilter = { q?: string; archived?: boolean; limit?: number };

/** Products by name; a search matches name or SKU; archived ones only when asked. */
export async function list(
	trx: Trx,
	orgId: string,
	filter: ProductFilter = {}
): Promise<Product[]> {
	let query = trx
		.selectFrom('products')
		.select(columns)
		.where('org_id', '=', orgId)
		.orderBy(sql`lower(name)`)
		.orderBy('id')
		.limit(filter.limit ?? 500);
	if (!filter.archived) query = query.where('archived_at', 'is', null);
	if (filter.q) {
		const pattern = `%${likeEscape(filter.q)}%`;
		query = query.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('sku', 'ilike', pattern)]));
	}
	return (await query.execute()).map(toProduct);
}

export async function get(trx: Trx, orgId: string, id: string): Promise<Product | null> {
	const row = await trx
		.selectFrom('products')
		.select(columns)
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	return row ? toProduct(row) : null;
}

export async function create(trx: Trx, orgId: string, input: ProductInput): Promise<string> {
	const row = await trx
		.insertInto('products')
		.values({ org_id: orgId, ...columnsOf(input) })
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}

export async function update(
	trx: Trx,
	orgId: string,
	id: string,
	input: ProductInput
): Promise<boolean> {
	const result = await trx
		.updateTable('products')
		.set(columnsOf(input))
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	return result.numUpdatedRows === 1n;
}

/** Archives (hidden from pickers, kept on campaigns) or restores a product. */
export async function setArchived(
	trx: Trx,
	orgId: string,
	id: string,
	archived: boolean
): Promise<boolean> {
	const result = await trx
		.updateTable('products')
		.set({ archived_at: archived ? sql<string>`now()` : null })
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	return result.numUpdatedRows === 1n;
}
