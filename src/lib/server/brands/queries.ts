// Brands (stores) of an organization. RLS lets members read and those with
// brands.write change them.
import type { Trx } from '$lib/server/db';
import type { BrandInput } from '$lib/schemas/brands';

export type Brand = BrandInput & { id: string; updatedAt: string };

const columns = [
	'id',
	'name',
	'email',
	'phone',
	'address',
	'city',
	'state',
	'zip',
	'country',
	'updated_at'
] as const;

type Row = {
	id: string;
	name: string;
	email: string | null;
	phone: string | null;
	address: string | null;
	city: string | null;
	state: string | null;
	zip: string | null;
	country: string | null;
	updated_at: string;
};

const toBrand = ({ updated_at, ...rest }: Row): Brand => ({ ...rest, updatedAt: updated_at });

export async function list(trx: Trx, orgId: string): Promise<Brand[]> {
	const rows = await trx
		.selectFrom('brands')
		.select(columns)
		.where('org_id', '=', orgId)
		.orderBy('name')
		.execute();
	return rows.map(toBrand);
}

export async function get(trx: Trx, orgId: string, id: string): Promise<Brand | null> {
	const row = await trx
		.selectFrom('brands')
		.select(columns)
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	return row ? toBrand(row) : null;
}

export async function create(trx: Trx, orgId: string, input: BrandInput): Promise<string> {
	const row = await trx
		.insertInto('brands')
		.values({ org_id: orgId, ...input })
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}

export async function update(
	trx: Trx,
	orgId: string,
	id: string,
	input: BrandInput
): Promise<boolean> {
	const result = await trx
		.updateTable('brands')
		.set(input)
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	return result.numUpdatedRows === 1n;
}

export async function remove(trx: Trx, orgId: string, id: string): Promise<boolean> {
	const result = await trx
		.deleteFrom('brands')
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	return result.numDeletedRows === 1n;
}
